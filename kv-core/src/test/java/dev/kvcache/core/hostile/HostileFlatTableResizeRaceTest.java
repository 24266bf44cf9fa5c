package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Linearizability under resize: keys present for the whole run are never missed by lock-free readers
 * while two writers insert and remove enough keys to double the table many times; each writer also
 * checks every result of its own (disjoint) keys against a HashMap model, so put/remove/replace/
 * compute/merge stay exact while bins are split, indexed and un-indexed.
 */
class HostileFlatTableResizeRaceTest {
    private static final long BUDGET_NANOS = Duration.ofMillis(700).toNanos();

    @ParameterizedTest
    @EnumSource(HostileFlatTableKeys.class)
    void readersNeverMissAStableKeyAndWritersGetExactResults(HostileFlatTableKeys family) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(family));
    }

    private static void run(HostileFlatTableKeys family) throws InterruptedException {
        boolean linear = family == HostileFlatTableKeys.SAME_HASH_PLAIN;
        int stable = linear ? 40 : 300;
        int churnPerRound = linear ? 1_500 : family == HostileFlatTableKeys.SAME_HASH_COMPARABLE ? 6_000 : 20_000;
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        AtomicLong rounds = new AtomicLong();
        long end = System.nanoTime() + BUDGET_NANOS;
        while (System.nanoTime() < end && failures.isEmpty()) {
            rounds.incrementAndGet();
            KvCache<Object, Integer> cache = KvCache.builder().build(); // 16..256 segments x 4 bins: many doublings
            ConcurrentMap<Object, Integer> map = cache.asMap();
            for (int id = 0; id < stable; id++) {
                cache.put(family.key(id), id);
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread reader = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                long n = 0;
                while (writing.get() && failures.size() < 5) {
                    int id = r.nextInt(stable);
                    Object k = family.key(id);
                    Integer v = switch ((int) (n++ & 3)) {
                        case 0 -> cache.getIfPresent(k);
                        case 1 -> map.get(k);
                        case 2 -> map.containsKey(k) ? id : null;
                        default -> { var e = cache.getEntryIfPresent(k); yield e == null ? null : e.getValue(); }
                    };
                    if (v == null || v != id) {
                        failures.add(family + ": stable key " + k + " read as " + v + " at table length "
                                + HostileFlatTableProbe.tableLength(cache));
                    }
                }
                reads.addAndGet(n);
            });
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(new Thread(() -> churn(family, cache, writer, stable, churnPerRound, failures)));
            }
            reader.start();
            writers.forEach(Thread::start);
            for (Thread t : writers) {
                t.join();
            }
            writing.set(false);
            reader.join();
            for (int id = 0; id < stable; id++) {
                Integer v = cache.getIfPresent(family.key(id));
                if (v == null || v != id) {
                    failures.add(family + ": after the round, stable key " + id + " is " + v);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures in " + rounds + " rounds, " + reads
                + " reads; first: " + failures.stream().limit(5).toList());
    }

    /** One writer's keys: ids stable + writer, stable + writer + 2, ...; every result checked against a model. */
    private static void churn(HostileFlatTableKeys family, KvCache<Object, Integer> cache, int writer, int stable,
            int count, ConcurrentLinkedQueue<String> failures) {
        Map<Object, Integer> model = new HashMap<>();
        ConcurrentMap<Object, Integer> map = cache.asMap();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < count && failures.size() < 5; i++) {
            int id = stable + writer + 2 * i;
            Object k = family.key(id);
            check(failures, family, "put " + k, model.put(k, id), map.put(k, id));
            live.add(id);
            if (r.nextInt(3) == 0 && !live.isEmpty()) { // removals keep bins shrinking under the index thresholds
                int victim = live.remove(r.nextInt(live.size()));
                Object vk = family.key(victim);
                Integer expected = model.get(vk);
                switch (r.nextInt(6)) {
                    case 0 -> check(failures, family, "remove " + vk, model.remove(vk), cache.remove(vk));
                    case 1 -> {
                        check(failures, family, "remove(k,v) " + vk, true, cache.remove(vk, expected));
                        model.remove(vk);
                    }
                    case 2 -> {
                        check(failures, family, "computeIfPresent->null " + vk, null,
                                map.computeIfPresent(vk, (kk, v) -> null));
                        model.remove(vk);
                    }
                    case 3 -> {
                        check(failures, family, "replace " + vk, expected, cache.replace(vk, expected + 1));
                        model.put(vk, expected + 1);
                        check(failures, family, "merge " + vk, expected + 2, map.merge(vk, 1, Integer::sum));
                        model.put(vk, expected + 2);
                        live.add(victim);
                    }
                    case 4 -> {
                        check(failures, family, "compute " + vk, expected * 2, map.compute(vk, (kk, v) -> v * 2));
                        model.put(vk, expected * 2);
                        live.add(victim);
                    }
                    default -> {
                        check(failures, family, "putIfAbsent(present) " + vk, expected, cache.putIfAbsent(vk, -1));
                        check(failures, family, "get " + vk, expected, cache.getIfPresent(vk));
                        live.add(victim);
                    }
                }
                if (r.nextInt(2) == 0 && !model.containsKey(vk)) {
                    check(failures, family, "computeIfAbsent(removed) " + vk, victim,
                            map.computeIfAbsent(vk, kk -> victim));
                    model.put(vk, victim);
                    live.add(victim);
                }
                if (!model.containsKey(vk)) {
                    check(failures, family, "get(removed) " + vk, null, cache.getIfPresent(vk));
                }
            }
        }
        for (Map.Entry<Object, Integer> e : model.entrySet()) {
            check(failures, family, "final get " + e.getKey(), e.getValue(), cache.getIfPresent(e.getKey()));
        }
    }

    private static void check(ConcurrentLinkedQueue<String> failures, HostileFlatTableKeys family, String op,
            Object expected, Object actual) {
        if (expected == null ? actual != null : !expected.equals(actual)) {
            failures.add(family + ": " + op + " returned " + actual + ", model says " + expected);
        }
    }

}
