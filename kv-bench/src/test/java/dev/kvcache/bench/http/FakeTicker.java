package dev.kvcache.bench.http;

import dev.kvcache.core.Ticker;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when a test says so; starts at an arbitrary non-zero time. */
final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(7_000_000_000L);

    @Override
    public long read() {
        return nanos.get();
    }

    void advanceMillis(long millis) {
        nanos.addAndGet(millis * 1_000_000);
    }
}
