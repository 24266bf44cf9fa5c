package dev.kvcache.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The key sets and sequences {@link CacheBenchmark} measures with: what each row claims to do. */
class CacheBenchmarkKeysTest {

    @Test
    void scrambledKeysAreDistinctAndSpreadOverTheLongRange() {
        int n = 200_000;
        Set<Long> keys = new HashSet<>();
        int negative = 0;
        for (long i = 0; i < 2L * n; i++) {
            long key = CacheBenchmark.scramble(i);
            keys.add(key);
            if (key < 0) {
                negative++;
            }
        }
        // Present keys [0, n) and absent keys [n, 2n) never collide.
        assertEquals(2 * n, keys.size());
        // Half of a uniform spread over the long range is negative; sequential keys have none.
        assertTrue(Math.abs(negative - n) < n / 50, "negative keys: " + negative);
    }

    @Test
    void sequenceReachesEveryEntryOfLargeCaches() {
        assertEquals(1 << 20, CacheBenchmark.sequenceLength(1_000));
        assertEquals(1 << 20, CacheBenchmark.sequenceLength(1_000_000));
        assertEquals(1 << 20, CacheBenchmark.sequenceLength(1 << 20));
        assertEquals(1 << 21, CacheBenchmark.sequenceLength((1 << 20) + 1));
        assertEquals(1 << 24, CacheBenchmark.sequenceLength(10_000_000));
    }

    @Test
    void everyOverwriteChangesTheStoredValueAcrossWrapArounds() {
        int size = 1_000;
        int[] sequence = new int[1 << 12];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < sequence.length; i++) {
            sequence[i] = random.nextInt(size);
        }
        int[] ops = CacheBenchmark.alternating(sequence, size);
        assertEquals(2 * sequence.length, ops.length);
        // As the benchmark walks it: masked, wrapping around three times.
        boolean[] storesAlternate = new boolean[size];
        for (int position = 0; position < 3 * ops.length; position++) {
            int op = ops[position & (ops.length - 1)];
            int index = op >= 0 ? op : ~op;
            assertEquals(sequence[position & (sequence.length - 1)], index, "key at " + position);
            boolean writesAlternate = op < 0;
            assertNotEquals(storesAlternate[index], writesAlternate, "write " + position + " of key " + index);
            storesAlternate[index] = writesAlternate;
        }
    }
}
