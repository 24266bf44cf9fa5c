package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link KvCache#policy()} reports what the builder set, and the weighted size the bound counts. */
class PolicyTest {
    private final FakeTicker ticker = new FakeTicker();

    @Test
    void anUnboundedCacheWithoutTtlReportsNeverAndNoMaximum() {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).build();
        Policy<String, String> policy = cache.policy();
        assertEquals(KvCache.NEVER, policy.timeToLive());
        assertEquals(OptionalLong.empty(), policy.maximum());
        assertFalse(policy.isWeighted());
        assertEquals(0, policy.weightedSize());
        cache.put("a", "1");
        cache.put("b", "2");
        assertEquals(2, policy.weightedSize(), "an unbounded cache weighs its entry count");
        assertSame(policy, cache.policy());
    }

    @Test
    void aSizeBoundedCacheReportsItsTtlAndMaximumSize() {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker)
                .timeToLive(Duration.ofMinutes(5)).maximumSize(100_000).build();
        Policy<String, String> policy = cache.policy();
        assertEquals(Duration.ofMinutes(5), policy.timeToLive());
        assertEquals(OptionalLong.of(100_000), policy.maximum());
        assertFalse(policy.isWeighted());
        for (int i = 0; i < 3; i++) {
            cache.put("k" + i, "v");
        }
        cache.put("k0", "overwritten");
        assertEquals(3, policy.weightedSize());
        cache.remove("k1");
        assertEquals(2, policy.weightedSize(), "a removal releases its weight at once");
    }

    @Test
    void aSizeBoundOfZeroIsStillABound() {
        Policy<Object, Object> policy = KvCache.builder().maximumSize(0).build().policy();
        assertEquals(OptionalLong.of(0), policy.maximum());
    }

    @Test
    void aWeightedCacheReportsItsMaximumWeightAndTheSumOfWeights() {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker)
                .<String, String>maximumWeight(100, (k, v) -> v.length()).build();
        Policy<String, String> policy = cache.policy();
        assertEquals(OptionalLong.of(100), policy.maximum());
        assertTrue(policy.isWeighted());
        cache.put("a", "x".repeat(10));
        cache.put("b", "x".repeat(20));
        assertEquals(30, policy.weightedSize());
        cache.put("a", "x".repeat(5)); // an overwrite replaces the old weight
        assertEquals(25, policy.weightedSize());
        for (int i = 0; i < 20; i++) {
            cache.put("f" + i, "x".repeat(30));
        }
        assertTrue(policy.weightedSize() <= 100, "within the bound: " + policy.weightedSize());
        assertTrue(policy.weightedSize() > 0);
    }

    @Test
    void expiredEntriesWeighUntilReclaimed() {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker)
                .timeToLive(Duration.ofSeconds(10)).maximumSize(10).build();
        cache.put("a", "1");
        cache.put("b", "2", KvCache.NEVER);
        ticker.advance(Duration.ofSeconds(10));
        assertEquals(2, cache.policy().weightedSize(), "counted like estimatedSize() until reclaimed");
        cache.cleanUp();
        assertEquals(1, cache.policy().weightedSize());
    }

    @Test
    void theTimeToLiveIsTheBuildersExactDuration() {
        assertEquals(Duration.ofNanos(1_500_000_001),
                KvCache.builder().timeToLive(Duration.ofNanos(1_500_000_001)).build().policy().timeToLive());
        assertEquals(KvCache.NEVER, KvCache.builder().timeToLive(KvCache.NEVER).build().policy().timeToLive());
    }

    @Test
    void theWeightedSizeOfABoundedCacheIsRefusedInsideAComputeFunction() {
        // Maintenance holding its lock may wait for the segment lock the compute function holds.
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(10).build();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> cache.asMap().compute("k", (k, v) -> Long.toString(cache.policy().weightedSize())));
        assertTrue(e.getMessage().contains("policy().weightedSize()"), e.getMessage());
        assertEquals(null, cache.getIfPresent("k"), "the refused compute changed nothing");
        assertEquals(0, cache.policy().weightedSize());
    }
}
