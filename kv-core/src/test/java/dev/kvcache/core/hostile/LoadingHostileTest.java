package dev.kvcache.core.hostile;

import static dev.kvcache.core.testing.LoadingFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.BulkLoadException;
import dev.kvcache.core.CacheLoader;
import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadException;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.StatsCounter;
import dev.kvcache.core.testing.FakeTicker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LoadingCache and CacheLoader contracts: nulls, failures, bulk loads, dedup, refresh races, stats. */
class LoadingHostileTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void nullMeansAbsentAndIsNotRemembered() {
        AtomicInteger calls = new AtomicInteger();
        LoadingCache<String, String> cache = KvCache.builder().recordStats().build(k -> {
            calls.incrementAndGet();
            return null;
        });
        assertNull(cache.get("k"));
        assertNull(cache.get("k"));
        assertEquals(2, calls.get());
        assertEquals(Map.of(), cache.getAll(List.of("k", "j")));
        assertEquals(0, cache.estimatedSize());
        CacheStats s = cache.stats();
        assertEquals(0, s.putCount());
        assertEquals(2, s.loadFailureCount(), "a load that returned null is a failure: " + s);
        assertEquals(1, s.loadSuccessCount(), "a loadAll that returned a map is one success: " + s);
    }

    @Test
    void checkedExceptionsAreWrappedUncheckedPassUnchanged() {
        IOException io = new IOException("io");
        IllegalStateException ise = new IllegalStateException("ise");
        LoadingCache<String, String> cache = KvCache.builder().build(k -> {
            if (k.equals("io")) {
                throw io;
            }
            throw ise;
        });
        LoadException e = assertThrows(LoadException.class, () -> cache.get("io"));
        assertSame(io, e.getCause());
        assertSame(ise, assertThrows(IllegalStateException.class, () -> cache.get("x")));
        assertEquals(0, cache.estimatedSize());
    }

    /** getAll: loaded keys stored, failures named, keys not asked for ignored, duplicates once, order of keys. */
    @Test
    void getAllPartialFailure() {
        List<Set<? extends String>> calls = new CopyOnWriteArrayList<>();
        LoadingCache<String, String> cache = KvCache.builder().recordStats().build(new CacheLoader<String, String>() {
            @Override
            public String load(String key) {
                throw new AssertionError("load must not be called");
            }

            @Override
            public Map<String, String> loadAll(Set<? extends String> keys) throws Exception {
                calls.add(Set.copyOf(keys));
                throw new BulkLoadException(Map.of("a", "A", "stranger", "S"), Map.of("b", new IOException("b")));
            }
        });
        cache.put("z", "Z");
        BulkLoadException e = assertThrows(BulkLoadException.class, () -> cache.getAll(List.of("z", "a", "b", "a")));
        assertEquals(List.of(Set.of("a", "b")), calls);
        assertTrue(e.failures().containsKey("b"));
        assertEquals(Map.of("z", "Z", "a", "A"), e.loaded(), "what getAll would have returned without the failures");
        assertEquals("A", cache.getIfPresent("a"));
        assertNull(cache.getIfPresent("b"));
        assertNull(cache.getIfPresent("stranger"), "entries for keys not asked for are ignored");
        assertEquals(1, cache.stats().loadFailureCount());
    }

    @Test
    void getAllResultOrderAndIgnoredExtras() {
        LoadingCache<String, String> cache = KvCache.builder().build(new CacheLoader<String, String>() {
            @Override
            public String load(String key) {
                return key.toUpperCase();
            }

            @Override
            public Map<String, String> loadAll(Set<? extends String> keys) {
                Map<String, String> m = new java.util.HashMap<>();
                for (String k : keys) {
                    m.put(k, k.toUpperCase());
                }
                m.put("extra", "E");
                return m;
            }
        });
        cache.put("m", "M");
        Map<String, String> r = cache.getAll(List.of("q", "m", "b", "q", "a"));
        assertEquals(List.of("q", "m", "b", "a"), new ArrayList<>(r.keySet()));
        assertNull(cache.getIfPresent("extra"));
        assertThrows(UnsupportedOperationException.class, () -> r.put("x", "y"));
        assertThrows(NullPointerException.class, () -> cache.getAll(java.util.Arrays.asList("a", null)));
    }

    /** A getAll waits for a get's load of its key and sends only the other keys to loadAll. */
    @Test
    void getAllSharesAGetsLoad() throws Exception {
        CountDownLatch inLoad = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Set<? extends String>> bulk = new CopyOnWriteArrayList<>();
        AtomicInteger loads = new AtomicInteger();
        LoadingCache<String, String> cache = KvCache.builder().build(new CacheLoader<String, String>() {
            @Override
            public String load(String key) {
                loads.incrementAndGet();
                inLoad.countDown();
                await(release);
                return "slow-" + key;
            }

            @Override
            public Map<String, String> loadAll(Set<? extends String> keys) {
                bulk.add(Set.copyOf(keys));
                Map<String, String> m = new java.util.HashMap<>();
                keys.forEach(k -> m.put(k, "bulk-" + k));
                return m;
            }
        });
        Future<String> get = pool.submit(() -> cache.get("a"));
        await(inLoad);
        Future<Map<String, String>> all = pool.submit(() -> cache.getAll(List.of("a", "b")));
        Future<String> viaFunction = pool.submit(() -> cache.get("a", k -> "function"));
        // getAll's own key b is loaded at once; a waits for the get.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bulk.isEmpty() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertEquals(List.of(Set.of("b")), bulk);
        release.countDown();
        assertEquals("slow-a", get.get(10, TimeUnit.SECONDS));
        assertEquals(Map.of("a", "slow-a", "b", "bulk-b"), all.get(10, TimeUnit.SECONDS));
        assertEquals("slow-a", viaFunction.get(10, TimeUnit.SECONDS));
        assertEquals(1, loads.get());
    }

    /** A refresh's reload loses to a put made while it runs; the future gives the write's value. */
    @Test
    void refreshLosesToAWriteAndToAnInvalidation() throws Exception {
        for (boolean invalidate : new boolean[] {false, true}) {
            CountDownLatch inReload = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<RemovalCause> causes = new CopyOnWriteArrayList<>();
            LoadingCache<String, String> cache = KvCache.builder().executor(pool)
                    .<String, String>removalListener((k, v, c) -> causes.add(c))
                    .build(new CacheLoader<String, String>() {
                        @Override
                        public String load(String key) {
                            return "loaded";
                        }

                        @Override
                        public String reload(String key, String old) {
                            inReload.countDown();
                            await(release);
                            return "reloaded";
                        }
                    });
            cache.put("k", "old");
            CompletableFuture<String> f = cache.refresh("k");
            await(inReload);
            assertEquals("old", cache.getIfPresent("k"));
            if (invalidate) {
                cache.invalidateAll(List.of("k"));
            } else {
                cache.put("k", "written");
            }
            release.countDown();
            String got = f.get(10, TimeUnit.SECONDS);
            assertEquals(invalidate ? null : "written", got);
            assertEquals(invalidate ? null : "written", cache.getIfPresent("k"));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // notifications run on the executor
            while (causes.isEmpty() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertEquals(List.of(invalidate ? RemovalCause.EXPLICIT : RemovalCause.REPLACED), causes);
        }
    }

    /** A refresh while a get's load is in flight starts no new load and returns that load's future. */
    @Test
    void refreshJoinsAGetInFlight() throws Exception {
        CountDownLatch inLoad = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        LoadingCache<String, String> cache = KvCache.builder().executor(pool).build(k -> {
            loads.incrementAndGet();
            inLoad.countDown();
            await(release);
            return "v";
        });
        Future<String> get = pool.submit(() -> cache.get("k"));
        await(inLoad);
        CompletableFuture<String> f = cache.refresh("k");
        release.countDown();
        assertEquals("v", f.get(10, TimeUnit.SECONDS));
        assertEquals("v", get.get(10, TimeUnit.SECONDS));
        assertEquals(1, loads.get());
    }

    /** refresh with null removes the entry (EXPLICIT), and counts a refresh failure and a load failure. */
    @Test
    void refreshToNullRemoves() throws Exception {
        List<RemovalCause> causes = new CopyOnWriteArrayList<>();
        LoadingCache<String, String> cache = KvCache.builder().executor(Runnable::run).recordStats()
                .<String, String>removalListener((k, v, c) -> causes.add(c))
                .build(new CacheLoader<String, String>() {
                    @Override
                    public String load(String key) {
                        return null;
                    }
                });
        cache.put("k", "v");
        assertNull(cache.refresh("k").get(10, TimeUnit.SECONDS));
        assertNull(cache.getIfPresent("k"));
        assertEquals(List.of(RemovalCause.EXPLICIT), causes);
        CacheStats s = cache.stats();
        assertEquals(1, s.refreshFailureCount());
        assertEquals(0, s.refreshSuccessCount());
        assertEquals(1, s.loadFailureCount());
        assertEquals(1, s.removalCount());
    }

    /** refresh failures: the old value stays; a checked exception completes the future wrapped. */
    @Test
    void refreshFailureKeepsTheOldValue() {
        LoadingCache<String, String> cache = KvCache.builder().executor(Runnable::run).recordStats()
                .build(k -> {
                    throw new IOException("no");
                });
        cache.put("k", "v");
        CompletableFuture<String> f = cache.refresh("k");
        Throwable t = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
        assertTrue(t instanceof LoadException && t.getCause() instanceof IOException, String.valueOf(t));
        assertEquals("v", cache.getIfPresent("k"));
        assertEquals(1, cache.stats().refreshFailureCount());
        CompletableFuture<String> rejected = KvCache.builder().executor(r -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        }).build(k -> "x").refresh("k");
        assertTrue(rejected.isCompletedExceptionally());
    }

    /** Stats of a load: one miss, one put, one success; getAll of two absent keys is one loadAll. */
    @Test
    void loadStatsAreExact() {
        FakeTicker ticker = new FakeTicker();
        LoadingCache<String, String> cache = KvCache.builder().ticker(ticker).recordStats().build(k -> {
            ticker.advance(7);
            return k;
        });
        cache.get("a");
        cache.get("a");
        CacheStats s = cache.stats();
        assertEquals(1, s.hitCount());
        assertEquals(1, s.missCount());
        assertEquals(1, s.putCount());
        assertEquals(1, s.loadSuccessCount());
        assertEquals(7, s.totalLoadTimeNanos());
        cache.getAll(List.of("x", "y", "a"));
        s = cache.stats();
        assertEquals(2, s.loadSuccessCount());
        assertEquals(3, s.missCount());
        assertEquals(2, s.hitCount());
        assertEquals(3, s.putCount());
        assertEquals(21, s.totalLoadTimeNanos(), "the default loadAll calls load per key: 7 + 2 * 7");
    }

    /** A user counter that throws from every record method never reaches the caller nor disturbs the cache. */
    @Test
    void aThrowingUserCounterIsContained() throws Exception {
        StatsCounter angry = new StatsCounter() {
            @Override public void recordHit() { throw new IllegalStateException("hit"); }
            @Override public void recordMiss() { throw new IllegalStateException("miss"); }
            @Override public void recordPut() { throw new IllegalStateException("put"); }
            @Override public void recordRemoval(RemovalCause c, long w) { throw new IllegalStateException("rm"); }
            @Override public void recordLoadSuccess(long n) { throw new IllegalStateException("ls"); }
            @Override public void recordLoadFailure(long n) { throw new IllegalStateException("lf"); }
            @Override public void recordRefreshSuccess() { throw new IllegalStateException("rs"); }
            @Override public void recordRefreshFailure() { throw new IllegalStateException("rf"); }
        };
        List<String> removed = Collections.synchronizedList(new ArrayList<>());
        LoadingCache<String, String> cache = KvCache.builder().recordStats(() -> angry).maximumSize(100)
                .executor(Runnable::run).<String, String>removalListener((k, v, c) -> removed.add(k + c))
                .build(k -> k.equals("null") ? null : "v" + k);
        assertEquals("va", cache.get("a"));
        assertEquals("va", cache.get("a"));
        assertNull(cache.get("null"));
        assertEquals(Map.of("b", "vb", "c", "vc"), cache.getAll(List.of("b", "c")));
        cache.put("e", "ve");
        cache.policy().setMaximum(2); // SIZE removals, recorded by the throwing counter
        assertTrue(cache.estimatedSize() <= 2);
        cache.policy().setMaximum(100);
        cache.put("d", "vd");
        assertEquals("vx", cache.refresh("x").get(10, TimeUnit.SECONDS));
        assertEquals("vx", cache.getIfPresent("x"));
        assertEquals("vd", cache.remove("d"));
        assertFalse(removed.isEmpty());
        assertEquals(CacheStats.empty(), cache.stats());
    }
}
