package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.BulkLoadException;
import dev.kvcache.core.CacheLoader;
import dev.kvcache.core.CacheStats;
import dev.kvcache.core.Expiry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.StatsCounter;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Removal weights and causes seen by a StatsCounter, loader re-entrance, bulk-load failures. */
class StatsHostileTest {

    /** recordRemoval gets "the entry's weight: what the weigher gave it"; after an in-place overwrite, the new weight. */
    @Test
    void removalWeightsFollowInPlaceOverwrites() {
        List<String> removals = new CopyOnWriteArrayList<>();
        StatsCounter striped = StatsCounter.striped();
        StatsCounter spy = new StatsCounter() {
            @Override
            public void recordRemoval(RemovalCause cause, long weight) {
                removals.add(cause + ":" + weight);
                striped.recordRemoval(cause, weight);
            }

            @Override
            public CacheStats snapshot() {
                return striped.snapshot();
            }
        };
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).recordStats(() -> spy)
                .<String, String>maximumWeight(1_000, (k, v) -> v.length()).build();
        cache.put("a", "x".repeat(10));
        cache.put("a", "x".repeat(50)); // REPLACED, weight 10
        cache.put("b", "x".repeat(7), Duration.ofNanos(5));
        ticker.advance(5);
        cache.cleanUp(); // EXPIRED, weight 7
        cache.put("c", "x".repeat(3));
        cache.remove("c"); // EXPLICIT, weight 3
        cache.policy().setMaximum(0); // SIZE, weight 50
        assertEquals(List.of("REPLACED:10", "EXPIRED:7", "EXPLICIT:3", "SIZE:50"), removals);
        CacheStats s = cache.stats();
        assertEquals(1, s.evictionCount());
        assertEquals(50, s.evictionWeight());
        assertEquals(1, s.expirationCount());
        assertEquals(1, s.removalCount());
    }

    /** Expiry: the methods "must not write to the cache, which fails with IllegalStateException"; the entry is left as it was. */
    @Test
    void anExpiryThatWritesFails() {
        KvCache<String, String>[] self = new KvCache[1];
        self[0] = KvCache.builder().ticker(new FakeTicker()).expiry(new Expiry<String, String>() {
            @Override
            public long afterCreateNanos(String key, String value) {
                if (value.equals("evil")) {
                    self[0].put("other", "x");
                }
                return 1_000;
            }
        }).build();
        self[0].put("k", "v");
        assertThrows(IllegalStateException.class, () -> self[0].put("k", "evil"));
        assertEquals("v", self[0].getIfPresent("k"));
        assertEquals(null, self[0].getIfPresent("other"));
    }

    /** afterUpdateNanos of a never-expiring entry gets remainingNanos == Long.MAX_VALUE. */
    @Test
    void remainingOfANeverEntryIsMaxValue() {
        List<Long> seen = new CopyOnWriteArrayList<>();
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).expiry(new Expiry<String, String>() {
            @Override
            public long afterCreateNanos(String key, String value) {
                return Long.MAX_VALUE;
            }

            @Override
            public long afterUpdateNanos(String key, String value, long remainingNanos) {
                seen.add(remainingNanos);
                return 10;
            }
        }).build();
        cache.put("k", "v");
        cache.put("k", "w");
        assertEquals(List.of(Long.MAX_VALUE), seen);
        assertEquals(10, cache.getEntryIfPresent("k").expiresInNanos());
    }

    /** LoadingCache.get: IllegalStateException "by the loader for the key it is loading" (not a deadlock). */
    @Test
    void aLoaderLoadingItsOwnKeyFails() {
        LoadingCache<String, String>[] self = new LoadingCache[1];
        self[0] = KvCache.builder().build(k -> self[0].get(k));
        assertThrows(IllegalStateException.class, () -> self[0].get("k"));
        assertEquals(0, self[0].estimatedSize());
        assertEquals("ok", self[0].get("k", k -> "ok"));
    }

    /** getAll throws BulkLoadException when any key failed, even when loadAll threw a plain exception for all. */
    @Test
    void aPlainLoadAllFailureFailsEveryKey() {
        IllegalStateException boom = new IllegalStateException("boom");
        LoadingCache<String, String> cache = KvCache.builder().recordStats().build(new CacheLoader<String, String>() {
            @Override
            public String load(String key) {
                return "single";
            }

            @Override
            public Map<String, String> loadAll(Set<? extends String> keys) {
                throw boom;
            }
        });
        cache.put("z", "Z");
        RuntimeException e = assertThrows(RuntimeException.class, () -> cache.getAll(List.of("a", "b", "z")));
        if (e instanceof BulkLoadException b) {
            assertEquals(Set.of("a", "b"), b.failures().keySet());
            assertSame(boom, b.failures().get("a"));
            assertEquals(Map.of("z", "Z"), b.loaded(), "getAll's loaded(): the present values and the loaded ones");
        } else {
            assertSame(boom, e, "either a BulkLoadException naming each key or the throwable itself");
        }
        assertEquals(1, cache.estimatedSize());
        assertEquals(1, cache.stats().loadFailureCount());
    }

    /** A refresh's stored value is counted as a put, a load success and a refresh success. */
    @Test
    void refreshStats() throws Exception {
        LoadingCache<String, String> cache = KvCache.builder().executor(Runnable::run).recordStats().build(k -> "n");
        cache.put("k", "o");
        assertEquals("n", cache.refresh("k").get(10, TimeUnit.SECONDS));
        CacheStats s = cache.stats();
        assertEquals(2, s.putCount());
        assertEquals(1, s.loadSuccessCount());
        assertEquals(1, s.refreshSuccessCount());
        assertEquals(0, s.refreshFailureCount());
        assertEquals(0, s.removalCount());
    }

    /** minus floors every count (the new ones too) at zero; plus saturates each at Long.MAX_VALUE. */
    @Test
    void minusAndPlusCoverTheNewFigures() {
        CacheStats big = new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9, Long.MAX_VALUE - 1, Long.MAX_VALUE, 12);
        CacheStats small = new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 11, 13);
        CacheStats d = small.minus(big);
        assertEquals(0, d.evictionWeight());
        assertEquals(0, d.refreshSuccessCount());
        assertEquals(1, d.refreshFailureCount());
        CacheStats sum = big.plus(small);
        assertEquals(Long.MAX_VALUE, sum.evictionWeight());
        assertEquals(Long.MAX_VALUE, sum.refreshSuccessCount());
        assertEquals(25, sum.refreshFailureCount());
        assertEquals(new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0), new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertThrows(IllegalArgumentException.class, () -> new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1));
    }
}
