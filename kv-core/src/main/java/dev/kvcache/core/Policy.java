package dev.kvcache.core;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * A view of how a {@link KvCache} expires and bounds its entries: for code that is handed a cache it
 * did not build (a server that reports or tunes the bounds, a metrics binding, an admin page).
 * Obtain it with {@link KvCache#policy()}.
 *
 * <p>{@link #timeToLive()} and {@link #isWeighted()} return what the {@link KvCacheBuilder builder}
 * set and never change. {@link #maximum()} starts as the builder's bound and changes only through
 * {@link #setMaximum}. {@link #weightedSize()}, {@link #hottest} and {@link #coldest} are live readings.
 * {@link #getIfPresentQuietly} and {@link #getEntryIfPresentQuietly} read one entry as a peek. All
 * methods are safe to call from any thread, and none but the two peeks (for an absent key) returns
 * {@code null}.
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
     * {@link #isWeighted()}, as last {@linkplain #setMaximum set}.
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
     * <p>For a bounded cache this reads the total as the last maintenance pass left it (a pass in
     * progress on another thread counts as writes in flight): it takes no lock, never waits, and
     * allocates nothing, so polling it (a metrics gauge) holds up no writer.
     *
     * @return the weighted size, zero or more
     * @throws IllegalStateException if called, for a bounded cache, from inside a compute function of
     *     the same cache ({@code asMap().compute} and its kin)
     */
    long weightedSize();

    /**
     * Changes the bound of a bounded cache (in entries, or in weight if {@link #isWeighted()}). A
     * lowered bound is restored on the calling thread before this returns: it drains pending writes
     * and evicts ({@link RemovalCause#SIZE}, notified and counted as any eviction) until the
     * {@link #weightedSize()} is within it. Writes racing with the call may take the cache over the
     * new bound by the writes in flight, which their own maintenance then evicts, as with the
     * builder's bound. A raised bound evicts nothing. Waits for a maintenance pass in progress on
     * another thread.
     *
     * @param maximum the new bound, zero or more
     * @throws IllegalArgumentException if {@code maximum} is negative
     * @throws UnsupportedOperationException if the cache is unbounded (an unbounded cache keeps no
     *     eviction order, so it cannot be bounded later)
     * @throws IllegalStateException if called from inside a compute function of the same cache
     */
    void setMaximum(long maximum);

    /**
     * Returns up to {@code n} keys of a bounded cache, hottest first, as S3-FIFO sees them: the keys of
     * its main queue (entries read again while in the small queue of newcomers, or re-admitted soon
     * after an eviction) before those of the small queue; within a queue, the higher access count
     * first (reads since the entry was last examined, saturating at 3); among equal counts, the more
     * recently queued first. Only live entries are listed, and only those written before the call
     * (writes still in flight may be missing). The order is a snapshot: reads and writes change it
     * at once, and {@link #coldest} is its exact reverse.
     *
     * <p>Costs O(entries held) under the maintenance lock, plus O(n) allocation; listing a key does not
     * count as an access to it. Writers only {@code tryLock} that lock, so the ranking delays them only
     * once they have left it 32 writes (they then wait for it: see {@link KvCacheBuilder#maximumWeight});
     * the writes left to it are drained when it ends.
     *
     * @param n the most keys to return, zero or more
     * @return an unmodifiable list of at most {@code n} distinct keys
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws UnsupportedOperationException if the cache is unbounded (it keeps no eviction order)
     * @throws IllegalStateException if called from inside a compute function of the same cache
     */
    List<K> hottest(int n);

    /**
     * Returns up to {@code n} keys of a bounded cache, coldest first: the exact reverse of
     * {@link #hottest}'s order, which puts first the small queue's oldest unread entries, roughly the
     * order in which S3-FIFO would evict. Same cost and exceptions as {@link #hottest}.
     *
     * @param n the most keys to return, zero or more
     * @return an unmodifiable list of at most {@code n} distinct keys
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws UnsupportedOperationException if the cache is unbounded
     * @throws IllegalStateException if called from inside a compute function of the same cache
     */
    List<K> coldest(int n);

    /**
     * Returns the value of the key's live entry without counting as an access: unlike
     * {@link KvCache#getIfPresent}, it records no hit or miss in the statistics, runs no
     * {@link Expiry#afterReadNanos read hook}, restarts no {@link KvCacheBuilder#timeToIdle idle time} and
     * tells a bounded cache's eviction nothing. Lock-free, like a read.
     *
     * @param key the key
     * @return the live value, or {@code null} if the key is absent or expired
     * @throws NullPointerException if {@code key} is null
     */
    V getIfPresentQuietly(K key);

    /**
     * As {@link #getIfPresentQuietly}, with the entry's remaining time-to-live as the cache holds it at the
     * read (after any {@link KvCache#touch touch}, {@link KvCache#setTimeToLive TTL change} or idle-time cap):
     * what an answer about an entry should report without changing it.
     *
     * @param key the key
     * @return the live entry, or {@code null} if the key is absent or expired
     * @throws NullPointerException if {@code key} is null
     */
    CacheEntry<K, V> getEntryIfPresentQuietly(K key);
}
