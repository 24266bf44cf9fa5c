package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With a scheduler, expired entries are reclaimed while no thread touches the cache, and
 * {@link KvCache#close()} stops that. The one end-to-end timing test of the module: it polls for up to
 * a few seconds for a task documented to run about every 70 ms.
 */
class SchedulerTest {
    private static final Duration TTL = Duration.ofSeconds(10);

    @Test
    void schedulerReclaimsExpiredEntriesWithoutAnyCacheCallUntilClosed() throws InterruptedException {
        FakeTicker ticker = new FakeTicker();
        RecordingListener<Integer, String> listener = new RecordingListener<>();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            KvCache<Integer, String> cache = KvCache.builder()
                    .ticker(ticker)
                    .timeToLive(TTL)
                    .scheduler(scheduler)
                    .removalListener(listener)
                    .build();
            for (int i = 0; i < 10; i++) {
                cache.put(i, "v" + i);
            }
            cache.put(100, "forever", KvCache.NEVER);

            ticker.advance(TTL);
            // No cache call from here on: only the scheduled task can reclaim the entries.
            assertTrue(awaitNotifications(listener, 10, Duration.ofSeconds(5)),
                    "scheduled maintenance reclaimed " + listener.size() + " of 10 expired entries");
            assertEquals(10, listener.count(RemovalCause.EXPIRED));
            assertEquals(10, listener.size());

            cache.close();
            assertFalse(scheduler.isShutdown(), "the cache must not shut down a scheduler it does not own");
            // Let a maintenance run that started before close() finish, then write entries that
            // only a still-running task could reclaim.
            Thread.sleep(200);
            listener.clear();
            cache.put(1, "after close");
            ticker.advance(TTL);
            Thread.sleep(500);
            assertEquals(0, listener.size(), () -> "reclaimed after close: " + listener.removals());

            // Still usable, and its own operations still maintain it.
            cache.cleanUp();
            assertEquals(1, listener.count(RemovalCause.EXPIRED));
            assertEquals(1, cache.estimatedSize());
            assertEquals("forever", cache.getIfPresent(100));
        } finally {
            scheduler.shutdownNow();
            assertTrue(scheduler.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    private static boolean awaitNotifications(RecordingListener<?, ?> listener, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (listener.size() < count) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
