package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A resize runs user code under every segment lock: splitting a long bin's index builds a treap, which
 * calls the keys' compareTo (among keys of one hash). If that throws (a compareTo that throws on a
 * null field, say), the resize stops part-way: segments already split hold indexes for the doubled
 * table while the table keeps its old length. The cache must stay a correct map afterwards (at worst
 * the one call fails); here it is checked with plain puts and removes of the keys already present.
 */
class HostileFlatTableThrowingOrderTest {
    static volatile boolean armed;

    /** Comparable by id; compareTo throws while armed if either key is a bomb. */
    record B(int id, int spread, boolean bomb) implements Comparable<B> {
        @Override
        public int hashCode() {
            return HostileFlatTableProbe.hashCodeSpreadingTo(spread);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof B b && b.id == id;
        }

        @Override
        public int compareTo(B o) {
            if (armed && (bomb || o.bomb)) {
                throw new IllegalStateException("compareTo failed");
            }
            return Integer.compare(id, o.id);
        }
    }

    @Test
    void aCompareToThatThrowsDuringAResizeLeavesACorrectMap() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try {
                run();
            } finally {
                armed = false;
            }
        });
    }

    private static void run() {
        KvCache<Object, Integer> cache = KvCache.builder().build();
        int length = HostileFlatTableProbe.tableLength(cache);
        int segments = HostileFlatTableProbe.segments();
        int perRun = Math.max(9, (length * 3 / 4) / 4 - 1); // 4 runs of equal hashes, each split half > 8 nodes
        List<B> keys = new ArrayList<>();
        int id = 0;
        for (int bin : new int[] {1, 2}) { // bin 1 (segment 1) splits cleanly; bin 2 (segment 2) holds the bombs
            for (int half : new int[] {bin, bin + length}) {
                for (int i = 0; i < perRun; i++) {
                    keys.add(new B(id++, half, bin == 2));
                }
            }
        }
        for (B k : keys) {
            cache.put(k, k.id());
        }
        assertEquals(length, HostileFlatTableProbe.tableLength(cache), "no resize yet");
        armed = true;
        int filler = 3;
        RuntimeException thrown = null;
        while (thrown == null && HostileFlatTableProbe.tableLength(cache) == length && filler < 100_000) {
            if ((filler & (segments - 1)) >= 3) { // other segments only
                try {
                    cache.put(filler, filler);
                } catch (IllegalStateException e) {
                    thrown = e;
                }
            }
            filler++;
        }
        armed = false;
        assertTrue(thrown != null, "the resize split the bombs' index and called their compareTo");
        long size = cache.estimatedSize();
        List<String> wrong = new ArrayList<>();
        for (B k : keys) {
            Integer read = cache.getIfPresent(k);
            Integer previous = cache.asMap().put(k, k.id() + 1_000);
            if (read == null || read != k.id() || previous == null || previous != k.id()) {
                wrong.add(k + ": read " + read + ", put returned " + previous);
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + keys.size() + " keys wrong after the failed resize, e.g. "
                + wrong.stream().limit(3).toList());
        assertEquals(size, cache.estimatedSize(), "overwrites of present keys add no entries");
        assertEquals(size, cache.asMap().keySet().stream().distinct().count());
        for (B k : keys) {
            assertEquals(k.id() + 1_000, cache.remove(k));
        }
        assertEquals(size - keys.size(), cache.estimatedSize());
    }
}
