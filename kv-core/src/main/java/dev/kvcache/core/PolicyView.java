package dev.kvcache.core;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * {@link KvCache#policy()}: the builder's settings, fixed at construction, and the weighted size read
 * from the {@link S3FifoPolicy} under the maintenance lock (its totals are maintenance-owned plain
 * fields, so an unlocked read could see a torn or stale total).
 */
final class PolicyView<K, V> implements Policy<K, V> {
    private final Duration timeToLive;
    private final OptionalLong maximum;
    private final boolean weighted;
    /** Null for an unbounded cache, whose weighted size is its entry count. */
    private final S3FifoPolicy<K, V> eviction;
    private final ReentrantLock maintenanceLock;
    private final LongSupplier entryCount;

    PolicyView(long defaultTtlNanos, long maximumWeight, boolean weighted, S3FifoPolicy<K, V> eviction,
            ReentrantLock maintenanceLock, LongSupplier entryCount) {
        this.timeToLive = defaultTtlNanos == Ttl.NEVER_NANOS ? KvCache.NEVER : Duration.ofNanos(defaultTtlNanos);
        this.maximum = maximumWeight == KvCacheBuilder.UNSET ? OptionalLong.empty() : OptionalLong.of(maximumWeight);
        this.weighted = weighted && maximum.isPresent();
        this.eviction = eviction;
        this.maintenanceLock = maintenanceLock;
        this.entryCount = entryCount;
    }

    @Override
    public Duration timeToLive() {
        return timeToLive;
    }

    @Override
    public OptionalLong maximum() {
        return maximum;
    }

    @Override
    public boolean isWeighted() {
        return weighted;
    }

    @Override
    public long weightedSize() {
        if (eviction == null) {
            return entryCount.getAsLong();
        }
        maintenanceLock.lock();
        try {
            return eviction.weightedSize();
        } finally {
            maintenanceLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Policy[timeToLive=" + (timeToLive.equals(KvCache.NEVER) ? "never" : timeToLive)
                + ", maximum=" + (maximum.isPresent() ? maximum.getAsLong() + (weighted ? " (weight)" : " (entries)") : "none")
                + "]";
    }
}
