package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Hostile review of b95d82a: Policy#hottest said "Costs O(entries held) under the maintenance lock
 * (which writers only tryLock, so it delays no one but other maintenance)", no longer true with
 * back-pressure. It now says a ranking delays writers only once they have left it 32 writes, and
 * drains those when it ends: a writer of fewer writes during a ranking never parks in maintenance,
 * and once the ranking ends the bound holds with no other call.
 */
class HostileBackPressureDocTest {

    @Test
    void hottestDelaysAWriterOnlyOnceItHasLeftItThirtyTwoWrites() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int n = 1_000_000;
            int writes = 20; // fewer than the 32 a ranking may be left before writers wait for it
            KvCache<Integer, Integer> cache = KvCache.<Integer, Integer>builder().maximumSize(n).initialCapacity(2 * n).build();
            for (int i = 0; i < n; i++) {
                cache.put(i, i);
            }
            String seen = null;
            for (int round = 0; round < 5 && seen == null; round++) {
                CountDownLatch started = new CountDownLatch(1);
                Thread ranker = new Thread(() -> {
                    started.countDown();
                    cache.policy().hottest(10); // O(entries) under the maintenance lock
                });
                int base = n + round * 1_000;
                Thread writer = new Thread(() -> {
                    for (int i = 0; i < writes; i++) {
                        cache.put(base + i, i);
                    }
                }, "writer");
                ranker.start();
                started.await();
                Thread.sleep(1);
                writer.start();
                while (writer.isAlive() && seen == null) {
                    Thread.State state = writer.getState();
                    StackTraceElement[] stack = writer.getStackTrace();
                    if (state == Thread.State.WAITING && ranker.isAlive()) {
                        for (StackTraceElement e : stack) {
                            if (e.getClassName().equals("dev.kvcache.core.Maintenance")) {
                                seen = "round " + round + ": the writer parked at " + e + " while hottest ranked";
                                break;
                            }
                        }
                    }
                }
                writer.join();
                ranker.join();
                assertTrue(cache.estimatedSize() <= n, "round " + round + ": " + cache.estimatedSize()
                        + " entries once the ranking ended, bound " + n);
            }
            assertTrue(seen == null, seen);
        });
    }

    /**
     * Policy#weightedSize takes no lock and never waits. A cleanUp() holds the maintenance lock while it
     * waits for a segment held by a compute function (its expired entries live there); a gauge reading
     * weightedSize() meanwhile must still get its answer.
     */
    @Test
    void weightedSizeDoesNotWaitForAMaintenancePass() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int s = 3;
            FakeTicker ticker = new FakeTicker();
            KvCache<Integer, Integer> cache = KvCache.<Integer, Integer>builder().ticker(ticker)
                    .timeToLive(Duration.ofSeconds(1)).maximumSize(100).initialCapacity(1_000).build();
            for (int i = 1; i <= 3; i++) {
                cache.put(HostileBackPressureDeadlockTest.keyIn(s, i), i); // all in segment s
            }
            ticker.advance(Duration.ofSeconds(2)); // all expired, none reclaimed yet
            CountDownLatch inCompute = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread computer = new Thread(() -> cache.asMap().compute(HostileBackPressureDeadlockTest.keyIn(s, 0), (k, v) -> {
                inCompute.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            }));
            computer.start();
            inCompute.await();
            Thread cleaner = new Thread(cache::cleanUp); // waits for segment s under the maintenance lock
            cleaner.start();
            while (cleaner.getState() != Thread.State.WAITING && cleaner.isAlive()) {
                Thread.sleep(1);
            }
            long size = cache.policy().weightedSize(); // hung here while cleanUp waited, when it took the lock
            boolean cleanerWaiting = cleaner.isAlive();
            release.countDown();
            computer.join();
            cleaner.join();
            assertTrue(cleanerWaiting, "the set-up failed: cleanUp did not wait for the compute function");
            assertTrue(size == 3, "weightedSize " + size + " (three expired entries not yet reclaimed)");
            cache.cleanUp();
            assertTrue(cache.policy().weightedSize() == 1, "after cleanUp: " + cache.policy().weightedSize());
        });
    }
}
