package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile review, round 3, of 89af84f: writers racing a churn of short compute functions over every
 * segment (so that victims are set aside and put back again and again), weighted or not, with zero-weight
 * entries. Claims: "under any number of concurrent writers the cache holds at most about 64 entries
 * (their weight) beyond the bound, plus the writes in flight"; after the writers return and the churn
 * stops, the last writer's maintenance restored the bound; after cleanUp, estimatedSize exact and equal
 * to weightedSize (unweighted) / the sum of weights (weighted); evictionCount and evictionWeight equal the
 * SIZE notifications; every value notified at most once and every written value held or notified.
 */
class HostileRound3StressTest {

    @ParameterizedTest
    @CsvSource({"false,50", "true,50", "false,500", "true,500"})
    void writersRacingAComputeChurnOverEverySegment(boolean weighted, long holdMicros) {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            long max = 1_000;
            Map<Integer, AtomicInteger> notifiedTimes = new ConcurrentHashMap<>();
            AtomicLong sizeCount = new AtomicLong();
            AtomicLong sizeWeight = new AtomicLong();
            var b = KvCache.builder().initialCapacity(100_000).recordStats();
            KvCache<Integer, Integer> cache;
            dev.kvcache.core.RemovalListener<Integer, Integer> l = (k, v, c) -> {
                notifiedTimes.computeIfAbsent(v, x -> new AtomicInteger()).incrementAndGet();
                if (c == RemovalCause.SIZE) {
                    sizeCount.incrementAndGet();
                    sizeWeight.addAndGet(weighted ? weight(v) : 1);
                }
            };
            if (weighted) {
                cache = b.<Integer, Integer>maximumWeight(max, (k, v) -> weight(v)).removalListener(l).build();
            } else {
                cache = b.maximumSize(max).<Integer, Integer>removalListener(l).build();
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread churn = new Thread(() -> {
                while (!stop.get()) {
                    int k = -1 - ThreadLocalRandom.current().nextInt(1 << 20); // absent keys, every segment
                    cache.asMap().compute(k, (kk, v) -> {
                        long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(holdMicros);
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait();
                        }
                        return null;
                    });
                }
            }, "churn");
            churn.setDaemon(true);
            churn.start();
            AtomicLong maxSeen = new AtomicLong();
            Thread monitor = new Thread(() -> {
                while (!stop.get()) {
                    maxSeen.accumulateAndGet(cache.policy().weightedSize(), Math::max);
                    Thread.onSpinWait();
                }
            }, "monitor");
            monitor.setDaemon(true);
            monitor.start();
            int writers = 2;
            int each = 30_000;
            List<Thread> ws = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int base = w * each;
                Thread t = new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        cache.put(base + i, base + i); // value = key: distinct values
                    }
                }, "w" + w);
                t.setDaemon(true);
                ws.add(t);
                t.start();
            }
            for (Thread t : ws) {
                t.join(60_000);
                assertTrue(!t.isAlive(), t.getName() + " stuck");
            }
            stop.set(true);
            churn.join(10_000);
            monitor.join(10_000);
            long afterReturn = cache.policy().weightedSize();
            cache.cleanUp();
            long est = cache.estimatedSize();
            long ws2 = cache.policy().weightedSize();
            long sum = 0;
            int size = 0;
            for (var e : cache.asMap().entrySet()) {
                sum += weighted ? weight(e.getValue()) : 1;
                size++;
            }
            List<String> problems = new ArrayList<>();
            long maxWeight = weighted ? 5 : 1;
            if (maxSeen.get() > max + (64 + writers + 1) * maxWeight) {
                problems.add("weightedSize seen " + maxSeen.get() + " > bound + (64 + in flight) entries");
            }
            if (afterReturn > max) {
                problems.add("after the writers returned " + afterReturn);
            }
            if (ws2 > max || ws2 != sum || est != size) {
                problems.add("after cleanUp weightedSize " + ws2 + " sum " + sum + " estimatedSize " + est + " size " + size);
            }
            var st = cache.stats();
            if (st.evictionCount() != sizeCount.get() || st.evictionWeight() != sizeWeight.get()) {
                problems.add("stats " + st.evictionCount() + "/" + st.evictionWeight() + " vs notified "
                        + sizeCount.get() + "/" + sizeWeight.get());
            }
            int twice = 0;
            int neither = 0;
            for (int v = 0; v < writers * each; v++) {
                AtomicInteger n = notifiedTimes.get(v);
                boolean held = cache.asMap().containsKey(v);
                int times = n == null ? 0 : n.get();
                if (times > 1 || (held && times > 0)) {
                    twice++;
                }
                if (!held && times == 0) {
                    neither++;
                }
            }
            if (twice > 0 || neither > 0) {
                problems.add("values notified twice or held and notified " + twice + ", neither held nor notified " + neither);
            }
            assertTrue(problems.isEmpty(), String.join("; ", problems));
        });
    }

    private static int weight(int v) {
        return v % 7 == 0 ? 0 : 1 + (v % 5); // zero-weight entries, weights 1..5
    }
}
