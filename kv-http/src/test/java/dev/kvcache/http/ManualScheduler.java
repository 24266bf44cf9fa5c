package dev.kvcache.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose periodic tasks run only when a test calls {@link #runPeriodicTasks()}: it records
 * them, and hands them to its thread with a one-day delay so that they never run on their own.
 */
final class ManualScheduler extends ScheduledThreadPoolExecutor {
    private final List<Runnable> periodic = new CopyOnWriteArrayList<>();
    private final List<Long> delaysNanos = new CopyOnWriteArrayList<>();

    ManualScheduler() {
        super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        periodic.add(command);
        delaysNanos.add(unit.toNanos(delay));
        return super.scheduleWithFixedDelay(command, 1, 1, TimeUnit.DAYS);
    }

    /** Runs every recorded periodic task once, on the calling thread. */
    void runPeriodicTasks() {
        periodic.forEach(Runnable::run);
    }

    int periodicTaskCount() {
        return periodic.size();
    }

    List<Long> delaysNanos() {
        return delaysNanos;
    }
}
