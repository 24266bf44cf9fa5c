package dev.kvcache.core;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * A concurrent map from keys to values whose entries expire a time-to-live (TTL) after they were
 * last written. Build one with {@link #builder()}.
 *
 * <h2>Thread safety and consistency</h2>
 * All methods are safe to call from any number of threads. Every single-key operation is atomic and
 * linearizable per key, expiry included: it appears to take effect at one instant between its call
 * and its return, and whether an entry is expired is decided at that instant. In particular, once any
 * read has found an entry expired, no operation still in flight treats it as live, however its thread
 * was scheduled. Reads ({@link #getIfPresent}, {@link #getEntryIfPresent}, the reads of
 * {@link #asMap()}) never take a lock and are not blocked by writes; {@link #getIfPresent} and
 * {@code asMap().get}/{@code containsKey} allocate nothing on a hit ({@link #getEntryIfPresent}
 * allocates only the snapshot it returns).
 * Writes to different keys do not contend on a shared lock (a write locks one of several table
 * segments for a few pointer updates). Actions in a thread before {@code put(k, v)} happen-before the
 * actions that follow a read of {@code k} in another thread that returns {@code v}.
 *
 * <p>Operations over many keys ({@link #invalidateAll()}, iteration of {@link #asMap()}) are not atomic
 * snapshots; they are weakly consistent, like those of {@link java.util.concurrent.ConcurrentHashMap}:
 * they reflect each key's state at some instant during the call, see every entry that was live for its
 * whole duration, and never throw {@link java.util.ConcurrentModificationException}.
 * {@link #estimatedSize()} is a sum of per-segment counters read without locking: an estimate under
 * concurrent writes, never negative, and exact when no write is in flight, except that it counts
 * expired entries not yet reclaimed.
 *
 * <h2>Expiry</h2>
 * An entry written at ticker time {@code t} with time-to-live {@code ttl} has the deadline
 * {@code t + ttl}. From the instant the {@link KvCacheBuilder#ticker ticker} reads the deadline or later,
 * no read returns the entry: it behaves as absent for every operation. Its memory is reclaimed later,
 * during maintenance that writes, reads and {@link #cleanUp()} perform in small amortized steps, or
 * that a {@link KvCacheBuilder#scheduler scheduler} runs when the cache is idle; an expired entry is
 * reclaimed no later than about 70 ms after its deadline whenever the cache is being used (the
 * resolution of its timer wheel). Until then it still counts in {@link #estimatedSize()}.
 *
 * <h2>Nulls</h2>
 * Keys and values are never null: every method throws {@link NullPointerException} when given a null
 * key, value, TTL or function, as {@link java.util.concurrent.ConcurrentHashMap} does. Methods return
 * {@code null} only to mean "absent".
 *
 * @param <K> the key type; keys are compared with {@link Object#equals} and must not change while cached
 * @param <V> the value type
 */
public interface KvCache<K, V> extends AutoCloseable {

    /**
     * A time-to-live meaning "never expires". Any TTL of {@link Long#MAX_VALUE} nanoseconds (about 292
     * years) or more means the same.
     */
    Duration NEVER = ChronoUnit.FOREVER.getDuration();

    /**
     * Returns a new builder with the defaults: entries never expire, no bound, the
     * {@link Ticker#coarse() coarse ticker}, no listener, no statistics.
     *
     * @return a new builder
     */
    static KvCacheBuilder<Object, Object> builder() {
        return new KvCacheBuilder<>();
    }

    /**
     * Returns the value of a live entry, or {@code null} if the key is absent or its entry has expired.
     * Lock-free; allocates nothing.
     *
     * @param key the key
     * @return the value, or {@code null}
     * @throws NullPointerException if {@code key} is null
     */
    V getIfPresent(K key);

    /**
     * Returns the value of a live entry, loading, storing (with the default TTL) and returning a value
     * computed by {@code loader} if the key is absent or expired.
     *
     * <p>Concurrent calls for the same absent key run the loader at most once; the others wait for its
     * result. While the loader runs, some writes to other keys that hash near this one may wait too, so
     * it should be short, and it must not write to this cache. If the loader returns {@code null}
     * nothing is stored and {@code null} is returned; if it throws, nothing is stored and the exception
     * propagates to the caller (and to callers waiting on the same key).
     *
     * @param key the key
     * @param loader computes the value of an absent key
     * @return the current or loaded value, or {@code null} if the loader returned {@code null}
     * @throws NullPointerException if {@code key} or {@code loader} is null
     */
    V get(K key, Function<? super K, ? extends V> loader);

    /**
     * Returns a snapshot of a live entry: its value and remaining time-to-live.
     *
     * @param key the key
     * @return the entry, or {@code null} if the key is absent or expired
     * @throws NullPointerException if {@code key} is null
     */
    CacheEntry<K, V> getEntryIfPresent(K key);

    /**
     * Stores a value with the cache's default TTL, replacing any previous value.
     *
     * @param key the key
     * @param value the value
     * @throws NullPointerException if {@code key} or {@code value} is null
     */
    void put(K key, V value);

    /**
     * Stores a value with its own TTL, replacing any previous value.
     *
     * @param key the key
     * @param value the value
     * @param ttl the time-to-live of this entry, positive; {@link #NEVER} for no expiry
     * @throws NullPointerException if any argument is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    void put(K key, V value, Duration ttl);

    /**
     * Stores a value with the default TTL unless the key has a live entry.
     *
     * @param key the key
     * @param value the value to store if absent
     * @return the live value already present (left unchanged), or {@code null} if {@code value} was stored
     * @throws NullPointerException if {@code key} or {@code value} is null
     */
    V putIfAbsent(K key, V value);

    /**
     * Stores a value with its own TTL unless the key has a live entry.
     *
     * @param key the key
     * @param value the value to store if absent
     * @param ttl the time-to-live of the new entry, positive; {@link #NEVER} for no expiry
     * @return the live value already present (left unchanged), or {@code null} if {@code value} was stored
     * @throws NullPointerException if any argument is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    V putIfAbsent(K key, V value, Duration ttl);

    /**
     * Replaces the value of a live entry, restarting its TTL from the default.
     *
     * @param key the key
     * @param value the new value
     * @return the previous value, or {@code null} (and nothing stored) if the key was absent or expired
     * @throws NullPointerException if {@code key} or {@code value} is null
     */
    V replace(K key, V value);

    /**
     * Replaces the value of a live entry only if it currently equals {@code expected} (compare-and-set),
     * restarting its TTL from the default.
     *
     * @param key the key
     * @param expected the value the entry must hold, compared with {@link Object#equals}
     * @param value the new value
     * @return whether the value was replaced
     * @throws NullPointerException if any argument is null
     */
    boolean replace(K key, V expected, V value);

    /**
     * Replaces the value of a live entry only if it currently equals {@code expected}, giving the new
     * value its own TTL.
     *
     * @param key the key
     * @param expected the value the entry must hold, compared with {@link Object#equals}
     * @param value the new value
     * @param ttl the time-to-live of the new value, positive; {@link #NEVER} for no expiry
     * @return whether the value was replaced
     * @throws NullPointerException if any argument is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    boolean replace(K key, V expected, V value, Duration ttl);

    /**
     * Removes a key's entry.
     *
     * @param key the key
     * @return the removed live value, or {@code null} if the key was absent or expired
     * @throws NullPointerException if {@code key} is null
     */
    V remove(K key);

    /**
     * Removes a key's live entry only if its value equals {@code expected}.
     *
     * @param key the key
     * @param expected the value the entry must hold, compared with {@link Object#equals}
     * @return whether the entry was removed
     * @throws NullPointerException if {@code key} or {@code expected} is null
     */
    boolean remove(K key, V expected);

    /**
     * Removes every entry, notifying the listener of each with {@link RemovalCause#EXPLICIT} (or
     * {@link RemovalCause#EXPIRED} for entries already past their deadline). Not atomic: entries
     * written concurrently may survive.
     */
    void invalidateAll();

    /**
     * Returns the number of entries held, an estimate: it counts expired entries not yet reclaimed,
     * and under concurrent writes it may miss or double-count entries being written. With no
     * concurrent writes and after {@link #cleanUp()}, it is exact.
     *
     * @return the estimated number of entries, never negative
     */
    long estimatedSize();

    /**
     * Performs pending maintenance now: reclaims every expired entry and evicts down to the bound.
     * The cache does this on its own in small steps; call it to make {@link #estimatedSize()} exact
     * in tests, or before measuring memory.
     */
    void cleanUp();

    /**
     * Returns a snapshot of the statistics, or {@link CacheStats#empty()} if they are not
     * {@link KvCacheBuilder#recordStats() recorded}.
     *
     * @return the statistics accumulated since the cache was built
     */
    CacheStats stats();

    /**
     * Returns a live {@link ConcurrentMap} view of this cache. Its reads honour expiry (an expired
     * entry is absent from every method and view of it); its writes use the cache's default TTL and
     * notify the removal listener like the cache's own methods. Its iterators are weakly consistent and
     * support {@code remove}. Its {@code size()} is {@link #estimatedSize()} capped to
     * {@link Integer#MAX_VALUE}.
     *
     * @return the map view, the same instance on every call
     */
    ConcurrentMap<K, V> asMap();

    /**
     * Returns a read-only view of this cache's expiry and bounds: its default time-to-live, its maximum
     * size or weight, and its current weighted size.
     *
     * @return the policy view, the same instance on every call
     */
    Policy<K, V> policy();

    /**
     * Stops the cache's scheduled maintenance, if any. The cache stays usable; entries stay until they
     * expire or are removed. Idempotent.
     */
    @Override
    void close();
}
