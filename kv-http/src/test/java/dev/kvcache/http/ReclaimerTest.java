package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reclaimer keeps running after a run fails, with an {@code Error} (such as out of heap) too. */
class ReclaimerTest {

    @Test
    void aRunThatRunsOutOfHeapDoesNotEndTheSchedule() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch afterTheFailure = new CountDownLatch(2);
        Reclaimer reclaimer = new Reclaimer(() -> {
            if (runs.incrementAndGet() == 1) {
                // Seen on a -Xmx32m server under a flood: an OutOfMemoryError killed the thread, and /size
                // never dropped again. JUnit treats an OutOfMemoryError as fatal, so another Error stands in.
                throw new InternalError("out of heap");
            }
            afterTheFailure.countDown();
        }, Reclaimer::daemonScheduler);

        assertDoesNotThrow(reclaimer::reclaim, "an Error escaping a run ends a fixed-delay schedule");
        reclaimer.start();
        try {
            // The real executor, every 100 ms: allow a generous 10 s for two more runs.
            assertTrue(afterTheFailure.await(10, TimeUnit.SECONDS), "runs after the failed one: " + runs);
        } finally {
            reclaimer.stop();
        }
    }

    @Test
    void aScheduledRunThatThrowsAnErrorIsRetried() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(1);
        Reclaimer reclaimer = new Reclaimer(() -> {
            int n = runs.incrementAndGet();
            if (n < 3) {
                throw new StackOverflowError("run " + n);
            }
            third.countDown();
        }, Reclaimer::daemonScheduler);
        reclaimer.start();
        try {
            assertTrue(third.await(10, TimeUnit.SECONDS), "runs: " + runs);
        } finally {
            reclaimer.stop();
        }
        assertTrue(runs.get() >= 3);
    }
}
