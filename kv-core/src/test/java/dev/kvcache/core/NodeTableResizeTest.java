package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The table doubles in place while lock-free readers walk them (see {@link NodeTable}).
 * Deterministically: nothing is lost or duplicated by hundreds of splits (sizes and iteration agree
 * with what was written). Probabilistically: a reader racing the splits never misses a key present
 * for the whole run; the window in which a split can cut a reader off is a few instructions wide, so
 * a pass here is evidence, not proof, that misses are confirmed against the table reference.
 */
class NodeTableResizeTest {
    private static final int STABLE_KEYS = 2_000;

    @Test
    void readersNeverMissAKeyWhileTablesDoubleUnderThem() throws InterruptedException {
        KvCache<Integer, Integer> cache = KvCache.builder().build(); // starts small: many resizes
        for (int k = 0; k < STABLE_KEYS; k++) {
            cache.put(k, k);
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        AtomicLong misses = new AtomicLong();
        Thread reader = new Thread(() -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (writing.get()) {
                int k = random.nextInt(STABLE_KEYS);
                Integer v = cache.getIfPresent(k);
                reads.incrementAndGet();
                if (v == null || v != k) {
                    misses.incrementAndGet();
                }
            }
        });
        reader.start();
        int written = 400_000;
        int removed = 0;
        for (int k = STABLE_KEYS; k < STABLE_KEYS + written; k++) {
            cache.put(k, k);
            if ((k & 7) == 0 && k - 3 >= STABLE_KEYS) { // churn, never touching a stable key
                cache.remove(k - 3);
                removed++;
            }
        }
        writing.set(false);
        reader.join();
        assertEquals(0, misses.get(), misses + " of " + reads + " reads missed a key present throughout");
        assertTrue(reads.get() > 0);
        assertEquals(STABLE_KEYS + written - removed, cache.estimatedSize());
        assertEquals(cache.estimatedSize(), cache.asMap().keySet().stream().distinct().count(),
                "iteration after the resizes sees every key exactly once");
    }

    /**
     * The table doubles when the whole of it is 3/4 full, not when one segment's share is: keys whose
     * hashes agree in their low bits all fall in one segment's bins, and must not make the table grow
     * as if every segment held as many (that would be SEGMENTS times the memory).
     */
    @Test
    void keysCrowdingOneSegmentGrowTheTableOnlyWithTheTotal() {
        ExpiringCache<Integer, Integer> crowded = engine();
        ExpiringCache<Integer, Integer> spread = engine();
        int n = 50_000;
        for (int k = 0; k < n; k++) {
            crowded.put(crowdedKey(k), k);
            spread.put(k, k);
        }
        int spreadLength = spread.table.table.length;
        assertTrue(spreadLength <= 131_072, "spread keys: " + spreadLength + " bins for " + n);
        assertTrue(crowded.table.table.length <= spreadLength,
                "crowded keys: " + crowded.table.table.length + " bins for " + n + " (spread: " + spreadLength + ")");
        for (int k = 0; k < n; k++) {
            assertEquals(k, crowded.getIfPresent(crowdedKey(k)));
        }
        assertEquals(n, crowded.estimatedSize());
    }

    /** Each doubling waits until 3/4 of the bins are used, so the table is between 3/8 and 3/4 full. */
    @Test
    void theTableDoublesAtThreeQuartersOfItsBins() {
        ExpiringCache<Integer, Integer> cache = engine();
        int doublings = 0;
        int length = cache.table.table.length;
        for (int k = 0; k < 200_000; k++) {
            cache.put(k, k);
            int now = cache.table.table.length;
            if (now != length) {
                assertEquals(2 * length, now, "a resize doubles");
                assertTrue(k + 1 > length * 3L / 4, "doubled at " + (k + 1) + " entries, " + length + " bins");
                doublings++;
                length = now;
            }
            assertTrue(k + 1 <= length * 3L / 4 + NodeTable.SEGMENTS, (k + 1) + " entries in " + length + " bins");
        }
        assertTrue(doublings >= 10, doublings + " doublings");
    }

    /** A key whose spread hash is {@code k << 12}: the low 12 bits clear, so one segment and 1/4096 of the bins. */
    private static int crowdedKey(int k) {
        int spread = k << 12;
        int key = spread ^ (spread >>> 16); // the spread is its own inverse
        assertEquals(spread, NodeTable.hash(key));
        return key;
    }

    @SuppressWarnings("unchecked")
    private static ExpiringCache<Integer, Integer> engine() {
        KvCache<Integer, Integer> cache = KvCache.builder().build();
        return (ExpiringCache<Integer, Integer>) cache;
    }
}
