package dev.kvcache.core;

import java.time.Duration;
import java.util.Objects;

/** Converts and checks time-to-live values. {@link Long#MAX_VALUE} nanoseconds means "never". */
final class Ttl {
    static final long NEVER_NANOS = Long.MAX_VALUE;
    /** Passed by writes without a TTL of their own: the cache's default, or its expiry function's. */
    static final long DEFAULT_NANOS = -1;

    private Ttl() {}

    static long toNanos(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        // Saturates at Long.MAX_VALUE (about 292 years), which reads as "never".
        long seconds = ttl.getSeconds();
        if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
            return NEVER_NANOS;
        }
        return ttl.toNanos();
    }

    /** The deadline of an entry written at {@code now}; {@link #NEVER_NANOS} when it never expires. */
    static long deadline(long now, long ttlNanos) {
        if (ttlNanos == NEVER_NANOS) {
            return NEVER_NANOS;
        }
        long deadline = now + ttlNanos; // ttlNanos > 0, so it overflowed iff it lies before now
        // Not "deadline < 0": times are relative to the cache's origin, but a ticker that steps back
        // below it makes now negative, and a short TTL's deadline then is too, not "never".
        return deadline < now ? NEVER_NANOS : deadline;
    }
}
