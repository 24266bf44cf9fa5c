package dev.kvcache.core.lincheck;

import dev.kvcache.core.Ticker;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ticker that moves only when a test advances it. Atomic rather than plain so that an advance in
 * one Lincheck thread is a visible, schedulable event for the others: the model checker may switch
 * threads at each read and advance.
 */
final class ManualTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
        return nanos.get();
    }

    void advance(long deltaNanos) {
        nanos.addAndGet(deltaNanos);
    }
}
