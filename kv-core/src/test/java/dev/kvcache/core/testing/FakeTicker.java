package dev.kvcache.core.testing;

import dev.kvcache.core.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that only moves when a test advances it, so every expiry decision is exact and
 * repeatable. The one test ticker of the project: kv-http and kv-bench get it through kv-core's
 * test-jar. Thread-safe, and atomic rather than plain so that an advance in one Lincheck thread is a
 * visible, schedulable event for the others (the model checker may switch threads at each read and
 * advance).
 */
public final class FakeTicker implements Ticker {
    /** An arbitrary non-zero origin: only differences between readings are meaningful. */
    public static final long DEFAULT_START_NANOS = 1_234_567_890_123L;

    private final AtomicLong nanos;

    /** Starts at {@link #DEFAULT_START_NANOS}. */
    public FakeTicker() {
        this(DEFAULT_START_NANOS);
    }

    public FakeTicker(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    @Override
    public long read() {
        return nanos.get();
    }

    /**
     * Moves time forward and returns the new reading.
     *
     * @throws IllegalArgumentException if {@code deltaNanos} is negative
     */
    public long advance(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("a ticker never goes backwards, delta was " + deltaNanos);
        }
        return nanos.addAndGet(deltaNanos);
    }

    /** As {@link #advance(long)}, in the delta's nanoseconds. */
    public long advance(Duration delta) {
        return advance(delta.toNanos());
    }
}
