package dev.kvcache.core;

import dev.kvcache.core.testing.FakeTicker;
import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, item 6: {@code asMap()}'s compute family runs its function at most once per call,
 * atomically per key (other callers for the key wait), detects a function that writes to the same
 * cache, and reports each outcome with a stated TTL, removal cause and statistics.
 */
class ComputeTest {
    private static final Duration TTL = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(TTL)
            .recordStats()
            .removalListener(listener)
            .build();
    private final ConcurrentMap<String, String> map = cache.asMap();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "a caller is still blocked in the cache");
    }

    // ---------------------------------------------------------------- at most once, callers wait

    @Test
    void computeIfAbsentRunsTheFunctionOnceWhileASecondCallerWaits() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.function.Function<String, String> function = key -> {
            if (calls.incrementAndGet() == 1) {
                entered.countDown();
                await(release);
            }
            return "computed " + calls.get();
        };
        Future<String> first = pool.submit(() -> map.computeIfAbsent("k", function));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        Future<String> second = submitAndLetItBlock(() -> map.computeIfAbsent("k", function));
        release.countDown();
        assertEquals("computed 1", first.get(10, TimeUnit.SECONDS));
        assertEquals("computed 1", second.get(10, TimeUnit.SECONDS));
        assertEquals(1, calls.get(), "the second caller must wait and find the computed value");
    }

    static Stream<Named<BiFunction<ConcurrentMap<String, String>, BiFunction<String, String, String>, String>>> remappings() {
        return Stream.of(
                Named.of("compute", (m, f) -> m.compute("k", f)),
                Named.of("computeIfPresent", (m, f) -> m.computeIfPresent("k", f)),
                Named.of("merge", (m, f) -> m.merge("k", "given", (old, given) -> f.apply("k", old))));
    }

    /** Two racing remappings of one key: each function runs once, the second on the first's result. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("remappings")
    void remappingsRunTheirFunctionOnceEachInTurn(
            BiFunction<ConcurrentMap<String, String>, BiFunction<String, String, String>, String> remap)
            throws Exception {
        cache.put("k", "0");
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BiFunction<String, String, String> increment = (key, old) -> {
            if (calls.incrementAndGet() == 1) {
                entered.countDown();
                await(release);
            }
            return String.valueOf(Integer.parseInt(old) + 1);
        };
        Future<String> first = pool.submit(() -> remap.apply(map, increment));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        Future<String> second = submitAndLetItBlock(() -> remap.apply(map, increment));
        release.countDown();
        assertEquals("1", first.get(10, TimeUnit.SECONDS));
        assertEquals("2", second.get(10, TimeUnit.SECONDS));
        assertEquals(2, calls.get(), "one run per call");
        assertEquals("2", cache.getIfPresent("k"));
    }

    // ---------------------------------------------------------------- re-entry is detected

    static Stream<Named<Consumer<KvCache<String, String>>>> writesFromInsideAFunction() {
        return Stream.of(
                Named.of("put, same key", c -> c.put("k", "inner")),
                Named.of("put, other key", c -> c.put("other", "inner")),
                Named.of("remove, other key", c -> c.remove("other")),
                Named.of("putIfAbsent, other key", c -> c.putIfAbsent("other", "inner")),
                Named.of("asMap().compute, other key", c -> c.asMap().compute("other", (k, v) -> "inner")),
                Named.of("asMap().computeIfAbsent, same key", c -> c.asMap().computeIfAbsent("k", k -> "inner")),
                Named.of("get(k, loader), absent key", c -> c.get("absent", k -> "inner")),
                Named.of("invalidateAll", KvCache::invalidateAll),
                Named.of("cleanUp", KvCache::cleanUp));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writesFromInsideAFunction")
    void aFunctionThatWritesToTheCacheIsDetected(Consumer<KvCache<String, String>> inner) throws Exception {
        cache.put("other", "o");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> map.computeIfAbsent("k", key -> {
                    inner.accept(cache);
                    return "outer";
                }));
        assertTrue(e.getMessage().contains("compute"), e.getMessage());
        assertNull(cache.getIfPresent("k"), "nothing stored by the failed compute");
        assertEquals("o", cache.getIfPresent("other"), "the inner write did not happen");
        // The key's lock was released: another thread can write it.
        assertEquals(null, pool.submit(() -> map.put("k", "after")).get(10, TimeUnit.SECONDS));
        assertEquals("after", cache.getIfPresent("k"));
    }

    @Test
    void readsFromInsideAFunctionAreAllowed() {
        cache.put("other", "o");
        assertEquals("o!", map.compute("k", (key, old) -> cache.getIfPresent("other") + "!"));
        assertEquals("o!", map.computeIfPresent("k", (key, old) -> map.get("k")));
    }

    @Test
    void aThrowingFunctionChangesNothingAndReleasesTheKey() throws Exception {
        cache.put("k", "v");
        IllegalArgumentException failure = new IllegalArgumentException("boom");
        assertSame(failure, assertThrows(IllegalArgumentException.class, () -> map.compute("k", (key, old) -> {
            throw failure;
        })));
        assertEquals("v", cache.getIfPresent("k"));
        assertEquals("v", pool.submit(() -> map.put("k", "w")).get(10, TimeUnit.SECONDS));
        listener.assertExactly(removal("k", "v", RemovalCause.REPLACED));
    }

    // ---------------------------------------------------------------- outcomes: TTL, causes, stats

    @Test
    void computeIfAbsentStoresWithTheDefaultTtl() {
        assertEquals("v", map.computeIfAbsent("k", key -> "v"));
        assertEquals(TTL.toNanos(), cache.getEntryIfPresent("k").expiresInNanos());
        assertEquals("v", map.computeIfAbsent("k", key -> fail("called for a live key")));
        assertNull(map.computeIfAbsent("absent", key -> null));
        assertNull(cache.getIfPresent("absent"));
        assertEquals(1, cache.stats().putCount());
        listener.assertExactly();
    }

    @Test
    void computingOverAnExpiredEntryReportsItExpired() {
        cache.put("k", "old");
        ticker.advance(TTL);
        assertEquals("new", map.computeIfAbsent("k", key -> "new"));
        cache.put("j", "old", Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1));
        assertNull(map.computeIfPresent("j", (key, old) -> fail("called for an expired key")));
        assertEquals("fresh", map.compute("j", (key, old) -> {
            assertNull(old, "an expired value is never given to the function");
            return "fresh";
        }));
        listener.assertExactly(removal("k", "old", RemovalCause.EXPIRED), removal("j", "old", RemovalCause.EXPIRED));
        assertEquals(2, cache.stats().expirationCount());
        assertEquals(4, cache.stats().putCount());
    }

    @Test
    void computeReplacesRemovesAndRestartsTheTtl() {
        cache.put("k", "v1");
        ticker.advance(Duration.ofSeconds(4));
        assertEquals("v2", map.compute("k", (key, old) -> old.replace('1', '2')));
        assertEquals(TTL.toNanos(), cache.getEntryIfPresent("k").expiresInNanos(), "the default TTL, restarted");
        assertNull(map.compute("k", (key, old) -> null));
        assertNull(cache.getIfPresent("k"));
        assertNull(map.compute("absent", (key, old) -> null));
        listener.assertExactly(removal("k", "v1", RemovalCause.REPLACED), removal("k", "v2", RemovalCause.EXPLICIT));
        assertEquals(2, cache.stats().putCount());
        assertEquals(1, cache.stats().removalCount());
    }

    @Test
    void computeIfPresentReplacesOrRemovesOnlyALiveEntry() {
        assertNull(map.computeIfPresent("k", (key, old) -> fail("called for an absent key")));
        cache.put("k", "v1");
        assertEquals("v2", map.computeIfPresent("k", (key, old) -> "v2"));
        assertNull(map.computeIfPresent("k", (key, old) -> null));
        assertNull(cache.getIfPresent("k"));
        listener.assertExactly(removal("k", "v1", RemovalCause.REPLACED), removal("k", "v2", RemovalCause.EXPLICIT));
    }

    @Test
    void mergeStoresCombinesAndRemoves() {
        assertEquals("a", map.merge("k", "a", (old, given) -> fail("called for an absent key")));
        assertEquals(TTL.toNanos(), cache.getEntryIfPresent("k").expiresInNanos());
        assertEquals("ab", map.merge("k", "b", String::concat));
        assertNull(map.merge("k", "c", (old, given) -> null));
        assertNull(cache.getIfPresent("k"));
        listener.assertExactly(removal("k", "a", RemovalCause.REPLACED), removal("k", "ab", RemovalCause.EXPLICIT));
        assertEquals(2, cache.stats().putCount());
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThrows(NullPointerException.class, () -> map.compute("k", null));
        assertThrows(NullPointerException.class, () -> map.computeIfAbsent("k", null));
        assertThrows(NullPointerException.class, () -> map.computeIfPresent("k", null));
        assertThrows(NullPointerException.class, () -> map.merge("k", "v", null));
        assertThrows(NullPointerException.class, () -> map.merge("k", null, String::concat));
        assertThrows(NullPointerException.class, () -> map.compute(null, (k, v) -> "v"));
    }

    /**
     * Submits {@code call} and waits until its thread blocks (on the key) or it returns; either way the
     * first caller still holds the key, so a correct cache makes it wait.
     */
    private Future<String> submitAndLetItBlock(java.util.concurrent.Callable<String> call) throws InterruptedException {
        Thread[] thread = new Thread[1];
        CountDownLatch started = new CountDownLatch(1);
        Future<String> future = pool.submit(() -> {
            thread[0] = Thread.currentThread();
            started.countDown();
            return call.call();
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!future.isDone() && thread[0].getState() != Thread.State.WAITING
                && thread[0].getState() != Thread.State.BLOCKED) {
            assertTrue(System.nanoTime() < deadline, "second caller neither blocked nor returned");
            Thread.sleep(1);
        }
        return future;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
