package dev.kvcache.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Ticker#coarse()}: {@link System#nanoTime()} sampled by one daemon thread about every
 * millisecond, so that a cache hit costs a volatile load instead of a clock call.
 */
final class CoarseTicker implements Ticker {
    static final CoarseTicker INSTANCE = new CoarseTicker();

    /** How often the clock thread refreshes {@link #now}. */
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /*
     * Volatile: readers on other threads must see each refresh promptly (a plain field could be hoisted
     * out of a reader's loop by the JIT and never change). On x86 the volatile load is a plain MOV.
     */
    private volatile long now = System.nanoTime();

    private CoarseTicker() {
        Thread clock = new Thread(this::run, "kvcache-clock");
        clock.setDaemon(true);
        clock.start();
    }

    private void run() {
        for (;;) {
            LockSupport.parkNanos(PERIOD_NANOS);
            // Single writer: no read-modify-write needed; nanoTime never goes backwards.
            now = System.nanoTime();
        }
    }

    @Override
    public long read() {
        return now;
    }

    @Override
    public String toString() {
        return "Ticker.coarse()";
    }
}
