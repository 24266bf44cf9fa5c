package dev.kvcache.core;

/**
 * An immutable snapshot of a cache's counters. All counts are non-negative and only grow over the
 * life of a cache, so two snapshots can be subtracted with {@link #minus} to get the activity of an
 * interval. Counters are read one after another, not atomically, so under concurrent use a snapshot
 * may be off by the operations in flight.
 *
 * @param hitCount reads that returned a live value: {@code getIfPresent}, {@code getEntryIfPresent},
 *     {@code getAllPresent}, {@code get(k, loader)} and a loading cache's {@code get} and
 *     {@code getAll}; as in Caffeine, the reads of {@link KvCache#asMap()} ({@code get},
 *     {@code getOrDefault}, {@code containsKey}, {@code computeIfAbsent} of a live key, iteration, ...)
 *     and {@link Policy}'s quiet reads count neither a hit nor a miss
 * @param missCount reads that found no live value (absent or expired), by the same reads, including
 *     loads' first lookups (each key of {@code getAll} and {@code getAllPresent} is one read)
 * @param putCount values stored (puts, successful conditional writes, and loads)
 * @param evictionCount entries removed to keep the cache within its bound ({@link RemovalCause#SIZE})
 * @param expirationCount entries removed because their TTL passed ({@link RemovalCause#EXPIRED})
 * @param removalCount entries removed explicitly ({@link RemovalCause#EXPLICIT})
 * @param loadSuccessCount loader calls that returned a value: {@code load}, a refresh's {@code reload}
 *     or {@code load}, and a {@code loadAll} that returned a map (one per call, whatever it held)
 * @param loadFailureCount loader calls that threw or returned null (a {@code loadAll} that threw,
 *     even a {@link BulkLoadException} for some keys, is one failure)
 * @param totalLoadTimeNanos time spent in loader calls, successful or not, by the cache's ticker
 * @param evictionWeight the sum of the weights of the entries counted in {@code evictionCount} (their
 *     number, for a cache bounded by size)
 * @param refreshSuccessCount {@link LoadingCache#refresh refreshes} whose loader returned a value
 *     (also counted as loads; stored unless a write won)
 * @param refreshFailureCount refreshes whose loader threw or returned null, whose store failed (a
 *     weigher or expiry function threw), or that the executor refused
 */
public record CacheStats(
        long hitCount,
        long missCount,
        long putCount,
        long evictionCount,
        long expirationCount,
        long removalCount,
        long loadSuccessCount,
        long loadFailureCount,
        long totalLoadTimeNanos,
        long evictionWeight,
        long refreshSuccessCount,
        long refreshFailureCount) {

    private static final CacheStats EMPTY = new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * Checks that every count is non-negative.
     *
     * @throws IllegalArgumentException if a count is negative
     */
    public CacheStats {
        if ((hitCount | missCount | putCount | evictionCount | expirationCount | removalCount
                | loadSuccessCount | loadFailureCount | totalLoadTimeNanos | evictionWeight
                | refreshSuccessCount | refreshFailureCount) < 0) {
            throw new IllegalArgumentException("negative count in " + describe(hitCount, missCount, putCount,
                    evictionCount, expirationCount, removalCount, loadSuccessCount, loadFailureCount,
                    totalLoadTimeNanos, evictionWeight, refreshSuccessCount, refreshFailureCount));
        }
    }

    /**
     * The counts of the first versions of this record, with no eviction weight and no refreshes.
     *
     * @throws IllegalArgumentException if a count is negative
     */
    public CacheStats(long hitCount, long missCount, long putCount, long evictionCount, long expirationCount,
            long removalCount, long loadSuccessCount, long loadFailureCount, long totalLoadTimeNanos) {
        this(hitCount, missCount, putCount, evictionCount, expirationCount, removalCount, loadSuccessCount,
                loadFailureCount, totalLoadTimeNanos, 0, 0, 0);
    }

    /** @return the snapshot with every count zero */
    public static CacheStats empty() {
        return EMPTY;
    }

    /** @return {@code hitCount + missCount}, saturating at {@link Long#MAX_VALUE} */
    public long requestCount() {
        return saturatedAdd(hitCount, missCount);
    }

    /** @return {@code hitCount / requestCount}, or {@code 1.0} when there were no requests */
    public double hitRate() {
        long requests = requestCount();
        return requests == 0 ? 1.0 : (double) hitCount / requests;
    }

    /** @return {@code missCount / requestCount}, or {@code 0.0} when there were no requests */
    public double missRate() {
        long requests = requestCount();
        return requests == 0 ? 0.0 : (double) missCount / requests;
    }

    /** @return {@code loadSuccessCount + loadFailureCount}, the loader calls, saturating at {@link Long#MAX_VALUE} */
    public long loadCount() {
        return saturatedAdd(loadSuccessCount, loadFailureCount);
    }

    /** @return {@code loadFailureCount / loadCount}, or {@code 0.0} when there were no loads */
    public double loadFailureRate() {
        long loads = loadCount();
        return loads == 0 ? 0.0 : (double) loadFailureCount / loads;
    }

    /** @return the mean nanoseconds per loader call, or {@code 0.0} when there were no loads */
    public double averageLoadPenaltyNanos() {
        long loads = loadCount();
        return loads == 0 ? 0.0 : (double) totalLoadTimeNanos / loads;
    }

    /**
     * Returns the difference of two snapshots, each count floored at zero.
     *
     * @param other an earlier snapshot of the same cache
     * @return {@code this - other}
     */
    public CacheStats minus(CacheStats other) {
        return new CacheStats(
                Math.max(0, hitCount - other.hitCount),
                Math.max(0, missCount - other.missCount),
                Math.max(0, putCount - other.putCount),
                Math.max(0, evictionCount - other.evictionCount),
                Math.max(0, expirationCount - other.expirationCount),
                Math.max(0, removalCount - other.removalCount),
                Math.max(0, loadSuccessCount - other.loadSuccessCount),
                Math.max(0, loadFailureCount - other.loadFailureCount),
                Math.max(0, totalLoadTimeNanos - other.totalLoadTimeNanos),
                Math.max(0, evictionWeight - other.evictionWeight),
                Math.max(0, refreshSuccessCount - other.refreshSuccessCount),
                Math.max(0, refreshFailureCount - other.refreshFailureCount));
    }

    /**
     * Returns the sum of two snapshots, each count saturating at {@link Long#MAX_VALUE}.
     *
     * @param other another snapshot
     * @return {@code this + other}
     */
    public CacheStats plus(CacheStats other) {
        return new CacheStats(
                saturatedAdd(hitCount, other.hitCount),
                saturatedAdd(missCount, other.missCount),
                saturatedAdd(putCount, other.putCount),
                saturatedAdd(evictionCount, other.evictionCount),
                saturatedAdd(expirationCount, other.expirationCount),
                saturatedAdd(removalCount, other.removalCount),
                saturatedAdd(loadSuccessCount, other.loadSuccessCount),
                saturatedAdd(loadFailureCount, other.loadFailureCount),
                saturatedAdd(totalLoadTimeNanos, other.totalLoadTimeNanos),
                saturatedAdd(evictionWeight, other.evictionWeight),
                saturatedAdd(refreshSuccessCount, other.refreshSuccessCount),
                saturatedAdd(refreshFailureCount, other.refreshFailureCount));
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static String describe(long... counts) {
        return java.util.Arrays.toString(counts);
    }
}
