package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Long (indexed) bins and keys whose equality crosses classes. KvCache's doc: colliding keys cost
 * O(log n) when their class implements Comparable, O(n) otherwise, and "an order inconsistent with
 * equals costs time ... never correctness". Java lets a subclass instance equal a superclass instance
 * (BigInteger.equals uses instanceof, and so do most hand-written equals); HashMap and
 * ConcurrentHashMap find such keys in their tree bins (comparableClassFor of the subclass is null, so
 * they search both sides).
 */
class HostileFlatTableIndexKeysTest {

    /** Colliding (one hash), Comparable, equal by id to any P, subclass instances included. */
    static class P implements Comparable<P> {
        final int id;

        P(int id) {
            this.id = id;
        }

        @Override
        public int hashCode() {
            return 7;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof P p && p.id == id;
        }

        @Override
        public int compareTo(P o) {
            return Integer.compare(id, o.id);
        }

        @Override
        public String toString() {
            return getClass().getSimpleName() + id;
        }
    }

    /** Equal to the P of the same id (and it to this); P's compareTo; not itself "C implements Comparable<C>". */
    static final class Q extends P {
        Q(int id) {
            super(id);
        }
    }

    @Test
    void anEqualKeyOfASubclassFindsTheEntryInAFloodedBin() {
        KvCache<P, Integer> cache = KvCache.builder().build();
        Map<P, Integer> model = new HashMap<>();
        for (int i = 0; i < 40; i++) { // one bin of 40 nodes: indexed (past 16)
            cache.put(new P(i), i);
            model.put(new P(i), i);
        }
        assertEquals(model.get(new Q(5)), 5, "HashMap finds it");
        assertEquals(5, cache.getIfPresent(new Q(5)), "an equal key (subclass) must find the entry");
        assertEquals(5, cache.asMap().get(new Q(5)));
        assertTrue(cache.asMap().containsKey(new Q(5)));
    }

    @Test
    void aWriteWithAnEqualSubclassKeyDoesNotMakeASecondMapping() {
        KvCache<P, Integer> cache = KvCache.builder().build();
        for (int i = 0; i < 40; i++) {
            cache.put(new P(i), i);
        }
        Integer previous = cache.asMap().put(new Q(5), 500);
        assertEquals(5, previous, "put of an equal key replaces the mapping and returns the old value");
        assertEquals(40, cache.asMap().size(), "still one mapping per key");
        assertEquals(500, cache.getIfPresent(new P(5)));
    }

    @Test
    void anEntryStoredUnderASubclassKeyIsFoundByAnEqualSuperclassKey() {
        KvCache<P, Integer> cache = KvCache.builder().build();
        cache.put(new Q(5), 5); // first in its bin: not the index's key class
        for (int i = 0; i < 40; i++) {
            if (i != 5) {
                cache.put(new P(i), i);
            }
        }
        assertEquals(5, cache.getIfPresent(new P(5)));
        assertEquals(5, cache.remove(new P(5)), "remove of an equal key removes the entry");
        assertNull(cache.getIfPresent(new Q(5)));
        assertEquals(39, cache.estimatedSize());
    }

    /** The same with a JDK class: BigInteger is not final and its equals takes any BigInteger. */
    @Test
    void aBigIntegerSubclassFindsItsEqualBigIntegerInAFloodedBin() {
        KvCache<BigInteger, Integer> cache = KvCache.builder().build();
        for (int k = 1; k <= 40; k++) {
            // BigInteger.valueOf(v).hashCode() == v for small positive v; k << 10 keeps the low 10 bits
            // (after the table's spreading) zero: one bin of 40 while the table has at most 1024 bins.
            cache.put(BigInteger.valueOf(k << 10), k);
        }
        BigInteger sub = new BigInteger(String.valueOf(5 << 10)) { };
        assertEquals(BigInteger.valueOf(5 << 10), sub);
        assertEquals(sub, BigInteger.valueOf(5 << 10));
        assertEquals(5, new HashMap<>(cache.asMap()).get(sub), "HashMap finds it");
        assertEquals(5, cache.getIfPresent(sub));
    }
}
