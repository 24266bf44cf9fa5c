package dev.kvcache.bench.property;

import dev.kvcache.core.Ticker;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when told to; starts at an arbitrary non-zero time. */
final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_234_567_890L);

    @Override
    public long read() {
        return nanos.get();
    }

    void advance(long deltaNanos) {
        nanos.addAndGet(deltaNanos);
    }
}
