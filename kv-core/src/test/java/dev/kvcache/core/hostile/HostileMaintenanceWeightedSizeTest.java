package dev.kvcache.core.hostile;

import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.busyKeys;
import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.otherKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Hostile review, round 2: Policy#weightedSize is now "the total as the last maintenance pass left
 * it", documented as "with no write in flight and after cleanUp() it is exact", "may miss writes still
 * in flight", never negative. Checked single-threaded after every kind of write (so no write is in
 * flight), after writers joined, and while a compute holds a segment.
 */
class HostileMaintenanceWeightedSizeTest {

    private static long trueWeight(KvCache<Integer, String> cache) {
        long sum = 0;
        for (String v : cache.asMap().values()) {
            sum += v.length();
        }
        return sum;
    }

    private static String value(Random r) {
        return "x".repeat(1 + r.nextInt(40));
    }

    /** Every writing method, one thread: weightedSize equals the live entries' weights after each. */
    @Test
    void exactAfterEveryKindOfWriteSingleThreaded() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            KvCache<Integer, String> cache = KvCache.builder()
                    .maximumWeight(3_000, (Integer k, String v) -> v.length()).build();
            Random r = new Random(22);
            for (int step = 0; step < 20_000; step++) {
                int k = r.nextInt(300);
                String v = value(r);
                int op = r.nextInt(17);
                String what;
                switch (op) {
                    case 0, 1, 2 -> { what = "put"; cache.put(k, v); }
                    case 3 -> { what = "putIfAbsent"; cache.putIfAbsent(k, v); }
                    case 4 -> { what = "asMap.replace"; cache.asMap().replace(k, v); }
                    case 5 -> { what = "invalidate"; cache.remove(k); }
                    case 6 -> { what = "asMap.remove(k,v)"; String old = cache.asMap().get(k); if (old != null) cache.asMap().remove(k, old); }
                    case 7 -> { what = "compute"; cache.asMap().compute(k, (kk, old) -> r.nextBoolean() ? null : v); }
                    case 8 -> { what = "merge"; cache.asMap().merge(k, v, (a, b) -> a.length() + b.length() > 60 ? null : a + b); }
                    case 9 -> { what = "computeIfPresent"; cache.asMap().computeIfPresent(k, (kk, old) -> old + "y"); }
                    case 10 -> { what = "computeIfAbsent"; cache.asMap().computeIfAbsent(k, kk -> v); }
                    case 11 -> {
                        what = "iterator.remove";
                        Iterator<Map.Entry<Integer, String>> it = cache.asMap().entrySet().iterator();
                        for (int i = 0; it.hasNext() && i < 3; i++) {
                            it.next();
                            if (i == 2) {
                                it.remove();
                            }
                        }
                    }
                    case 12 -> { what = "removeIf"; cache.asMap().values().removeIf(s -> s.length() == v.length()); }
                    case 13 -> { what = "invalidateAll(keys)"; cache.invalidateAll(List.of(k, k + 1, k + 2)); }
                    case 14 -> { what = step % 50 == 0 ? "invalidateAll()" : "put"; if (step % 50 == 0) cache.invalidateAll(); else cache.put(k, v); }
                    case 15 -> {
                        long m = 500 + r.nextInt(4_000);
                        what = "setMaximum(" + m + ")";
                        cache.policy().setMaximum(m);
                    }
                    default -> { what = "replaceAll"; if (step % 20 == 0) cache.asMap().replaceAll((kk, old) -> old.length() > 20 ? "z" : old + "zz"); else cache.put(k, v); }
                }
                long reported = cache.policy().weightedSize();
                long actual = trueWeight(cache);
                long max = cache.policy().maximum().getAsLong();
                assertEquals(actual, reported, "step " + step + " after " + what + ": weightedSize vs the live weights");
                assertTrue(reported >= 0 && reported <= max, "step " + step + " after " + what + ": " + reported + " vs max " + max);
            }
        });
    }

    /** Two writers of weighted overwrites and removals, joined: weightedSize exact. */
    @Test
    void exactAfterConcurrentWritersJoined() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            KvCache<Integer, String> cache = KvCache.builder()
                    .maximumWeight(5_000, (Integer k, String v) -> v.length()).build();
            AtomicLong negative = new AtomicLong();
            for (int round = 0; round < 20; round++) {
                Thread[] ts = new Thread[2];
                for (int t = 0; t < 2; t++) {
                    int seed = round * 2 + t;
                    ts[t] = new Thread(() -> {
                        Random r = new Random(seed);
                        for (int i = 0; i < 5_000; i++) {
                            int k = r.nextInt(1_000);
                            if (r.nextInt(4) == 0) {
                                cache.remove(k);
                            } else {
                                cache.put(k, value(r));
                            }
                            if (cache.policy().weightedSize() < 0) {
                                negative.incrementAndGet();
                            }
                        }
                    });
                    ts[t].start();
                }
                for (Thread t : ts) {
                    t.join();
                }
                assertEquals(trueWeight(cache), cache.policy().weightedSize(), "round " + round + " writers joined");
                assertTrue(cache.policy().weightedSize() <= 5_000, "over the bound after writers joined");
            }
            assertEquals(0, negative.get(), "weightedSize read negative");
        });
    }

    /**
     * A compute holding a segment; one writer of other segments: the holder is the only write in flight
     * (its entry is not written until it returns), so weightedSize, read after each put, must equal the
     * live weights, and stay within the bound. Failed on b46d184 like HostileMaintenanceBoundTest's
     * single writer (the pass that met 16 busy victims publishes a total over the bound); exact it is.
     */
    // Failed on b46d184: "weightedSize over the bound by 2881 after a single writer's put" (exactness held); passes on f124751
    @Test
    void withAComputeInFlightWeightedSizeIsExactAndWithinTheBound() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            KvCache<Integer, String> cache = KvCache.builder().initialCapacity(50_000)
                    .maximumWeight(20_000, (Integer k, String v) -> v.length()).build();
            for (int k : busyKeys(2_000, 1)) {
                cache.put(k, "0123456789");
            }
            AtomicReference<String> inside = new AtomicReference<>();
            try (HostileMaintenanceBoundTest.Holder holder = new HostileMaintenanceBoundTest.Holder(
                    intCache(cache), busyKeys(1, 1_000_000).get(0), true)) {
                long worst = 0;
                long inexact = 0;
                Random r = new Random(7);
                for (int k : otherKeys(2_000, 1)) {
                    cache.put(k, value(r));
                    long reported = cache.policy().weightedSize();
                    if (reported != trueWeight(cache)) {
                        inexact++;
                    }
                    worst = Math.max(worst, reported - 20_000);
                }
                holder.end();
                assertEquals(0, inexact, "weightedSize differed from the live weights after " + inexact + " puts");
                assertTrue(worst <= 0, "weightedSize over the bound by " + worst + " after a single writer's put");
            }
            // and inside a compute function it is refused, as documented
            cache.asMap().compute(-1, (k, v) -> {
                inside.set(assertThrows(IllegalStateException.class, () -> cache.policy().weightedSize()).getMessage());
                return null;
            });
            assertTrue(inside.get() != null);
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KvCache<Integer, Integer> intCache(KvCache<Integer, String> cache) {
        return (KvCache) cache; // the holder's function returns or throws; here it throws, storing nothing
    }
}
