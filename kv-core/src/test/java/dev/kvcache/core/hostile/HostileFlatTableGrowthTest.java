package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import org.junit.jupiter.api.Test;

/**
 * Memory and growth policy of the flat table. NodeTable's doc: a resize "starts when the entries
 * pass 3/4 of the bins"; per-segment thresholds only ask for the check, and a segment whose keys
 * crowd its bins is asked again "once it alone could have filled the rest". Keys that share their low
 * bits (one segment) must not make the table grow larger than uniform keys do.
 */
class HostileFlatTableGrowthTest {

    @Test
    void skewedKeysDoNotGrowTheTableBeyondWhatUniformKeysNeed() {
        int n = 40_000;
        for (int bits : new int[] {4, 7, 10}) {
            KvCache<Object, Integer> skewed = KvCache.builder().build();
            KvCache<Object, Integer> uniform = KvCache.builder().build();
            for (int id = 0; id < n; id++) {
                skewed.put(new HostileFlatTableKeys.Ck(id, id << bits), id);
                uniform.put(id, id);
            }
            int s = HostileFlatTableProbe.tableLength(skewed);
            int u = HostileFlatTableProbe.tableLength(uniform);
            assertTrue(s <= u, "low " + bits + " bits shared: " + s + " bins against " + u + " for uniform keys");
            assertTrue(u <= 4L * n, "uniform: " + u + " bins for " + n + " entries");
            for (int id = 0; id < n; id += 97) {
                assertEquals(id, skewed.getIfPresent(new HostileFlatTableKeys.Ck(id, id << bits)));
            }
        }
    }

    @Test
    void uniformKeysNeverLoadTheTablePastThreeQuarters() {
        KvCache<Integer, Integer> cache = KvCache.builder().build();
        for (int k = 0; k < 100_000; k++) {
            cache.put(k, k);
            long len = HostileFlatTableProbe.tableLength(cache);
            assertTrue(cache.estimatedSize() <= len * 3 / 4, (k + 1) + " entries in " + len + " bins");
        }
    }

    /**
     * One segment's keys pass its share early (the check finds the table not full and rearms that
     * segment with all the headroom); then the other segments fill to just under their shares, which
     * asks nothing; then the crowded segment goes on. No check runs while the table passes 3/4, then
     * its whole size: entries pile up to about 1.5 per bin before the next doubling.
     */
    @Test
    void aCrowdedSegmentThenTheOthersDoNotLoadTheTablePastThreeQuarters() {
        KvCache<Integer, Integer> cache = KvCache.builder().build();
        int segments = HostileFlatTableProbe.segments();
        int length = HostileFlatTableProbe.tableLength(cache);
        int share = length * 3 / 4 / segments;
        int next0 = 0; // keys k * segments: all in segment 0 (Integer's hash is its value)
        for (int i = 0; i <= share; i++) {
            cache.put(next0++ * segments, 0); // passes segment 0's share: a check, table not full: rearmed
        }
        for (int s = 1; s < segments; s++) {
            for (int i = 0; i < share; i++) {
                cache.put(s + i * segments, s); // each other segment up to its share, not past it
            }
        }
        long worst = 0;
        String at = "";
        for (int i = 0; i < 4 * length; i++) {
            cache.put(next0++ * segments, 0);
            long len = HostileFlatTableProbe.tableLength(cache);
            long over = cache.estimatedSize() - len * 3 / 4;
            if (over > worst) {
                worst = over;
                at = cache.estimatedSize() + " entries in " + len + " bins (3/4 of them: " + len * 3 / 4 + ")";
            }
        }
        assertEquals(0, worst, "a resize starts when the entries pass 3/4 of the bins; worst: " + at);
    }

    @Test
    void initialCapacityHoldsThatManyEntriesWithoutAResize() {
        for (int capacity : new int[] {0, 1, 16, 47, 48, 49, 1000, 12_288, 100_000}) {
            KvCache<Integer, Integer> cache = KvCache.builder().initialCapacity(capacity).build();
            int before = HostileFlatTableProbe.tableLength(cache);
            for (int k = 0; k < capacity; k++) {
                cache.put(k * 1024, k); // all in one segment, as crowded as keys get without sharing a bin
            }
            assertEquals(before, HostileFlatTableProbe.tableLength(cache), "capacity " + capacity);
            assertEquals(capacity, cache.estimatedSize());
            assertTrue(before >= capacity * 4L / 3, "capacity " + capacity + ": " + before + " bins");
        }
    }
}
