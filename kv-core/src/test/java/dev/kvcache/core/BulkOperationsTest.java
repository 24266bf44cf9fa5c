package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code getAllPresent}, {@code putAll} (both) and {@code invalidateAll(keys)}: per key as their single-key forms. */
class BulkOperationsTest {
    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();
    private final KvCache<String, String> cache = KvCache.builder().ticker(ticker)
            .timeToLive(Duration.ofSeconds(10)).removalListener(listener).recordStats().build();

    @Test
    void getAllPresentReturnsTheLiveValuesInRequestOrderAndCountsEachKey() {
        cache.put("a", "1");
        cache.put("b", "2", Duration.ofSeconds(1));
        cache.put("c", "3");
        ticker.advance(Duration.ofSeconds(1));
        Map<String, String> present = cache.getAllPresent(List.of("c", "b", "x", "a", "c"));
        assertEquals(List.of("c", "a"), new ArrayList<>(present.keySet()), "b expired at its deadline");
        assertEquals(Map.of("a", "1", "c", "3"), present);
        assertThrows(UnsupportedOperationException.class, () -> present.remove("a"));
        assertEquals(2, cache.stats().hitCount());
        assertEquals(2, cache.stats().missCount(), "b and x; the duplicate c counts once");
        assertEquals(Map.of(), cache.getAllPresent(List.of()));
        assertEquals(Map.of(), cache.getAllPresent(List.of("x")));
    }

    @Test
    void getAllPresentChecksEveryKeyBeforeLookingUp() {
        assertEquals("keys", assertThrows(NullPointerException.class, () -> cache.getAllPresent(null)).getMessage());
        assertThrows(NullPointerException.class, () -> cache.getAllPresent(Arrays.asList("a", null)));
        assertEquals(0, cache.stats().missCount(), "no key was looked up");
    }

    @Test
    void putAllStoresEachEntryWithTheDefaultTtlAsPutsDo() {
        cache.put("a", "old");
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("a", "1");
        entries.put("b", "2");
        cache.putAll(entries);
        assertEquals(Map.of("a", "1", "b", "2"), cache.asMap());
        assertEquals(Duration.ofSeconds(10), cache.getEntryIfPresent("b").expiresIn());
        listener.assertExactly(removal("a", "old", RemovalCause.REPLACED));
        assertEquals(3, cache.stats().putCount());
        cache.putAll(Map.of());
        assertEquals(3, cache.stats().putCount());
    }

    @Test
    void putAllWithATtlGivesEachEntryThatTtl() {
        cache.putAll(Map.of("a", "1", "b", "2"), Duration.ofSeconds(3));
        assertEquals(Duration.ofSeconds(3), cache.getEntryIfPresent("a").expiresIn());
        ticker.advance(Duration.ofSeconds(3));
        assertEquals(Map.of(), cache.getAllPresent(List.of("a", "b")), "both expired at 3 s");
        cache.putAll(Map.of("n", "never"), KvCache.NEVER);
        assertTrue(!cache.getEntryIfPresent("n").expires());
    }

    @Test
    void putAllChecksEverythingBeforeStoringAnything() {
        Map<String, String> withNullValue = new HashMap<>();
        withNullValue.put("a", "1");
        withNullValue.put("b", null);
        NullPointerException e = assertThrows(NullPointerException.class, () -> cache.putAll(withNullValue));
        assertEquals("entries maps b to null", e.getMessage());
        Map<String, String> withNullKey = new HashMap<>();
        withNullKey.put(null, "1");
        withNullKey.put("a", "1");
        assertEquals("entries contains a null key",
                assertThrows(NullPointerException.class, () -> cache.putAll(withNullKey)).getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> cache.putAll(Map.of("a", "1"), Duration.ofSeconds(-1)));
        assertTrue(bad.getMessage().contains("PT-1S"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cache.putAll(Map.of("a", "1"), Duration.ZERO));
        assertThrows(NullPointerException.class, () -> cache.putAll(Map.of("a", "1"), null));
        assertThrows(NullPointerException.class, () -> cache.putAll(null));
        assertEquals(0, cache.estimatedSize(), "nothing was stored");
    }

    @Test
    void putAllIntoABoundedCacheEvictsToTheBound() {
        KvCache<Integer, Integer> bounded = KvCache.builder().maximumSize(10).recordStats().build();
        Map<Integer, Integer> entries = new HashMap<>();
        for (int i = 0; i < 25; i++) {
            entries.put(i, i);
        }
        bounded.putAll(entries);
        bounded.cleanUp();
        assertEquals(10, bounded.estimatedSize());
        assertEquals(15, bounded.stats().evictionCount());
    }

    @Test
    void invalidateAllOfKeysRemovesEachListedKeyAndNotifies() {
        cache.putAll(Map.of("a", "1", "b", "2", "c", "3"));
        cache.invalidateAll(List.of("a", "c", "absent", "a"));
        assertEquals(Map.of("b", "2"), cache.asMap());
        listener.assertExactly(removal("a", "1", RemovalCause.EXPLICIT), removal("c", "3", RemovalCause.EXPLICIT));
        assertEquals(2, cache.stats().removalCount());
        assertThrows(NullPointerException.class, () -> cache.invalidateAll(Arrays.asList("b", null)));
        assertEquals("2", cache.getIfPresent("b"), "checked before removing");
        assertThrows(NullPointerException.class, () -> cache.invalidateAll((Iterable<String>) null));
    }

    @Test
    void invalidateAllOfKeysWinsOverALoadInFlight() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch loading = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger runs = new AtomicInteger();
            Future<String> load = pool.submit(() -> cache.get("k", k -> {
                int run = runs.incrementAndGet();
                if (run == 1) {
                    loading.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return "load " + run;
            }));
            assertTrue(loading.await(10, TimeUnit.SECONDS));
            cache.invalidateAll(List.of("k"));
            release.countDown();
            assertEquals("load 2", load.get(10, TimeUnit.SECONDS), "the stale load was not stored");
            assertEquals("load 2", cache.getIfPresent("k"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void bulkWritesAreRefusedInsideAComputeFunction() {
        assertThrows(IllegalStateException.class, () -> cache.asMap().compute("x", (k, v) -> {
            cache.putAll(Map.of("y", "1"));
            return "x";
        }));
        assertThrows(IllegalStateException.class, () -> cache.asMap().compute("x", (k, v) -> {
            cache.invalidateAll(List.of("y"));
            return "x";
        }));
        assertNull(cache.getIfPresent("y"));
        cache.put("y", "1");
        assertEquals("1", cache.asMap().compute("x", (k, v) -> cache.getAllPresent(List.of("y")).get("y")),
                "getAllPresent is a read");
    }
}
