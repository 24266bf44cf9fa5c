package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheLoader;
import dev.kvcache.core.CacheStats;
import dev.kvcache.core.Expiry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadException;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.core.testing.LoadingFixture.Caller;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A power user's attack on {@link LoadingCache#refresh}: what its future completes with, and what a
 * {@code get} or {@code getAll} that joined a refresh gets when that refresh stores nothing.
 */
class HostileRefreshTest {
    private final FakeTicker ticker = new FakeTicker();
    /** Tasks handed to the cache's executor, run when a test says so. */
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final CacheLoader<String, String> counting = key -> "v" + loads.incrementAndGet();

    private LoadingCache<String, String> cache(Executor executor, CacheLoader<String, String> loader) {
        return KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10)).executor(executor).build(loader);
    }

    private void runTasks() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            task.run();
        }
    }

    /** {@link #counting}, whose first load signals {@code started} and waits for {@code release}. */
    private CacheLoader<String, String> blockingFirst(CountDownLatch started, CountDownLatch release) {
        return key -> {
            int n = loads.incrementAndGet();
            if (n == 1) {
                started.countDown();
                assertTrue(release.await(10, TimeUnit.SECONDS));
            }
            return "v" + n;
        };
    }

    /**
     * LoadingCache.get returns null only "if the loader returned null", and a load a removal made stale
     * "runs again after the removal". A get that joined a refresh of its absent key got null instead
     * when a remove(key) won over that refresh, although the loader had returned a value.
     */
    @Test
    void aGetThatJoinedARefreshARemovalDroppedLoadsAgain() throws Exception {
        CountDownLatch reloading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(r -> new Thread(r).start(), blockingFirst(reloading, release));
        CompletableFuture<String> refreshed = cache.refresh("k"); // absent: a load, run on the executor
        assertTrue(reloading.await(10, TimeUnit.SECONDS));
        Caller get = new Caller(() -> cache.get("k"));
        get.awaitWaitingForALoad();
        cache.remove("k"); // wins over the refresh
        release.countDown();
        refreshed.get(10, TimeUnit.SECONDS);
        assertNull(refreshed.get(), "the refresh's future gives what the removal left");
        assertEquals("v2", get.outcome(), "the get loaded again after the removal");
        assertEquals("v2", cache.getIfPresent("k"));
        assertEquals(2, loads.get());
    }

    /** As above for getAll: the key was left out of the map as if the loader had found no value. */
    @Test
    void aGetAllThatJoinedARefreshARemovalDroppedLoadsThatKeyAgain() throws Exception {
        CountDownLatch reloading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(r -> new Thread(r).start(), blockingFirst(reloading, release));
        CompletableFuture<String> refreshed = cache.refresh("k");
        assertTrue(reloading.await(10, TimeUnit.SECONDS));
        Caller getAll = new Caller(() -> cache.getAll(List.of("k")));
        getAll.awaitWaitingForALoad();
        cache.invalidateAll();
        release.countDown();
        refreshed.get(10, TimeUnit.SECONDS);
        assertEquals(Map.of("k", "v2"), getAll.outcome());
        assertEquals("v2", cache.getIfPresent("k"));
    }

    /**
     * The executor's RejectedExecutionException is the refresh's failure, not a loader's: a get that
     * joined the refresh before the executor refused it got that exception thrown, although
     * LoadingCache says only a loader's failures reach the callers sharing a load. Such a get now runs
     * the refresh nobody started, so the refusal fails nothing.
     */
    @Test
    void aGetThatJoinedARefusedRefreshLoadsItself() throws Exception {
        AtomicReference<Caller> get = new AtomicReference<>();
        AtomicReference<LoadingCache<String, String>> cache = new AtomicReference<>();
        cache.set(cache(task -> {
            get.set(new Caller(() -> cache.get().get("k")));
            try {
                get.get().awaitDoneOrWaitingForALoad();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            throw new RejectedExecutionException("saturated");
        }, counting));
        CompletableFuture<String> refreshed = cache.get().refresh("k");
        assertEquals("v1", get.get().outcome(), "the get ran the loader itself");
        assertEquals("v1", refreshed.get(10, TimeUnit.SECONDS), "the get ran the refresh it joined");
        assertEquals(1, loads.get());
        assertEquals("v1", cache.get().getIfPresent("k"));
    }

    /**
     * refresh's future "completes exceptionally with what the loader threw (a checked exception wrapped
     * in a LoadException), or with the executor's RejectedExecutionException". It completed with a
     * CompletionException around it instead (a copy() of the shared load), which is what handle,
     * exceptionally and whenComplete were given.
     */
    @Test
    void aFailedRefreshsFutureCompletesWithTheFailureItself() throws Exception {
        IOException io = new IOException("backend down");
        LoadingCache<String, String> cache = cache(tasks::add, new CacheLoader<>() {
            @Override
            public String load(String key) {
                return "old";
            }

            @Override
            public String reload(String key, String oldValue) throws IOException {
                throw io;
            }
        });
        cache.get("k");
        CompletableFuture<String> refreshed = cache.refresh("k");
        runTasks();
        Throwable failure = refreshed.handle((v, e) -> e).join();
        assertSame(io, assertInstanceOf(LoadException.class, failure).getCause());
        assertEquals("old", cache.getIfPresent("k"));

        IllegalStateException unchecked = new IllegalStateException("bad row");
        LoadingCache<String, String> failing = cache(tasks::add, key -> {
            throw unchecked;
        });
        CompletableFuture<String> joinedLater = failing.refresh("x");
        CompletableFuture<String> joined = failing.refresh("x"); // shares the first one's load
        runTasks();
        assertSame(unchecked, joinedLater.handle((v, e) -> e).join());
        assertSame(unchecked, joined.handle((v, e) -> e).join());

        RejectedExecutionException refused = new RejectedExecutionException("shut down");
        LoadingCache<String, String> refusing = cache(task -> {
            throw refused;
        }, counting);
        assertSame(refused, refusing.refresh("k").handle((v, e) -> e).join());
    }

    /** The caller's future stays its own: completing it does not complete the shared refresh. */
    @Test
    void completingTheReturnedFutureLeavesTheRefreshAlone() throws Exception {
        LoadingCache<String, String> cache = cache(tasks::add, counting);
        CompletableFuture<String> first = cache.refresh("k");
        CompletableFuture<String> second = cache.refresh("k");
        first.completeExceptionally(new IllegalStateException("caller's own"));
        second.cancel(true);
        runTasks();
        assertEquals("v1", cache.getIfPresent("k"));
        cache.refresh("k");
        assertEquals(1, tasks.size(), "the refresh finished: a new one starts a new reload");
    }

    /**
     * CacheStats.refreshSuccessCount counts refreshes "stored unless a write won". A refresh whose
     * store failed (its expiry function threw for the new value) stored nothing, no write won, and it
     * was still counted a success, and not a failure.
     */
    @Test
    void aRefreshWhoseStoreFailsIsCountedAFailure() throws Exception {
        IllegalStateException refused = new IllegalStateException("no TTL for this value");
        Expiry<String, String> expiry = new Expiry<>() {
            @Override
            public long afterCreateNanos(String key, String value) {
                return Duration.ofSeconds(10).toNanos();
            }

            @Override
            public long afterUpdateNanos(String key, String value, long remainingNanos) {
                if (value.equals("v2")) {
                    throw refused;
                }
                return remainingNanos;
            }
        };
        LoadingCache<String, String> cache = KvCache.builder().ticker(ticker).expiry(expiry)
                .executor(tasks::add).recordStats().build(counting);
        cache.get("k");
        CompletableFuture<String> refreshed = cache.refresh("k");
        runTasks();
        assertSame(refused, refreshed.handle((v, e) -> e).join());
        assertEquals("v1", cache.getIfPresent("k"), "the old value stays");
        CacheStats stats = cache.stats();
        assertEquals(0, stats.refreshSuccessCount());
        assertEquals(1, stats.refreshFailureCount());
        assertEquals(2, stats.loadSuccessCount(), "the loader did return a value");
    }

    /**
     * A get that joined a refresh still queued on the executor waited for a task that could only run
     * after the executor's busy thread finished, and that thread (a reload whose loader got another
     * key) waited for the get: a deadlock of loads that do not wait for their own keys. A refresh
     * nobody started is now run by the first caller that would wait for it.
     */
    @Test
    void aGetJoiningARefreshStillQueuedBehindABusyExecutorRunsItInsteadOfDeadlocking() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "refresher");
            t.setDaemon(true); // on a regression it stays parked
            return t;
        });
        CountDownLatch aReloading = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        AtomicReference<LoadingCache<String, String>> ref = new AtomicReference<>();
        LoadingCache<String, String> cache = cache(single, key -> switch (key) {
            case "a" -> {
                aReloading.countDown();
                assertTrue(releaseA.await(10, TimeUnit.SECONDS));
                yield "a+" + ref.get().get("b"); // the executor's thread waits for b
            }
            case "b" -> "b+" + ref.get().get("c"); // b's loader waits for c's refresh
            default -> "C";
        });
        ref.set(cache);
        try {
            CompletableFuture<String> a = cache.refresh("a");
            assertTrue(aReloading.await(10, TimeUnit.SECONDS));
            CompletableFuture<String> c = cache.refresh("c"); // queued behind a's reload
            Caller b = new Caller(() -> cache.get("b"));
            b.awaitDoneOrWaitingForALoad();
            releaseA.countDown();
            assertEquals("b+C", b.outcome());
            assertEquals("a+b+C", a.get(10, TimeUnit.SECONDS));
            assertEquals("C", c.get(10, TimeUnit.SECONDS));
            assertEquals(Map.of("a", "a+b+C", "b", "b+C", "c", "C"), Map.copyOf(cache.asMap()));
        } finally {
            single.shutdownNow();
        }
    }
}
