package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link Policy#setMaximum}, {@link Policy#hottest} and {@link Policy#coldest}. */
class PolicyAtRunTimeTest {
    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<Integer, String> listener = new RecordingListener<>();

    private KvCache<Integer, String> sized(long maximum) {
        return KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10)).maximumSize(maximum)
                .removalListener(listener).recordStats().build();
    }

    @Test
    void aLoweredMaximumIsRestoredOnTheCallingThreadWithSizeEvictions() {
        KvCache<Integer, String> cache = sized(100);
        for (int i = 0; i < 50; i++) {
            cache.put(i, "v" + i);
        }
        cache.policy().setMaximum(10);
        assertEquals(OptionalLong.of(10), cache.policy().maximum());
        assertEquals(10, cache.policy().weightedSize(), "evicted before setMaximum returned");
        assertEquals(40, listener.count(RemovalCause.SIZE));
        cache.cleanUp();
        assertEquals(10, cache.estimatedSize());
        assertEquals(10, cache.asMap().size());
        CacheStats stats = cache.stats();
        assertEquals(40, stats.evictionCount());
        assertEquals(40, stats.evictionWeight());
        assertEquals(listener.size(), listener.count(RemovalCause.SIZE), "only evictions");
        cache.put(100, "new");
        cache.cleanUp();
        assertEquals(10, cache.estimatedSize(), "later writes are held to the new bound");
    }

    @Test
    void aRaisedMaximumEvictsNothingAndHoldsMore() {
        KvCache<Integer, String> cache = sized(10);
        cache.policy().setMaximum(1_000);
        for (int i = 0; i < 500; i++) {
            cache.put(i, "v");
        }
        cache.cleanUp();
        assertEquals(500, cache.estimatedSize());
        assertEquals(0, listener.size());
    }

    @Test
    void aMaximumOfZeroEmptiesTheCache() {
        KvCache<Integer, String> cache = sized(10);
        cache.put(1, "a");
        cache.put(2, "b");
        cache.policy().setMaximum(0);
        assertEquals(0, cache.estimatedSize());
        assertEquals(2, listener.count(RemovalCause.SIZE));
    }

    @Test
    void aWeightedCacheShrinksByWeightAndCountsTheEvictedWeight() {
        RecordingListener<String, String> removals = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker)
                .<String, String>maximumWeight(1_000, (k, v) -> v.length())
                .removalListener(removals).recordStats().build();
        for (int i = 0; i < 20; i++) {
            cache.put("k" + i, "x".repeat(10 + i)); // weights 10..29, 390 in all
        }
        cache.policy().setMaximum(100);
        cache.cleanUp();
        long held = cache.policy().weightedSize();
        assertTrue(held <= 100, "weight " + held + " over the new bound");
        long evictedWeight = removals.removals().stream().mapToLong(r -> r.value().length()).sum();
        assertEquals(390 - held, evictedWeight);
        assertEquals(evictedWeight, cache.stats().evictionWeight());
        assertEquals(removals.size(), cache.stats().evictionCount());
        assertTrue(cache.policy().isWeighted());
    }

    @Test
    void hotAndColdOrderTheSmallQueueByAccessCountThenRecency() {
        KvCache<Integer, String> cache = sized(100);
        for (int i = 1; i <= 5; i++) {
            cache.put(i, "v");
        }
        cache.getIfPresent(3);
        cache.getIfPresent(3);
        cache.getIfPresent(1);
        assertEquals(List.of(3, 1, 5, 4, 2), cache.policy().hottest(5));
        assertEquals(List.of(2, 4, 5, 1, 3), cache.policy().coldest(5));
        assertEquals(List.of(3, 1), cache.policy().hottest(2));
        assertEquals(List.of(2, 4), cache.policy().coldest(2));
        assertEquals(List.of(3, 1, 5, 4, 2), cache.policy().hottest(Integer.MAX_VALUE));
        assertEquals(List.of(), cache.policy().hottest(0));
        assertEquals(List.of(3, 1, 5, 4, 2), cache.policy().hottest(5), "listing is not an access");
    }

    @Test
    void theMainQueueIsHotterThanTheSmallOne() {
        KvCache<Integer, String> cache = sized(10); // the small queue's share is 1
        for (int i = 0; i < 10; i++) {
            cache.put(i, "v");
        }
        cache.getIfPresent(0);
        cache.getIfPresent(1);
        cache.put(10, "v"); // over the bound: 0 and 1 (read) move to main, 2 (unread) is evicted
        assertEquals(List.of(2), listener.removals().stream().map(RecordingListener.Removal::key).toList());
        for (int i = 0; i < 3; i++) {
            cache.getIfPresent(0);
        }
        List<Integer> hottest = cache.policy().hottest(10);
        assertEquals(List.of(0, 1, 10, 9, 8, 7, 6, 5, 4, 3), hottest);
        List<Integer> reversed = new ArrayList<>(hottest);
        Collections.reverse(reversed);
        assertEquals(reversed, cache.policy().coldest(10));
        assertEquals(3, cache.policy().coldest(1).get(0), "the next entry S3-FIFO would evict");
    }

    @Test
    void expiredAndRemovedKeysAreNotListed() {
        KvCache<Integer, String> cache = sized(100);
        cache.put(1, "short", Duration.ofSeconds(1));
        cache.put(2, "v");
        cache.put(3, "v");
        cache.remove(3);
        cache.put(2, "overwritten"); // keeps its place, listed once
        ticker.advance(Duration.ofSeconds(1));
        assertEquals(List.of(2), cache.policy().hottest(10));
        assertEquals(List.of(2), cache.policy().coldest(10));
    }

    @Test
    void badArgumentsAndUnboundedCachesAreRefusedWithTheValue() {
        KvCache<Integer, String> cache = sized(10);
        assertEquals("maximum must be >= 0, was -1",
                assertThrows(IllegalArgumentException.class, () -> cache.policy().setMaximum(-1)).getMessage());
        assertEquals("n must be >= 0, was -2",
                assertThrows(IllegalArgumentException.class, () -> cache.policy().hottest(-2)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> cache.policy().coldest(-1));
        assertEquals(OptionalLong.of(10), cache.policy().maximum(), "unchanged");
        Policy<Object, Object> unbounded = KvCache.builder().build().policy();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> unbounded.setMaximum(10));
        assertTrue(e.getMessage().contains("unbounded"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> unbounded.hottest(1));
        assertThrows(UnsupportedOperationException.class, () -> unbounded.coldest(1));
        assertEquals(OptionalLong.empty(), unbounded.maximum());
    }

    @Test
    void policyChangesAreRefusedInsideAComputeFunction() {
        KvCache<Integer, String> cache = sized(10);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.asMap().compute(1, (k, v) -> {
            cache.policy().setMaximum(5);
            return "v";
        }));
        assertTrue(e.getMessage().contains("policy().setMaximum"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> cache.asMap().compute(1, (k, v) -> cache.policy().hottest(1).toString()));
        assertEquals(OptionalLong.of(10), cache.policy().maximum());
    }

    @Test
    void toStringShowsTheCurrentMaximum() {
        KvCache<Integer, String> cache = sized(10);
        cache.policy().setMaximum(7);
        assertTrue(cache.policy().toString().contains("maximum=7 (entries)"), cache.policy().toString());
    }
}
