package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile keys (colliding, badly ordered, throwing), hostile values, and views under concurrent writes. */
class HostileKeysAndViewsTest {

    /** Same hash; Comparable, ordered by group only (inconsistent with equals). */
    record Grouped(int id, int group) implements Comparable<Grouped> {
        @Override public int hashCode() { return 42; }
        @Override public int compareTo(Grouped o) { return Integer.compare(group, o.group); }
    }

    /** Same hash, not Comparable. */
    record Plain(int id) {
        @Override public int hashCode() { return 42; }
    }

    /** Same hash, Comparable among themselves, a different class from Grouped (mixing them in one bin). */
    record Other(int id) implements Comparable<Other> {
        @Override public int hashCode() { return 42; }
        @Override public int compareTo(Other o) { return Integer.compare(id, o.id); }
    }

    /** Same low bits, different high bits: one bin, several hashes. */
    record HighBits(int id) implements Comparable<HighBits> {
        @Override public int hashCode() { return (id % 7) << 24; }
        @Override public int compareTo(HighBits o) { return Integer.compare(id, o.id); }
    }

    /** A Comparable whose compareTo throws while {@link #POISON} is set. */
    record Throwing(int id) implements Comparable<Throwing> {
        static final AtomicBoolean POISON = new AtomicBoolean();
        @Override public int hashCode() { return 7; }
        @Override public int compareTo(Throwing o) {
            if (POISON.get()) {
                throw new IllegalStateException("compareTo refused");
            }
            return Integer.compare(id, o.id);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"grouped", "plain", "mixed", "highbits"})
    void collidingKeysBehaveAsAHashMap(String kind) {
        IntFunction<Object> key = switch (kind) {
            case "grouped" -> i -> new Grouped(i, i % 3);
            case "plain" -> Plain::new;
            case "mixed" -> i -> switch (i % 3) {
                case 0 -> new Grouped(i, i % 5);
                case 1 -> new Other(i);
                default -> new Plain(i);
            };
            default -> HighBits::new;
        };
        KvCache<Object, Integer> cache = KvCache.builder().ticker(new FakeTicker()).build();
        ConcurrentMap<Object, Integer> map = cache.asMap();
        Map<Object, Integer> model = new HashMap<>();
        Random r = new Random(kind.hashCode());
        for (int op = 0; op < 20_000; op++) {
            Object k = key.apply(r.nextInt(300));
            int v = r.nextInt(1000);
            switch (r.nextInt(6)) {
                case 0, 1 -> assertEquals(model.put(k, v), map.put(k, v), "put " + k);
                case 2 -> assertEquals(model.remove(k), map.remove(k), "remove " + k);
                case 3 -> assertEquals(model.putIfAbsent(k, v), map.putIfAbsent(k, v), "putIfAbsent " + k);
                case 4 -> assertEquals(model.computeIfPresent(k, (x, y) -> y + 1), map.computeIfPresent(k, (x, y) -> y + 1));
                default -> assertEquals(model.get(k), map.get(k), "get " + k);
            }
        }
        assertEquals(model, map);
        assertEquals(model.size(), map.size());
        assertEquals(new HashSet<>(model.keySet()), new HashSet<>(map.keySet()));
        map.keySet().removeIf(k -> k.toString().contains("1"));
        model.keySet().removeIf(k -> k.toString().contains("1"));
        assertEquals(model, map);
        for (Object k : new ArrayList<>(model.keySet())) {
            assertEquals(model.get(k), cache.getIfPresent(k));
        }
    }

