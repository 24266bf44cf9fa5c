package dev.kvcache.core.hostile;

import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.busyKeys;
import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.otherKeys;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review, round 3, of 89af84f: bulk removals racing a blocked compute while writers of other
 * segments keep the bounded cache evicting. invalidateAll: "Removes every entry, notifying the listener of
 * each with EXPLICIT ... entries written concurrently may survive"; afterwards estimatedSize, weightedSize
 * and asMap().size() agree after cleanUp, and each value is notified at most once.
 */
class HostileRound3BulkTest {

    @ParameterizedTest
    @ValueSource(strings = {"invalidateAll", "clear", "removeIf"})
    void bulkRemovalRacingABlockedComputeAndEvictingWriters(String call) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Map<Integer, List<RemovalCause>> notified = new ConcurrentHashMap<>();
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(200).initialCapacity(50_000)
                    .<Integer, Integer>removalListener((k, v, c) ->
                            notified.computeIfAbsent(v, x -> new CopyOnWriteArrayList<>()).add(c)).build();
            List<Integer> busy = busyKeys(100, 1);
            List<Integer> others = otherKeys(10_100, 1);
            int val = 0;
            for (int k : busy) {
                cache.put(k, val++);
            }
            for (int i = 0; i < 100; i++) {
                cache.put(others.get(i), val++);
            }
            int firstWriterValue = val;
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread h = new Thread(() -> cache.asMap().compute(busyKeys(1, 2_000_000).get(0), (k, v) -> {
                in.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return -1;
            }), "holder");
            h.setDaemon(true);
            h.start();
            assertTrue(in.await(10, TimeUnit.SECONDS));
            Thread w = new Thread(() -> {
                for (int i = 100; i < 10_100; i++) {
                    cache.put(others.get(i), firstWriterValue + i);
                }
            }, "writer");
            w.setDaemon(true);
            Thread bulk = new Thread(() -> {
                switch (call) {
                    case "invalidateAll" -> cache.invalidateAll();
                    case "clear" -> cache.asMap().clear();
                    default -> cache.asMap().keySet().removeIf(k -> true);
                }
            }, "bulk");
            bulk.setDaemon(true);
            w.start();
            bulk.start();
            Thread.sleep(200);
            release.countDown();
            w.join(15_000);
            bulk.join(15_000);
            h.join(10_000);
            assertTrue(!w.isAlive() && !bulk.isAlive(), "stuck");
            cache.cleanUp();
            List<String> problems = new ArrayList<>();
            for (int v = 0; v < firstWriterValue; v++) {
                List<RemovalCause> n = notified.getOrDefault(v, List.of());
                if (n.size() != 1) {
                    problems.add("value " + v + " notified " + n);
                }
            }
            for (var e : notified.entrySet()) {
                if (e.getValue().size() > 1) {
                    problems.add("value " + e.getKey() + " notified " + e.getValue());
                }
            }
            long est = cache.estimatedSize();
            long ws = cache.policy().weightedSize();
            int size = cache.asMap().size();
            if (est != ws || est != size || est > 200) {
                problems.add("estimatedSize " + est + " weightedSize " + ws + " size " + size);
            }
            assertTrue(problems.isEmpty(), problems.size() + " problems, first " + problems.subList(0, Math.min(3, problems.size())));
        });
    }
}
