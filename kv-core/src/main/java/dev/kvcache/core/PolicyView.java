package dev.kvcache.core;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * {@link KvCache#policy()}: the builder's settings, fixed at construction, and the weighted size: the
 * {@link S3FifoPolicy}'s total read under the maintenance lock ({@link Maintenance#weightedSize}; its
 * totals are maintenance-owned plain fields, so an unlocked read could see a torn or stale total), or
 * the table's entry count for an unbounded cache.
 */
final class PolicyView<K, V> implements Policy<K, V> {
    private final Duration timeToLive;
    private final OptionalLong maximum;
    private final boolean weighted;
    private final LongSupplier weightedSize;

    PolicyView(long defaultTtlNanos, long maximumWeight, boolean weighted, LongSupplier weightedSize) {
        this.timeToLive = defaultTtlNanos == Ttl.NEVER_NANOS ? KvCache.NEVER : Duration.ofNanos(defaultTtlNanos);
        this.maximum = maximumWeight == KvCacheBuilder.UNSET ? OptionalLong.empty() : OptionalLong.of(maximumWeight);
        this.weighted = weighted && maximum.isPresent();
        this.weightedSize = weightedSize;
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
        return weightedSize.getAsLong();
    }

    @Override
    public String toString() {
        return "Policy[timeToLive=" + (timeToLive.equals(KvCache.NEVER) ? "never" : timeToLive)
                + ", maximum=" + (maximum.isPresent() ? maximum.getAsLong() + (weighted ? " (weight)" : " (entries)") : "none")
                + "]";
    }
}
