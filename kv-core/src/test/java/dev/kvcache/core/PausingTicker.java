package dev.kvcache.core;

import dev.kvcache.core.testing.FakeTicker;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A ticker over a {@link FakeTicker} that, once, holds a chosen thread right after it read the time,
 * as a preemption at that point would: the thread goes on with a reading that has since become stale.
 * Lets a test run other operations in that window deterministically.
 */
final class PausingTicker implements Ticker {
    private final FakeTicker time;
    private volatile Thread toPause;
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);

    PausingTicker(FakeTicker time) {
        this.time = time;
    }

    /** Arms the pause for the next read by {@code thread}. */
    void pauseNextReadBy(Thread thread) {
        toPause = thread;
    }

    /** Waits until the armed thread has read the time and is held. */
    boolean awaitPaused() throws InterruptedException {
        return paused.await(10, TimeUnit.SECONDS);
    }

    void resume() {
        resume.countDown();
    }

    @Override
    public long read() {
        long now = time.read();
        if (Thread.currentThread() == toPause) {
            toPause = null;
            paused.countDown();
            try {
                resume.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return now;
    }
}
