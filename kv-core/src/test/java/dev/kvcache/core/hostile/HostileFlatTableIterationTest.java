package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Iteration of asMap()'s views while the table doubles under it: KvCache promises iteration is weakly
 * consistent and sees every entry live for its whole duration, and the key and entry spliterators
 * report DISTINCT. Here no key is ever written twice (each churn key is inserted once and removed at
 * most once), so any key seen twice in one pass, or a stable key not seen exactly once, is a failure.
 * Also: estimatedSize/size stay within what was ever present; invalidateAll during growth removes
 * every key that was present throughout and not written meanwhile.
 */
class HostileFlatTableIterationTest {
    private static final long BUDGET_NANOS = Duration.ofMillis(500).toNanos();

    @ParameterizedTest
    @EnumSource(value = HostileFlatTableKeys.class, names = {"INTEGER", "LONG_STRING", "SAME_HASH_COMPARABLE",
            "LOW_4_BITS", "LOW_10_BITS_PLAIN", "LOW_10_BITS_PAIRS"})
    void everyStableKeyExactlyOnceAndNoKeyTwiceWhileTheTableDoubles(HostileFlatTableKeys family) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> iterate(family));
    }

    private static void iterate(HostileFlatTableKeys family) throws InterruptedException {
        int stable = 200;
        int churn = family == HostileFlatTableKeys.SAME_HASH_COMPARABLE ? 4_000
                : family == HostileFlatTableKeys.LOW_10_BITS_PLAIN ? 6_000 : 30_000;
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + BUDGET_NANOS;
        int rounds = 0;
        long passes = 0;
        while (System.nanoTime() < end && failures.isEmpty()) {
            rounds++;
            KvCache<Object, Integer> cache = KvCache.builder().build();
            ConcurrentMap<Object, Integer> map = cache.asMap();
            Map<Object, Integer> stableKeys = new HashMap<>();
            for (int id = 0; id < stable; id++) {
                Object k = family.key(id);
                cache.put(k, -id - 1); // stable values are negative, churn values not
                stableKeys.put(k, -id - 1);
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    List<Object> live = new ArrayList<>();
                    for (int i = 0; i < churn; i++) {
                        int id = stable + writer + 2 * i;
                        Object k = family.key(id);
                        cache.put(k, id);
                        live.add(k);
                        if (r.nextInt(3) == 0) {
                            cache.remove(live.remove(r.nextInt(live.size())));
                        }
                    }
                }));
            }
            writers.forEach(Thread::start);
            long maxEver = stable + 2L * churn;
            int view = 0;
            while (writers.stream().anyMatch(Thread::isAlive) && failures.size() < 5) {
                passes++;
                Map<Object, Integer> seen = new HashMap<>();
                Map<Integer, Integer> stableValuesSeen = new HashMap<>();
                switch (view++ % 3) {
                    case 0 -> {
                        for (Iterator<Object> it = map.keySet().iterator(); it.hasNext(); ) {
                            seen.merge(it.next(), 1, Integer::sum);
                        }
                    }
                    case 1 -> {
                        for (Map.Entry<Object, Integer> e : map.entrySet()) {
                            seen.merge(e.getKey(), 1, Integer::sum);
                            if (e.getValue() < 0) {
                                stableValuesSeen.merge(e.getValue(), 1, Integer::sum);
                            }
                        }
                    }
                    default -> {
                        for (Integer v : map.values()) {
                            if (v < 0) {
                                stableValuesSeen.merge(v, 1, Integer::sum);
                            }
                        }
                        map.keySet().spliterator().forEachRemaining(k -> seen.merge(k, 1, Integer::sum));
                    }
                }
                for (Map.Entry<Object, Integer> e : seen.entrySet()) {
                    if (e.getValue() != 1) {
                        failures.add(family + ": key " + e.getKey() + " seen " + e.getValue() + " times in one pass");
                    }
                }
                for (Map.Entry<Object, Integer> e : stableKeys.entrySet()) {
                    if (!seen.isEmpty() && seen.get(e.getKey()) == null) {
                        failures.add(family + ": stable key " + e.getKey() + " not seen in a pass");
                    }
                    if (!stableValuesSeen.isEmpty() && stableValuesSeen.getOrDefault(e.getValue(), 0) != 1) {
                        failures.add(family + ": stable value " + e.getValue() + " seen "
                                + stableValuesSeen.getOrDefault(e.getValue(), 0) + " times in one pass");
                    }
                }
                long est = cache.estimatedSize();
                int size = map.size();
                if (est < 0 || est > maxEver || size < 0 || size > maxEver) {
                    failures.add(family + ": estimatedSize " + est + ", size " + size + ", at most " + maxEver);
                }
            }
            writing.set(false);
            for (Thread t : writers) {
                t.join();
            }
            long counted = map.keySet().stream().count();
            if (counted != cache.estimatedSize() || counted != map.size()) {
                failures.add(family + ": quiescent: iteration " + counted + ", estimatedSize "
                        + cache.estimatedSize() + ", size " + map.size());
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures in " + rounds + " rounds, " + passes
                + " passes; first: " + failures.stream().limit(5).toList());
    }

    @ParameterizedTest
    @EnumSource(value = HostileFlatTableKeys.class, names = {"INTEGER", "LOW_4_BITS", "LOW_10_BITS_PAIRS"})
    void invalidateAllDuringGrowthRemovesEveryKeyPresentThroughout(HostileFlatTableKeys family) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long end = System.nanoTime() + BUDGET_NANOS;
            List<String> failures = new ArrayList<>();
            int rounds = 0;
            while (System.nanoTime() < end && failures.isEmpty()) {
                rounds++;
                KvCache<Object, Integer> cache = KvCache.builder().build();
                int stable = 2_000;
                for (int id = 0; id < stable; id++) {
                    cache.put(family.key(id), id);
                }
                AtomicBoolean go = new AtomicBoolean(true);
                Thread grower = new Thread(() -> {
                    for (int id = stable; go.get() && id < stable + 200_000; id++) {
                        cache.put(family.key(id), id);
                    }
                });
                grower.start();
                cache.invalidateAll();
                go.set(false);
                grower.join();
                for (int id = 0; id < stable; id++) {
                    if (cache.getIfPresent(family.key(id)) != null) {
                        failures.add(family + ": key " + id + " survived invalidateAll (round " + rounds + ")");
                    }
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " in " + rounds + " rounds: "
                    + failures.stream().limit(5).toList());
        });
    }
}
