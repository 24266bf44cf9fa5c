package dev.kvcache.core;

import static dev.kvcache.core.testing.LoadingFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.core.testing.LoadingFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code get(key, loader)}: loads absent or expired keys once, stores nothing on failure. */
class LoaderTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final int CALLERS = 8;

    private final FakeTicker ticker = new FakeTicker();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(TTL)
            .recordStats()
            .build();
    private final ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    /* The threads of startCallers' calls. */
    private final List<Thread> callers = new ArrayList<>();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void loadsAbsentKeyOnceAndStoresIt() {
        AtomicInteger loads = new AtomicInteger();
        assertEquals("value of k", cache.get("k", key -> {
            loads.incrementAndGet();
            return "value of " + key;
        }));
        assertEquals("value of k", cache.get("k", key -> fail("loader called for a live key")));
        assertEquals("value of k", cache.getIfPresent("k"));
        assertEquals(1, loads.get());
        assertEquals(TTL.toNanos(), cache.getEntryIfPresent("k").expiresInNanos());
    }

    @Test
    void liveValueIsReturnedWithoutCallingTheLoader() {
        cache.put("k", "v");
        assertEquals("v", cache.get("k", key -> fail("loader called for a live key")));
    }

    @Test
    void loaderReturningNullStoresNothing() {
        assertNull(cache.get("k", key -> null));
        assertNull(cache.getIfPresent("k"));
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
        assertEquals("v", cache.get("k", key -> "v"));
    }

    @Test
    void loaderExceptionPropagatesAndNothingIsStored() {
        IllegalStateException failure = new IllegalStateException("backend down");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> cache.get("k", key -> {
                    throw failure;
                }));
        assertSame(failure, thrown);
        assertNull(cache.getIfPresent("k"));
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
        assertEquals(1, cache.stats().loadFailureCount());
        assertEquals(0, cache.stats().loadSuccessCount());
        // The key is not poisoned: the next call loads again.
        assertEquals("v", cache.get("k", key -> "v"));
        assertEquals(1, cache.stats().loadSuccessCount());
    }

    @Test
    void loaderExceptionOnAnExpiredKeyLeavesItAbsent() {
        cache.put("k", "old");
        ticker.advance(TTL);
        assertThrows(ArithmeticException.class, () -> cache.get("k", key -> {
            throw new ArithmeticException();
        }));
        assertNull(cache.getIfPresent("k"));
    }

    @Test
    void concurrentCallersForOneKeyRunTheLoaderOnce() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch loaderEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<String>> results = startCallers(key -> {
            int n = loads.incrementAndGet();
            loaderEntered.countDown();
            await(release);
            return "loaded " + n;
        });
        assertTrue(loaderEntered.await(10, TimeUnit.SECONDS));
        awaitOtherCallersWaitingForTheLoad();
        release.countDown();

        for (Future<String> result : results) {
            assertEquals("loaded 1", result.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, loads.get());
        assertEquals("loaded 1", cache.getIfPresent("k"));
        assertEquals(1, cache.stats().loadSuccessCount());
    }

    @Test
    void waitersForAFailedLoadSeeTheFailureOrLoadAgain() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch loaderEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IllegalStateException failure = new IllegalStateException("first load fails");
        List<Future<String>> results = startCallers(key -> {
            int n = loads.incrementAndGet();
            if (n == 1) {
                loaderEntered.countDown();
                await(release);
                throw failure;
            }
            return "loaded " + n;
        });
        assertTrue(loaderEntered.await(10, TimeUnit.SECONDS));
        awaitOtherCallersWaitingForTheLoad();
        release.countDown();

        int failures = 0;
        List<String> values = new ArrayList<>();
        for (Future<String> result : results) {
            try {
                values.add(result.get(10, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                assertSame(failure, e.getCause());
                failures++;
            }
        }
        assertTrue(failures >= 1, "the caller whose loader threw must see the exception");
        // A caller that did not wait for the failed load ran a later load or read its result.
        assertTrue(loads.get() - 1 <= values.size(), loads.get() + " loads for " + values.size() + " values");
        if (!values.isEmpty()) {
            assertTrue(values.contains(cache.getIfPresent("k")), "stored value was returned by its load");
            assertTrue(values.stream().allMatch(v -> v.startsWith("loaded ")), values.toString());
        } else {
            assertNull(cache.getIfPresent("k"));
        }
    }

    /**
     * The loader's failure reaches every caller that was waiting for it, and no waiter runs the loader
     * again. Sound only if the waiters were really waiting, so the strict check runs when every other
     * caller was seen waiting for the load; a caller that came late may legitimately load.
     */
    @Test
    void callersWaitingOnAFailedLoadGetItsException() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch loaderEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IllegalStateException failure = new IllegalStateException("the load fails");
        List<Future<String>> results = startCallers(key -> {
            int n = loads.incrementAndGet();
            if (n == 1) {
                loaderEntered.countDown();
                await(release);
                throw failure;
            }
            return "loaded again " + n;
        });
        assertTrue(loaderEntered.await(10, TimeUnit.SECONDS));
        boolean allWaiting = awaitOtherCallersWaitingForTheLoad();
        release.countDown();

        List<Object> outcomes = new ArrayList<>();
        for (Future<String> result : results) {
            try {
                outcomes.add(result.get(10, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                outcomes.add(e.getCause());
            }
        }
        if (allWaiting) {
            assertEquals(1, loads.get(), () -> "waiters ran the loader again; outcomes " + outcomes);
            for (Object outcome : outcomes) {
                assertSame(failure, outcome, () -> "outcomes " + outcomes);
            }
            assertNull(cache.getIfPresent("k"));
        } else {
            assertTrue(outcomes.contains(failure), outcomes.toString());
        }
    }

    @Test
    void loadTimeDoesNotShortenTheLoadedEntrysTtl() {
        cache.get("k", key -> {
            ticker.advance(Duration.ofSeconds(3));
            return "v";
        });
        // Stored, with the default TTL, when the loader returned.
        assertEquals(TTL.toNanos(), cache.getEntryIfPresent("k").expiresInNanos());
        ticker.advance(TTL.toNanos() - 1);
        assertEquals("v", cache.getIfPresent("k"));
    }

    @Test
    void readsAndOtherKeysDoNotWaitForALoad() throws Exception {
        cache.put("other", "x");
        CountDownLatch loaderEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> loading = pool.submit(() -> cache.get("k", key -> {
            loaderEntered.countDown();
            await(release);
            return "v";
        }));
        try {
            assertTrue(loaderEntered.await(10, TimeUnit.SECONDS));
            // Reads are lock-free: they return at once, seeing the key as still absent.
            assertNull(pool.submit(() -> cache.getIfPresent("k")).get(10, TimeUnit.SECONDS));
            assertEquals("x", pool.submit(() -> cache.getIfPresent("other")).get(10, TimeUnit.SECONDS));
            assertEquals("y", pool.submit(() -> cache.get("third", key -> "y")).get(10, TimeUnit.SECONDS));
        } finally {
            release.countDown();
        }
        assertEquals("v", loading.get(10, TimeUnit.SECONDS));
        assertEquals("v", cache.getIfPresent("k"));
    }

    @Test
    void loadedValueHasTheDefaultTtlAndExpiresExactly() {
        cache.get("k", key -> "v");
        ticker.advance(TTL.toNanos() - 1);
        assertEquals("v", cache.getIfPresent("k"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
    }

    /**
     * Submits {@link #CALLERS} calls of {@code get("k", loader)} that pass a barrier together, so they
     * race for the load; their threads are recorded in {@link #callers}. One loader instance serves
     * every caller, so no lambda is linked while they race.
     */
    private List<Future<String>> startCallers(Function<String, String> loader) {
        CyclicBarrier start = new CyclicBarrier(CALLERS);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            results.add(pool.submit(() -> {
                synchronized (callers) {
                    callers.add(Thread.currentThread());
                }
                start.await();
                return cache.get("k", loader);
            }));
        }
        return results;
    }

    /**
     * Waits until every caller but the one running the loader waits for that load, so that the test
     * exercises waiting; false if that does not happen in 2 s (a caller that comes late just reads
     * or loads again, which the tests allow for).
     */
    private boolean awaitOtherCallersWaitingForTheLoad() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            List<Thread> snapshot;
            synchronized (callers) {
                snapshot = List.copyOf(callers);
            }
            if (snapshot.stream().filter(LoadingFixture::isWaitingForALoad).count() == CALLERS - 1) {
                return true;
            }
            Thread.sleep(1);
        }
        return false;
    }
}
