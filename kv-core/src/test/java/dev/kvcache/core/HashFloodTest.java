package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Keys that all share one hash code (as a client of kv-http can choose them) cost O(log n) each, not
 * O(n): a long bin keeps an ordered index over its nodes (see {@link NodeTable}). Measured by counting
 * the keys' {@code equals}/{@code compareTo} calls, never by timing; the counting key aborts the run
 * as soon as the budget is spent, so the quadratic behaviour fails fast instead of running for minutes.
 */
class HashFloodTest {
    private static final int N = 100_000;
    private static final long BUDGET = (long) (40 * N * (Math.log(N) / Math.log(2)));

    /** A Comparable key with one hash code for all, counting the comparisons made on it. */
    static final class CollidingKey implements Comparable<CollidingKey> {
        static final AtomicLong comparisons = new AtomicLong();
        static volatile long budget = Long.MAX_VALUE;
        final int id;

        CollidingKey(int id) {
            this.id = id;
        }

        private static void count() {
            if (comparisons.incrementAndGet() > budget) {
                throw new AssertionError("over the budget of " + budget + " comparisons");
            }
        }

        @Override
        public int hashCode() {
            return 42;
        }

        @Override
        public boolean equals(Object o) {
            count();
            return o instanceof CollidingKey k && k.id == id;
        }

        @Override
        public int compareTo(CollidingKey o) {
            count();
            return Integer.compare(id, o.id);
        }

        @Override
        public String toString() {
            return "key" + id;
        }
    }

    /** Equal hash codes, no order: stays correct, at linear cost per operation (documented). */
    static final class IncomparableKey {
        final int id;

        IncomparableKey(int id) {
            this.id = id;
        }

        @Override
        public int hashCode() {
            return 7;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IncomparableKey k && k.id == id;
        }
    }

