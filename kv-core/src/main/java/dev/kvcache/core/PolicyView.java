package dev.kvcache.core;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@link KvCache#policy()}. The default TTL and the kind of bound are fixed at construction; the
 * maximum is the {@link S3FifoPolicy}'s (volatile, changed under the maintenance lock); the weighted
 * size is the policy's total read under the maintenance lock ({@link Maintenance#weightedSize}; its
 * totals are maintenance-owned plain fields, so an unlocked read could see a torn or stale total), or
 * the table's entry count for an unbounded cache.
 */
final class PolicyView<K, V> implements Policy<K, V> {
    private final Duration timeToLive;
    private final boolean weighted;
    private final S3FifoPolicy<K, V> policy;
    private final Maintenance<K, V> maintenance;
    private final NodeTable<K, V> table;
    private final ExpiringCache<K, V> cache;

    PolicyView(long builderTtlNanos, boolean weighted, S3FifoPolicy<K, V> policy, Maintenance<K, V> maintenance,
            NodeTable<K, V> table, ExpiringCache<K, V> cache) {
        this.cache = cache;
        this.timeToLive = builderTtlNanos == Ttl.NEVER_NANOS ? KvCache.NEVER : Duration.ofNanos(builderTtlNanos);
        this.weighted = weighted && policy != null;
        this.policy = policy;
        this.maintenance = maintenance;
        this.table = table;
    }

    @Override
    public V getIfPresentQuietly(K key) {
        CacheEntry<K, V> entry = cache.peekEntry(key);
        return entry == null ? null : entry.getValue();
    }

    @Override
    public CacheEntry<K, V> getEntryIfPresentQuietly(K key) {
        return cache.peekEntry(key);
    }

    @Override
    public Duration timeToLive() {
        return timeToLive;
    }

    @Override
    public OptionalLong maximum() {
        return policy == null ? OptionalLong.empty() : OptionalLong.of(policy.maximumWeight());
    }

    @Override
    public boolean isWeighted() {
        return weighted;
    }

    @Override
    public long weightedSize() {
        return policy == null ? table.size() : maintenance.weightedSize();
    }

    @Override
    public void setMaximum(long maximum) {
        if (maximum < 0) {
            throw new IllegalArgumentException("maximum must be >= 0, was " + maximum);
        }
        requireBounded("setMaximum");
        maintenance.setMaximum(maximum);
    }

    @Override
    public List<K> hottest(int n) {
        return ranked(n, true);
    }

    @Override
    public List<K> coldest(int n) {
        return ranked(n, false);
    }

    private List<K> ranked(int n, boolean hottest) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        requireBounded(hottest ? "hottest" : "coldest");
        return n == 0 ? List.of() : maintenance.ranked(n, hottest);
    }

    private void requireBounded(String method) {
        if (policy == null) {
            throw new UnsupportedOperationException(method + " needs a bounded cache (built with maximumSize or"
                    + " maximumWeight); this cache is unbounded");
        }
    }

    @Override
    public String toString() {
        OptionalLong maximum = maximum();
        return "Policy[timeToLive=" + (timeToLive.equals(KvCache.NEVER) ? "never" : timeToLive)
                + ", maximum=" + (maximum.isPresent() ? maximum.getAsLong() + (weighted ? " (weight)" : " (entries)") : "none")
                + "]";
    }
}
