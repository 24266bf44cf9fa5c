package dev.kvcache.core;

/**
 * Receives a cache's statistics as they happen, so that a metrics library can count them in its own
 * meters instead of polling {@link KvCache#stats()}. Set one with
 * {@link KvCacheBuilder#recordStats(java.util.function.Supplier)}; {@link #striped()} is the counter
 * {@link KvCacheBuilder#recordStats()} uses, which an implementation may also forward to.
 *
 * <p>The cache calls these methods on the threads of its operations, for every operation, so they
 * must be thread-safe, fast and non-blocking. They are called outside the cache's segment locks
 * (removals found by maintenance are recorded while it holds the maintenance lock). Whatever a
 * {@code record} method throws is caught and logged once (through {@link System.Logger}, as a
 * listener's failure is): it never reaches the caller nor disturbs the cache.
 * Every method does nothing by default ({@link #snapshot()} returns {@link CacheStats#empty()}), so an
 * implementation overrides only what it counts.
 */
public interface StatsCounter {

    /** A read found a live value ({@link CacheStats#hitCount()}). */
    default void recordHit() {}

    /** A read found no live value ({@link CacheStats#missCount()}). */
    default void recordMiss() {}

    /** A value was stored ({@link CacheStats#putCount()}). */
    default void recordPut() {}

    /**
     * An entry was removed, once per removal that the removal listener is told of:
     * {@link RemovalCause#SIZE} counts in {@link CacheStats#evictionCount()} and
     * {@link CacheStats#evictionWeight()}, {@link RemovalCause#EXPIRED} and {@link RemovalCause#EXPLICIT}
     * in their counts; {@link RemovalCause#REPLACED} is in none (the put that replaced it is).
     *
     * @param cause why
     * @param weight the entry's weight: what the weigher gave it, or 1 without a weigher
     */
    default void recordRemoval(RemovalCause cause, long weight) {}

    /**
     * A loader call returned a value ({@link CacheStats#loadSuccessCount()}): {@code load}, {@code reload},
     * or a {@code loadAll} that returned normally.
     *
     * @param loadTimeNanos how long it took, by the cache's ticker, zero or more
     */
    default void recordLoadSuccess(long loadTimeNanos) {}

    /**
     * A loader call threw or returned {@code null} ({@link CacheStats#loadFailureCount()}).
     *
     * @param loadTimeNanos how long it took, by the cache's ticker, zero or more
     */
    default void recordLoadFailure(long loadTimeNanos) {}

    /**
     * A {@link LoadingCache#refresh refresh}'s loader returned a value, which was stored unless a write
     * won ({@link CacheStats#refreshSuccessCount()}).
     */
    default void recordRefreshSuccess() {}

    /**
     * A {@link LoadingCache#refresh refresh} failed: its loader threw or returned {@code null}, its
     * store failed (a weigher or expiry function threw), or the executor refused it
     * ({@link CacheStats#refreshFailureCount()}).
     */
    default void recordRefreshFailure() {}

    /**
     * Returns the counts so far, for {@link KvCache#stats()}.
     *
     * @return a snapshot, never null
     */
    default CacheStats snapshot() {
        return CacheStats.empty();
    }

    /**
     * Returns a new counter that counts everything in lock-free striped adders
     * ({@link java.util.concurrent.atomic.LongAdder}): contention-free, and allocation-free once warm.
     *
     * @return a new counter whose {@link #snapshot()} reports every count
     */
    static StatsCounter striped() {
        return new StatsCounters.Striped();
    }
}
