package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Hostile review of b95d82a: Policy#hottest still says "Costs O(entries held) under the maintenance lock
 * (which writers only tryLock, so it delays no one but other maintenance)". With back-pressure the 33rd
 * write left to the holder waits for that lock, so a writer is held for the whole ranking.
 */
class HostileBackPressureDocTest {

    // FAILS on b95d82a (passes on b95d82a~1): a writer now parks on the maintenance lock during hottest's ranking.
    @Test
    void hottestDelaysNoWriter() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int n = 1_000_000;
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
                    for (int i = 0; i < 100; i++) {
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
            }
            assertTrue(seen == null, seen);
        });
    }
}
