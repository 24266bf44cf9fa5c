package dev.kvcache.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that only moves when a test advances it, so every expiry decision is exact and
 * repeatable. Thread-safe: one thread may advance it while others read.
 */
final class FakeTicker implements Ticker {
    private final AtomicLong nanos;

    /** Starts at an arbitrary non-zero origin, because only differences between readings are meaningful. */
    FakeTicker() {
        this(1_234_567_890_123L);
    }

    FakeTicker(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    @Override
    public long read() {
        return nanos.get();
    }

    /** Moves time forward and returns the new reading. */
    long advance(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("a ticker never goes backwards, delta was " + deltaNanos);
        }
        return nanos.addAndGet(deltaNanos);
    }

    long advance(Duration delta) {
        return advance(delta.toNanos());
    }
}
