package dev.kvcache.core.hostile;

import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.busyKeys;
import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.otherKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review, round 2: the S3-FIFO contract (KvCacheBuilder#maximumWeight: "Scans and one-hit
 * wonders so pass through without flushing the popular entries"; Policy#hottest: "coldest is its exact
 * reverse") and liveness when the victims' segment is held by a compute function; tiny bounds.
 */
class HostileMaintenancePolicyTest {

    /** maximumSize 0, 1, 2 with a compute in flight on the segment of the entries held. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void tinyBoundsHoldWithAComputeInFlight(int bound) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(bound).initialCapacity(1_000).build();
            for (int k : busyKeys(bound, 1)) {
                cache.put(k, k);
            }
            try (HostileMaintenanceBoundTest.Holder holder = new HostileMaintenanceBoundTest.Holder(
                    cache, busyKeys(1, 1_000_000).get(0), false)) {
                long worst = 0;
                for (int k : otherKeys(200, 1)) {
                    cache.put(k, k);
                    worst = Math.max(worst, cache.estimatedSize());
                }
                assertTrue(worst <= bound, "size " + worst + " > bound " + bound + " with a compute in flight");
                holder.end();
            }
            assertTrue(cache.estimatedSize() <= bound, "after the compute stored: " + cache.estimatedSize());
        });
    }

    /**
     * Popular keys (of other segments, read between scan writes) survive a scan of one-hit keys while a
     * compute holds the segment of many cold entries, which every pass meets as busy victims; hottest
     * and coldest then stay exact reverses, listing every live key once.
     */
    @Test
    void hotKeysSurviveAScanAndHottestIsTheExactReverseOfColdestWithBusyVictims() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int bound = 1_000;
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(bound).initialCapacity(50_000).build();
            List<Integer> hot = otherKeys(100, 1);
            for (int k : hot) {
                cache.put(k, k);
                cache.getIfPresent(k); // read again while in the small queue: goes to main
            }
            for (int k : busyKeys(700, 1)) {
                cache.put(k, k);
            }
            List<Integer> scan = otherKeys(20_000, 1_000_000);
            try (HostileMaintenanceBoundTest.Holder holder = new HostileMaintenanceBoundTest.Holder(
                    cache, busyKeys(1, 10_000_000).get(0), true)) {
                for (int i = 0; i < scan.size(); i++) {
                    cache.put(scan.get(i), i);
                    if (i % 50 == 0) {
                        for (int k : hot) {
                            cache.getIfPresent(k);
                        }
                    }
                }
                long lost = hot.stream().filter(k -> cache.policy().getIfPresentQuietly(k) == null).count();
                List<Integer> hottest = cache.policy().hottest(Integer.MAX_VALUE);
                List<Integer> coldest = new ArrayList<>(cache.policy().coldest(Integer.MAX_VALUE));
                Collections.reverse(coldest);
                assertEquals(hottest, coldest, "hottest is not the exact reverse of coldest");
                assertEquals(hottest.size(), hottest.stream().distinct().count(), "a key listed twice");
                assertEquals(cache.asMap().size(), hottest.size(), "hottest(all) vs the live entries");
                holder.end();
                assertEquals(0, lost, lost + " of " + hot.size() + " popular keys flushed by a scan while victims were busy");
            }
        });
    }

    /**
     * A compute function that blocks for 3 s while two writers of other segments write heavily, with
     * a side thread calling hottest / setMaximum / nothing: does any writer stall for the compute? The
     * docs: hottest "delays them only once they have left it 32 writes (they then wait for it)"; setMaximum
     * "Waits for a maintenance pass in progress" and, as KvCache.asMap says, for a compute function if it
     * must evict from that segment. Writers of other segments are not listed among who waits for a
     * compute function. Failed for setMaximum (as for cleanUp, HostileMaintenanceExpiryTest): writers of
     * other segments wait the full 3 s behind setMaximum, which holds the maintenance lock while it
     * waits for the compute; held for hottest and for none.
     */
    // Failed on b46d184 for setMaximum: "a put of another segment took 3006 ms"; on f124751 all three variants fail
    // (every pass waited for the compute there)
    @ParameterizedTest
    @ValueSource(strings = {"none", "hottest", "setMaximum"})
    void writersOfOtherSegmentsDoNotStallForABlockingCompute(String side) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int bound = 2_000;
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(bound).initialCapacity(100_000).build();
            for (int k : busyKeys(bound, 1)) {
                cache.put(k, k);
            }
            Consumer<KvCache<Integer, Integer>> call = switch (side) {
                case "hottest" -> c -> c.policy().hottest(10);
                case "setMaximum" -> c -> c.policy().setMaximum(bound / 2);
                default -> c -> { };
            };
            AtomicLong slowest = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<Integer> others = otherKeys(200_000, 1);
            try (HostileMaintenanceBoundTest.Holder holder = new HostileMaintenanceBoundTest.Holder(
                    cache, busyKeys(1, 1_000_000).get(0), false)) {
                Thread sideThread = new Thread(() -> call.accept(cache), "side");
                sideThread.setDaemon(true);
                sideThread.start();
                Thread[] writers = new Thread[2];
                for (int w = 0; w < 2; w++) {
                    int index = w;
                    writers[w] = new Thread(() -> {
                        for (int i = index; i < others.size() && !stop.get(); i += 2) {
                            long t0 = System.nanoTime();
                            cache.put(others.get(i), i);
                            slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                        }
                    }, "writer-" + w);
                    writers[w].setDaemon(true);
                    writers[w].start();
                }
                Thread.sleep(3_000);
                holder.end(); // the compute blocked for 3 s
                stop.set(true);
                for (Thread t : writers) {
                    t.join(20_000);
                    assertTrue(!t.isAlive(), "writer hung");
                }
                sideThread.join(20_000);
                assertTrue(!sideThread.isAlive(), side + " hung");
            }
            assertTrue(slowest.get() < TimeUnit.MILLISECONDS.toNanos(1_000), "with " + side + ": a put of another"
                    + " segment took " + slowest.get() / 1_000_000 + " ms while a compute function blocked for 3 s");
        });
    }
}
