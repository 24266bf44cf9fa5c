package dev.kvcache.http;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims the expired entries of a handler's cache every {@link #PERIOD} while the handler runs, so that
 * {@code /size}, {@code cache_size} and {@code cache_bytes} stop counting an expired entry soon after its
 * deadline even when no request arrives (kv-core otherwise reclaims only during operations).
 *
 * <p>Each run is {@code KvCache.cleanUp()}, on one daemon thread of its own: it reclaims every entry due
 * at that instant (a full pass of the current timer-wheel bucket, not only the buckets time has left), so
 * an expired entry is counted at most one period plus one run after its deadline. A run takes the cache's
 * maintenance lock, which no read waits for and writers only {@code tryLock}; when nothing is due it
 * costs a few hundred nanoseconds.
 *
 * <p>The thread exists only between the handler's start and stop (this is a managed bean of the
 * handler), so an application that embeds the handler never inherits a thread it did not start, and a
 * handler stopped and started again reclaims again. kv-core's own {@code KvCacheBuilder.scheduler} is not
 * used for this because it binds the scheduler when the cache is built, before the handler has a
 * lifecycle to stop it with.
 */
final class Reclaimer extends AbstractLifeCycle {
    /** The time between two runs. */
    static final Duration PERIOD = Duration.ofMillis(100);

    private static final Logger LOG = LoggerFactory.getLogger(Reclaimer.class);

    private final Runnable cleanUp;
    private final Supplier<? extends ScheduledExecutorService> schedulers;
    private ScheduledExecutorService scheduler;

    /**
     * @param cleanUp one run: {@code KvCache.cleanUp()} of the handler's cache
     * @param schedulers makes the executor the runs are scheduled on, once per start; it is shut down at
     *     stop
     */
    Reclaimer(Runnable cleanUp, Supplier<? extends ScheduledExecutorService> schedulers) {
        this.cleanUp = Objects.requireNonNull(cleanUp, "cleanUp");
        this.schedulers = Objects.requireNonNull(schedulers, "schedulers");
    }

    /** The default executor: one daemon thread, named for thread dumps. */
    static ScheduledExecutorService daemonScheduler() {
        return Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "kvcache-reclaimer");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    protected void doStart() {
        scheduler = schedulers.get();
        long nanos = PERIOD.toNanos();
        scheduler.scheduleWithFixedDelay(this::reclaim, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    protected void doStop() throws InterruptedException {
        ScheduledExecutorService stopping = scheduler;
        scheduler = null;
        stopping.shutdownNow();
        // A run in progress finishes in microseconds; do not leave it racing the handler's stop.
        stopping.awaitTermination(1, TimeUnit.SECONDS);
    }

    /**
     * One run; never throws, since anything thrown would end the fixed-delay schedule for good. That
     * includes an {@code OutOfMemoryError}: a heap full for a moment must not stop reclamation for the
     * rest of the handler's life (the entries it would free are what the heap needs).
     */
    void reclaim() {
        try {
            cleanUp.run();
        } catch (Throwable e) {
            try {
                LOG.warn("Reclaiming expired entries failed; retrying in {} ms", PERIOD.toMillis(), e);
            } catch (Throwable logFailed) {
                // Logging may itself run out of heap; the next run is what matters.
            }
        }
    }
}
