package dev.kvcache.core.hostile;

import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.busyKeys;
import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.otherKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Hostile review, round 3, of 89af84f: busy victims set aside and put back at the old end of their queue,
 * expired nodes of a busy segment re-filed at the current time, cleanUp/setMaximum waiting for a busy
 * segment holding no lock. Angles not covered by rounds 1-2: S3-FIFO order of set-aside victims, a huge
 * weighted entry busy, time-to-idle with executor-delivered maintenance, a listener writing the same
 * cache while a segment is held, close() while a compute blocks.
 */
class HostileRound3MaintenanceTest {

    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(70);

    private static <V> Thread holder(KvCache<Integer, V> cache, int key, V result, CountDownLatch in,
            CountDownLatch release) {
        return SegmentHolder.hold(cache, key, result, in, release);
    }

    /**
     * maximumWeight: "S3-FIFO ... Scans and one-hit wonders so pass through without flushing the popular
     * entries"; 89af84f: a busy victim is "put back at the old end of its queue". Cold, never-read entries
     * of a held segment are the oldest; read (hot) entries and a stream of one-hit writes follow. While the
     * compute holds, the hot keys must survive (one-hit writes evicted in the busy ones' place); once it
     * ends, the cold busy entries (oldest, never read) go before any hot key.
     */
    @Test
    void setAsideColdVictimsGoFirstOnceFreeAndHotKeysSurvive() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(100).initialCapacity(10_000).build(); // no resize: it waits for the compute (documented)
            List<Integer> cold = busyKeys(10, 1);
            List<Integer> hot = otherKeys(80, 1);
            List<Integer> scan = otherKeys(400, 1_000_000);
            for (int k : cold) {
                cache.put(k, 0);
            }
            for (int k : hot) {
                cache.put(k, 1);
            }
            for (int r = 0; r < 3; r++) {
                for (int k : hot) {
                    cache.getIfPresent(k);
                }
            }
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread h = holder(cache, busyKeys(1, 2_000_000).get(0), 7, in, release);
            assertTrue(in.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 200; i++) {
                cache.put(scan.get(i), 2);
                for (int k : hot.subList(0, 10)) {
                    cache.getIfPresent(k); // keep reading some
                }
            }
            List<Integer> hotLostWhileBusy = new ArrayList<>();
            for (int k : hot) {
                if (!cache.asMap().containsKey(k)) {
                    hotLostWhileBusy.add(k);
                }
            }
            release.countDown();
            h.join(10_000);
            for (int i = 200; i < 230; i++) {
                cache.put(scan.get(i), 2);
            }
            cache.cleanUp();
            List<Integer> coldLeft = new ArrayList<>();
            for (int k : cold) {
                if (cache.asMap().containsKey(k)) {
                    coldLeft.add(k);
                }
            }
            List<Integer> hotLost = new ArrayList<>();
            for (int k : hot) {
                if (!cache.asMap().containsKey(k)) {
                    hotLost.add(k);
                }
            }
            assertTrue(hotLostWhileBusy.isEmpty() && coldLeft.isEmpty() && hotLost.isEmpty(),
                    "hot lost while busy " + hotLostWhileBusy.size() + ", cold busy left after release "
                            + coldLeft.size() + ", hot lost in all " + hotLost.size() + "; size "
                            + cache.estimatedSize());
        });
    }

    /**
     * A huge weighted entry (96 of 100) in a held segment, zero-weight entries elsewhere: while the compute
     * holds, the bound cannot be restored; once it ends, the single writer "restores the bound before its
     * write returns" (no cleanUp), weightedSize equals the sum of the weights held, the huge cold entry goes
     * rather than every small one, and zero-weight entries (which "do not count towards the bound") need
     * not all be flushed.
     */
    @Test
    void hugeBusyWeightedEntryIsEvictedOnceFreeAndTheBoundHoldsWithoutCleanUp() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            AtomicLong sizeEvicted = new AtomicLong();
            KvCache<Integer, Integer> cache = KvCache.builder()
                    .<Integer, Integer>maximumWeight(100, (k, v) -> v)
                    .<Integer, Integer>removalListener((k, v, c) -> {
                        if (c == RemovalCause.SIZE) {
                            sizeEvicted.addAndGet(v);
                        }
                    }).recordStats().build();
            int huge = busyKeys(1, 1).get(0);
            cache.put(huge, 96);
            List<Integer> small = otherKeys(300, 1);
            List<Integer> zero = otherKeys(20, 5_000_000);
            for (int k : zero) {
                cache.put(k, 0);
            }
            for (int i = 0; i < 4; i++) {
                cache.put(small.get(i), 1);
            }
            assertEquals(100, cache.policy().weightedSize());
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread h = holder(cache, busyKeys(1, 2_000_000).get(0), 0, in, release);
            assertTrue(in.await(10, TimeUnit.SECONDS));
            for (int i = 4; i < 40; i++) {
                cache.put(small.get(i), 1);
            }
            long whileBusy = cache.policy().weightedSize();
            release.countDown();
            h.join(10_000);
            cache.put(small.get(40), 1);
            long after = cache.policy().weightedSize();
            long sum = 0;
            for (var e : cache.asMap().entrySet()) {
                sum += e.getValue();
            }
            boolean hugeGone = !cache.asMap().containsKey(huge);
            int smallLeft = 0;
            for (int i = 0; i <= 40; i++) {
                if (cache.asMap().containsKey(small.get(i))) {
                    smallLeft++;
                }
            }
            long evictionWeight = cache.stats().evictionWeight();
            assertTrue(after <= 100 && after == sum && hugeGone && smallLeft >= 4
                            && evictionWeight == sizeEvicted.get(),
                    "while busy " + whileBusy + ", after one write " + after + ", sum held " + sum
                            + ", huge gone " + hugeGone + ", small left " + smallLeft + " of 41, evictionWeight "
                            + evictionWeight + " vs notified " + sizeEvicted.get());
        });
    }

    /**
     * timeToIdle + executor: "a read that finds a wheel tick has passed hands maintenance to it"; "Whenever
     * the cache is being used, an expired entry is normally reclaimed within one tick". Entries of a held
     * segment go idle while readers keep other entries alive; the executor's passes re-file them "at the
     * current time". After the compute ends, reads alone (no write, no cleanUp) for a few ticks must
     * reclaim them.
     */
    @Test
    void idleEntriesOfAHeldSegmentAreReclaimedByExecutorMaintenanceOnceFree() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            FakeTicker ticker = new FakeTicker();
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                KvCache<Integer, Integer> cache = KvCache.builder().ticker(ticker).executor(ex)
                        .timeToIdle(Duration.ofSeconds(1)).maximumSize(10_000).build();
                List<Integer> busy = busyKeys(50, 1);
                List<Integer> others = otherKeys(50, 1);
                for (int i = 0; i < 50; i++) {
                    cache.put(busy.get(i), 1);
                    cache.put(others.get(i), 1);
                }
                CountDownLatch in = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                int hk = busyKeys(1, 2_000_000).get(0);
                Thread h = holder(cache, hk, 1, in, release);
                assertTrue(in.await(10, TimeUnit.SECONDS));
                for (int step = 0; step < 25; step++) { // 1.75 s: the busy entries go idle
                    ticker.advance(TICK);
                    for (int k : others) {
                        cache.getIfPresent(k);
                    }
                    ex.submit(() -> { }).get(5, TimeUnit.SECONDS);
                }
                release.countDown();
                h.join(10_000);
                long[] sizes = new long[6];
                for (int step = 0; step < 6; step++) {
                    ticker.advance(TICK);
                    for (int k : others) {
                        cache.getIfPresent(k);
                    }
                    ex.submit(() -> { }).get(5, TimeUnit.SECONDS);
                    for (int k : others) {
                        cache.getIfPresent(k);
                    }
                    ex.submit(() -> { }).get(5, TimeUnit.SECONDS);
                    sizes[step] = cache.estimatedSize();
                }
                assertEquals(51, sizes[5], "estimatedSize per tick after the compute ended: "
                        + java.util.Arrays.toString(sizes) + " (50 live others + the holder's key)");
            } finally {
                ex.shutdownNow();
            }
        });
    }

    /**
     * A removal listener that computes on the same cache (it runs "after the cache has released every
     * lock") while another thread's compute holds a segment: writers complete, and after cleanUp the bound
     * holds exactly, estimatedSize == weightedSize == asMap().size(), evictionCount == SIZE notifications.
     */
    @Test
    void listenerComputingOnTheSameCacheWhileASegmentIsHeld() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            AtomicLong sizeNotified = new AtomicLong();
            KvCache<Integer, Integer>[] ref = new KvCache[1];
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(50).recordStats()
                    .<Integer, Integer>removalListener((k, v, c) -> {
                        if (c == RemovalCause.SIZE) {
                            sizeNotified.incrementAndGet();
                            if (k < 10_000_000) {
                                ref[0].asMap().compute(k + 10_000_000, (a, b) -> b == null ? 1 : b + 1);
                            }
                        }
                    }).build();
            ref[0] = cache;
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread h = holder(cache, busyKeys(1, 3_000_000).get(0), 1, in, release);
            assertTrue(in.await(10, TimeUnit.SECONDS));
            List<Thread> ws = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int base = w * 100_000;
                Thread t = new Thread(() -> {
                    for (int i = 0; i < 3_000; i++) {
                        cache.put(base + i, 1); // some keys in the held segment
                    }
                }, "w" + w);
                t.setDaemon(true);
                ws.add(t);
                t.start();
            }
            Thread.sleep(300);
            release.countDown();
            for (Thread t : ws) {
                t.join(20_000);
                assertTrue(!t.isAlive(), t.getName() + " stuck");
            }
            h.join(10_000);
            cache.cleanUp();
            long est = cache.estimatedSize();
            long ws2 = cache.policy().weightedSize();
            int size = cache.asMap().size();
            long ec = cache.stats().evictionCount();
            assertTrue(est <= 50 && est == ws2 && est == size && ec == sizeNotified.get(),
                    "estimatedSize " + est + ", weightedSize " + ws2 + ", size " + size + ", evictionCount " + ec
                            + ", SIZE notified " + sizeNotified.get());
        });
    }

    /** close() "stops the cache's scheduled maintenance": it must not wait for a compute function. */
    @Test
    void closeDoesNotWaitForAComputeWithASchedulerAndExpiredBusyEntries() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor();
            try {
                KvCache<Integer, Integer> cache = KvCache.builder().scheduler(s).timeToLive(Duration.ofMillis(100))
                        .maximumSize(1_000).build();
                for (int k : busyKeys(50, 1)) {
                    cache.put(k, 1);
                }
                CountDownLatch in = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                Thread h = holder(cache, busyKeys(1, 2_000_000).get(0), 1, in, release);
                assertTrue(in.await(10, TimeUnit.SECONDS));
                Thread.sleep(400); // expired, scheduler passes find the segment busy
                long t0 = System.nanoTime();
                Thread c = new Thread(cache::close, "closer");
                c.setDaemon(true);
                c.start();
                c.join(2_000);
                boolean closed = !c.isAlive();
                release.countDown();
                h.join(10_000);
                c.join(10_000);
                assertTrue(closed, "close() waited for the compute: "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
                cache.cleanUp();
                assertEquals(1, cache.estimatedSize());
            } finally {
                s.shutdownNow();
            }
        });
    }
}