    @Test
    void insertingAndReadingCollidingComparableKeysCostsNLogNComparisons() {
        KvCache<CollidingKey, Integer> cache = KvCache.builder().build();
        List<CollidingKey> keys = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
            keys.add(new CollidingKey(i));
        }
        CollidingKey.comparisons.set(0);
        CollidingKey.budget = BUDGET;
        try {
            for (CollidingKey k : keys) {
                cache.put(k, k.id);
            }
            for (CollidingKey k : keys) {
                assertEquals(k.id, cache.getIfPresent(k));
            }
            assertNull(cache.getIfPresent(new CollidingKey(-1)));
        } finally {
            CollidingKey.budget = Long.MAX_VALUE;
        }
        long spent = CollidingKey.comparisons.get();
        assertTrue(spent <= BUDGET, spent + " comparisons");
        assertEquals(N, cache.estimatedSize());
        assertEquals(N, cache.asMap().size());
    }

    @Test
    void overwritesAndRemovalsOfCollidingKeysAreLogarithmicAndCorrect() {
        KvCache<CollidingKey, Integer> cache = KvCache.builder().build();
        int n = N / 4;
        for (int i = 0; i < n; i++) {
            cache.put(new CollidingKey(i), i);
        }
        CollidingKey.comparisons.set(0);
        CollidingKey.budget = (long) (40 * n * (Math.log(n) / Math.log(2)));
        try {
            for (int i = 0; i < n; i++) {
                cache.put(new CollidingKey(i), -i); // overwrite
            }
            for (int i = 0; i < n; i += 2) {
                assertEquals(-i, cache.remove(new CollidingKey(i)));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i % 2 == 0 ? null : -i, cache.getIfPresent(new CollidingKey(i)), "key " + i);
            }
        } finally {
            CollidingKey.budget = Long.MAX_VALUE;
        }
        assertEquals(n / 2, cache.estimatedSize());
        Set<Integer> ids = new HashSet<>();
        cache.asMap().keySet().forEach(k -> assertTrue(ids.add(k.id), "iterated twice: " + k));
        assertEquals(n / 2, ids.size());
        // Shrinking back to a short bin and growing again keeps every answer right.
        for (int i = 1; i < n; i += 2) {
            cache.remove(new CollidingKey(i));
        }
        assertEquals(0, cache.asMap().size());
        for (int i = 0; i < 100; i++) {
            cache.put(new CollidingKey(i), i);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i, cache.getIfPresent(new CollidingKey(i)));
        }
    }

    /** The "Aa"/"BB" construction: 2^k distinct strings of length 2k with one hash code. */
    static List<String> collidingStrings(int bits) {
        List<String> keys = new ArrayList<>(1 << bits);
        for (int i = 0; i < 1 << bits; i++) {
            StringBuilder s = new StringBuilder(2 * bits);
            for (int b = 0; b < bits; b++) {
                s.append((i >>> b & 1) == 0 ? "Aa" : "BB");
            }
            keys.add(s.toString());
        }
        return keys;
    }

    @Test
    void collidingStringsAreIndexedAndStayCorrect() {
        List<String> keys = collidingStrings(14);
        assertEquals(1, keys.stream().mapToInt(String::hashCode).distinct().count(), "the premise: one hash");
        KvCache<String, Integer> cache = KvCache.builder().build();
        for (int i = 0; i < keys.size(); i++) {
            cache.put(keys.get(i), i);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(i, cache.getIfPresent(keys.get(i)));
        }
        for (int i = 0; i < keys.size(); i += 3) {
            cache.remove(keys.get(i));
        }
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(i % 3 == 0 ? null : i, cache.getIfPresent(keys.get(i)));
        }
        assertEquals(keys.size() - (keys.size() + 2) / 3, cache.asMap().size());
    }

    /** Strings cannot count their comparisons; the index's depth shows that a lookup is O(log n). */
    @Test
    void aTableFloodedWithCollidingStringsIndexesTheirBinLogarithmically() {
        List<String> keys = collidingStrings(14);
        NodeTable<String, Integer> table = new NodeTable<>(16);
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            int hash = NodeTable.hash(key);
            Segment<String, Integer> segment = table.segmentFor(hash);
            segment.lock();
            try {
                assertNull(segment.find(key, hash));
                segment.link(new Node<>(hash, key, i, Ttl.NEVER_NANOS), null);
            } finally {
                segment.unlock();
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            Node<String, Integer> node = table.get(keys.get(i), NodeTable.hash(keys.get(i)));
            assertEquals(keys.get(i), node == null ? null : node.key);
        }
        int depth = table.indexDepth(keys.get(0));
        double log2 = Math.log(keys.size()) / Math.log(2);
        assertTrue(depth > 0 && depth <= 4 * log2, "the bin's index has depth " + depth + " for " + keys.size() + " keys");
    }

    @Test
    void collidingKeysWithoutAnOrderStayCorrect() {
        KvCache<IncomparableKey, Integer> cache = KvCache.builder().build();
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            cache.put(new IncomparableKey(i), i);
        }
        for (int i = 0; i < n; i += 2) {
            cache.remove(new IncomparableKey(i));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(i % 2 == 0 ? null : i, cache.getIfPresent(new IncomparableKey(i)));
        }
        assertEquals(n / 2, cache.asMap().size());
    }

    /** Lock-free readers of a long bin never miss a key present throughout while writers change the bin. */
    @Test
    void readersOfAnIndexedBinNeverMissAStableKey() throws InterruptedException {
        KvCache<CollidingKey, Integer> cache = KvCache.builder().build();
        int stable = 500;
        for (int i = 0; i < stable; i++) {
            cache.put(new CollidingKey(i), i);
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong misses = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        Thread reader = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                int id = i % stable;
                Integer v = cache.getIfPresent(new CollidingKey(id));
                reads.incrementAndGet();
                if (v == null || v != id) {
                    misses.incrementAndGet();
                }
            }
        });
        reader.start();
        for (int round = 0; round < 20; round++) {
            for (int i = stable; i < stable + 2_000; i++) {
                cache.put(new CollidingKey(i), i);
            }
            for (int i = 0; i < stable; i += 7) {
                cache.put(new CollidingKey(i), i); // overwrite with the same value
            }
            for (int i = stable; i < stable + 2_000; i++) {
                cache.remove(new CollidingKey(i));
            }
        }
        writing.set(false);
        reader.join();
        assertEquals(0, misses.get(), misses + " of " + reads + " reads missed a stable key");
        assertEquals(stable, cache.asMap().size());
    }

    /** A key with a chosen hash code, ordered by id. */
    record HashedKey(int hash, int id) implements Comparable<HashedKey> {
        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public int compareTo(HashedKey o) {
            return Integer.compare(id, o.id);
        }
    }

    /**
     * Distinct hashes that agree in their low bits and land in one segment share a bin until the
     * table outgrows those bits: the bin's index must split with it, again and again, and stay right.
     */
    @Test
    void indexedBinsOfDistinctHashesSplitAsTheTableGrows() {
        NodeTable<Object, Object> probe = new NodeTable<>(16);
        List<HashedKey> keys = new ArrayList<>();
        Segment<Object, Object> segment = null;
        for (int h = 1; keys.size() < 4_000; h++) {
            int spread = NodeTable.hash(h);
            if ((spread & 0x3F) != 0) {
                continue; // low 6 bits equal: one bin until the segment's table has 128 bins
            }
            if (segment == null) {
                segment = probe.segmentFor(spread);
            }
            if (probe.segmentFor(spread) == segment) {
                keys.add(new HashedKey(h, keys.size()));
                keys.add(new HashedKey(h, keys.size())); // and a collision on the full hash
            }
        }
        KvCache<HashedKey, Integer> cache = KvCache.builder().build();
        for (HashedKey k : keys) {
            cache.put(k, k.id());
            assertEquals(k.id(), cache.getIfPresent(k));
        }
        for (HashedKey k : keys) {
            assertEquals(k.id(), cache.getIfPresent(k), k::toString);
        }
        for (HashedKey k : keys) {
            if (k.id() % 3 == 0) {
                assertEquals(k.id(), cache.remove(k));
            } else if (k.id() % 3 == 1) {
                cache.put(k, -k.id());
            }
        }
        for (HashedKey k : keys) {
            Integer expected = k.id() % 3 == 0 ? null : k.id() % 3 == 1 ? -k.id() : k.id();
            assertEquals(expected, cache.getIfPresent(k), k::toString);
        }
        Set<HashedKey> iterated = new HashSet<>(cache.asMap().keySet());
        assertEquals(cache.asMap().size(), iterated.size());
        assertEquals(keys.size() - (keys.size() + 2) / 3, iterated.size());
    }
}