    /** A compareTo that throws reaches the caller (as in ConcurrentHashMap) but must not corrupt the bin. */
    @Test
    void aThrowingCompareToLeavesTheCacheConsistent() throws Exception {
        KvCache<Throwing, Integer> cache = KvCache.builder().ticker(new FakeTicker()).build();
        for (int i = 0; i < 100; i++) {
            cache.put(new Throwing(i), i);
        }
        Throwing.POISON.set(true);
        try {
            for (int i = 0; i < 200; i += 3) {
                int id = i;
                try {
                    if (i % 2 == 0) {
                        cache.put(new Throwing(id), -id);
                    } else {
                        cache.remove(new Throwing(id));
                    }
                } catch (IllegalStateException expected) {
                    // the key's own compareTo refused: acceptable
                }
            }
        } finally {
            Throwing.POISON.set(false);
        }
        // Whatever each refused write did, it did all or nothing, and the lock was released.
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            other.submit(() -> cache.put(new Throwing(1_000), 1)).get(5, TimeUnit.SECONDS);
        } finally {
            other.shutdownNow();
        }
        int live = 0;
        for (int i = 0; i < 200; i++) {
            Integer v = cache.getIfPresent(new Throwing(i));
            if (v != null) {
                live++;
                assertTrue(v == i || v == -i, i + " -> " + v);
            }
            assertEquals(v != null, cache.asMap().containsKey(new Throwing(i)));
        }
        assertEquals(live + 1, cache.asMap().size());
        assertEquals(live + 1, cache.estimatedSize());
    }

    /** A removal by looking removes only the value looked at, even when looking itself rewrites the entry. */
    @Test
    void removalsDecidedByLookingSpareAValueWrittenWhileLooking() {
        KvCache<String, Object> cache = KvCache.builder().ticker(new FakeTicker()).build();
        ConcurrentMap<String, Object> map = cache.asMap();
        // values().remove(v): v.equals() rewrites the key it is being compared with
        Object hostile = new Object() {
            @Override public boolean equals(Object o) {
                if ("old".equals(o)) {
                    map.put("k", "new");
                    return true;
                }
                return false;
            }
            @Override public int hashCode() { return 1; }
        };
        map.put("k", "old");
        map.values().remove(hostile);
        assertEquals("new", map.get("k"), "values().remove");
        map.put("k", "old");
        map.entrySet().removeIf(e -> map.put("k", "new") != null);
        assertEquals("new", map.get("k"), "entrySet().removeIf");
        map.put("k", "old");
        map.values().removeIf(v -> map.put("k", "new") != null);
        assertEquals("new", map.get("k"), "values().removeIf");
        map.put("k", "old");
        map.keySet().retainAll(new HashSet<>() {
            @Override public boolean contains(Object o) {
                map.put("k", "new");
                return false;
            }
        });
        assertEquals("new", map.get("k"), "keySet().retainAll");
        map.put("k", "old");
        map.values().retainAll(new HashSet<>() {
            @Override public boolean contains(Object o) {
                map.put("k", "new");
                return false;
            }
        });
        assertEquals("new", map.get("k"), "values().retainAll");
    }

    /** A map holding itself prints "(this Map)", as AbstractMap and ConcurrentHashMap do. */
    @Test
    void aMapThatHoldsItselfPrints() {
        KvCache<String, Object> cache = KvCache.builder().build();
        ConcurrentMap<String, Object> map = cache.asMap();
        map.put("self", map);
        assertEquals("{self=(this Map)}", map.toString());
    }

    /** Streams, arrays and splits over the views under two writers: never throw, never a null, no duplicate key. */
    @Test
    void viewsUnderConcurrentWritesAndExpiry() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<Integer, Integer> cache = KvCache.builder().ticker(ticker).maximumSize(500)
                .timeToLive(Duration.ofMillis(100)).build();
        ConcurrentMap<Integer, Integer> map = cache.asMap();
        ExecutorService writers = Executors.newFixedThreadPool(2);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            fs.add(writers.submit(() -> {
                Random r = new Random(thread);
                while (!stop.get()) {
                    int k = r.nextInt(1_000);
                    if (r.nextInt(3) == 0) {
                        map.remove(k);
                    } else {
                        map.put(k, k);
                    }
                    if (thread == 0 && r.nextInt(100) == 0) {
                        ticker.advance(Duration.ofMillis(7));
                    }
                }
            }));
        }
        try {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
            while (System.nanoTime() < end) {
                List<Integer> keys = map.keySet().parallelStream().toList();
                assertEquals(keys.size(), new HashSet<>(keys).size(), "duplicate keys");
                Object[] a = map.values().toArray();
                for (Object o : a) {
                    assertNotNull(o);
                }
                Integer[] typed = map.keySet().toArray(new Integer[0]);
                for (Integer o : typed) {
                    assertNotNull(o);
                }
                Integer[] sized = map.keySet().toArray(new Integer[600]);
                boolean seenNull = false;
                for (Integer o : sized) {
                    assertFalse(seenNull && o != null, "an element after the null terminator");
                    seenNull |= o == null;
                }
                map.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> assertEquals(e.getKey(), e.getValue()));
                assertTrue(map.entrySet().spliterator().estimateSize() >= 0);
                map.keySet().removeIf(k -> k % 97 == 0);
                map.equals(Map.of());
                map.hashCode();
                map.toString();
            }
        } finally {
            stop.set(true);
            for (Future<?> f : fs) {
                f.get(5, TimeUnit.SECONDS);
            }
            writers.shutdownNow();
        }
        cache.cleanUp();
        assertTrue(cache.estimatedSize() >= 0);
    }

    /** estimatedSize is never negative while removals race maintenance over expiring entries. */
    @Test
    void estimatedSizeNeverNegativeAndExactAfterwards() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<Integer, Integer> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofMillis(70)).build();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        AtomicBoolean negative = new AtomicBoolean();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_000);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            fs.add(pool.submit(() -> {
                Random r = new Random(thread);
                while (System.nanoTime() < end) {
                    int k = r.nextInt(64);
                    switch (thread) {
                        case 0 -> { cache.put(k, k); if (r.nextInt(20) == 0) ticker.advance(Duration.ofMillis(10)); }
                        case 1 -> { cache.remove(k); cache.asMap().remove(k, k); }
                        default -> { cache.cleanUp(); if (cache.estimatedSize() < 0) negative.set(true); }
                    }
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertFalse(negative.get(), "estimatedSize was negative");
        ticker.advance(Duration.ofSeconds(1));
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
    }

    @Test
    void statsArithmetic() {
        CacheStats big = new CacheStats(Long.MAX_VALUE, Long.MAX_VALUE, 0, 0, 0, 0, Long.MAX_VALUE, 1, Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, big.requestCount());
        assertEquals(CacheStats.empty(), CacheStats.empty().minus(big));
        assertEquals(1.0, CacheStats.empty().hitRate());
        assertEquals(0.0, CacheStats.empty().missRate());
        assertEquals(0.0, CacheStats.empty().averageLoadPenaltyNanos());
        assertEquals(Long.MAX_VALUE, big.plus(big).hitCount());
        assertTrue(Double.isFinite(big.averageLoadPenaltyNanos()));
        KvCache<String, String> off = KvCache.builder().build();
        off.put("k", "v");
        off.getIfPresent("k");
        assertEquals(CacheStats.empty(), off.stats());
    }

    /** getIfPresent allocates nothing on a hit: colliding keys (an indexed bin) included. */
    @Test
    void hitsOnCollidingKeysAllocateNothing() throws Exception {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Class<?> hotspot = Class.forName("com.sun.management.ThreadMXBean");
        org.junit.jupiter.api.Assumptions.assumeTrue(hotspot.isInstance(bean));
        Method allocated = hotspot.getMethod("getThreadAllocatedBytes", long.class);
        @SuppressWarnings("deprecation")
        long id = Thread.currentThread().getId();
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).maximumSize(10_000).build();
        List<String> keys = collidingStrings(10); // 1024 keys with one hash code
        for (String k : keys) {
            cache.put(k, "v");
        }
        Object[] grouped = {new Grouped(1, 1)};
        int found = 0;
        for (int round = 0; round < 200; round++) {
            for (String k : keys) {
                found += cache.getIfPresent(k) != null ? 1 : 0;
            }
        }
        long before = (long) allocated.invoke(bean, id);
        for (int round = 0; round < 200; round++) {
            for (String k : keys) {
                found += cache.getIfPresent(k) != null ? 1 : 0;
            }
        }
        long bytes = (long) allocated.invoke(bean, id) - before;
        assertEquals(400 * keys.size(), found);
        assertTrue(bytes < 64 * 1024, bytes + " bytes allocated by " + 200 * keys.size() + " hits" + grouped.length);
    }

    static List<String> collidingStrings(int bits) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 1 << bits; i++) {
            StringBuilder sb = new StringBuilder();
            for (int b = 0; b < bits; b++) {
                sb.append((i >> b & 1) == 0 ? "Aa" : "BB");
            }
            out.add(sb.toString());
        }
        return out;
    }
}
