package dev.kvcache.core;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * A read-only view of how a {@link KvCache} expires and bounds its entries, as its
 * {@link KvCacheBuilder builder} configured it: for code that is handed a cache it did not build (a
 * server that reports the bounds, a metrics binding). Obtain it with {@link KvCache#policy()}.
 *
 * <p>The configuration methods ({@link #timeToLive()}, {@link #maximum()}, {@link #isWeighted()})
 * return what the builder set and never change. {@link #weightedSize()} is a live reading. All methods
 * are safe to call from any thread, and none returns {@code null}.
 *
 * @param <K> the cache's key type
 * @param <V> the cache's value type
 */
public interface Policy<K, V> {

    /**
     * Returns the time-to-live of entries written without their own ({@link KvCache#put(Object, Object)},
     * {@link KvCache#putIfAbsent(Object, Object)}, {@code replace}, loads, {@link KvCache#asMap()} writes):
     * the builder's {@link KvCacheBuilder#timeToLive timeToLive}, or {@link KvCache#NEVER} if it set none.
     * Writes that give their own TTL are not affected by it.
     *
     * @return the default time-to-live, positive, or {@link KvCache#NEVER}
     */
    Duration timeToLive();

    /**
     * Returns the bound the cache evicts to stay within: the {@link KvCacheBuilder#maximumSize
     * maximum size} in entries, or the {@link KvCacheBuilder#maximumWeight maximum weight} when
     * {@link #isWeighted()}.
     *
     * @return the bound, zero or more, or empty if the cache is unbounded
     */
    OptionalLong maximum();

    /**
     * Returns whether {@link #maximum()} is a bound on the sum of the entries' weights (built with
     * {@link KvCacheBuilder#maximumWeight}) rather than on their number.
     *
     * @return {@code true} for a weight bound; {@code false} for a size bound or an unbounded cache
     */
    boolean isWeighted();

    /**
     * Returns the total that {@link #maximum()} bounds, an estimate: for a weighted cache the sum of the
     * weights its weigher gave the entries held, for a size-bounded cache the number of entries held
     * (each weighs 1), and for an unbounded cache {@link KvCache#estimatedSize()}. Like
     * {@code estimatedSize()}, it counts expired entries not yet reclaimed, and it may miss writes still
     * in flight; with no write in flight and after {@link KvCache#cleanUp()} it is exact.
     *
     * <p>For a bounded cache this waits for a maintenance pass in progress on another thread (usually
     * microseconds) to read a consistent total; it allocates nothing.
     *
     * @return the weighted size, zero or more
     * @throws IllegalStateException if called, for a bounded cache, from inside a compute function of
     *     the same cache ({@code asMap().compute} and its kin)
     */
    long weightedSize();
}
