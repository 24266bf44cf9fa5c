package dev.kvcache.core;

import dev.kvcache.core.testing.FakeTicker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, item 8 (memory): what overwrites retain between sweeps is bounded, counted through the
 * engine's hook rather than by timing or heap size.
 */
class RetentionTest {

    /** 2 000 000 overwrites of one key within one wheel tick (the ticker never moves). */
    @Test
    void overwritesOfOneKeyWithinATickRetainABoundedNumberOfNodes() {
        KvCache<String, Integer> cache = KvCache.builder()
                .ticker(new FakeTicker())
                .timeToLive(Duration.ofHours(1))
                .build();
        ExpiringCache<String, Integer> engine = (ExpiringCache<String, Integer>) cache;
        long most = 0;
        for (int i = 0; i < 2_000_000; i++) {
            cache.put("k", i);
            most = Math.max(most, engine.retainedNodes());
        }
        assertTrue(most <= ExpiringCache.retentionBound(1), "retained " + most + " nodes for one key");
        assertEquals(1_999_999, cache.getIfPresent("k"));
    }

    @Test
    void overwritesOfManyKeysRetainABoundedNumberOfNodes() {
        KvCache<Integer, Integer> cache = KvCache.builder()
                .ticker(new FakeTicker())
                .timeToLive(Duration.ofHours(1))
                .build();
        ExpiringCache<Integer, Integer> engine = (ExpiringCache<Integer, Integer>) cache;
        int keys = 1_000;
        long most = 0;
        for (int i = 0; i < 1_000_000; i++) {
            cache.put(i % keys, i);
            most = Math.max(most, engine.retainedNodes());
        }
        assertTrue(most <= ExpiringCache.retentionBound(keys), "retained " + most + " nodes for " + keys + " keys");
    }

    @Test
    void removeThenPutCyclesRetainABoundedNumberOfNodes() {
        KvCache<String, Integer> cache = KvCache.builder()
                .ticker(new FakeTicker())
                .timeToLive(Duration.ofHours(1))
                .build();
        ExpiringCache<String, Integer> engine = (ExpiringCache<String, Integer>) cache;
        long most = 0;
        for (int i = 0; i < 500_000; i++) {
            cache.put("k", i);
            cache.remove("k");
            most = Math.max(most, engine.retainedNodes());
        }
        assertFalse(most > ExpiringCache.retentionBound(1), "retained " + most + " nodes");
    }
}
