package dev.kvcache.core;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * A concurrent map from keys to values whose entries expire a time-to-live (TTL) after they were
 * last written. Build one with {@link #builder()}.
 *
 * <h2>Thread safety and consistency</h2>
 * All methods are safe to call from any number of threads. Every single-key method of this interface
 * ({@link #getIfPresent}, {@link #get}, the puts, replaces and removes) and the single-key methods of
 * {@link #asMap()}, including {@code compute}, {@code computeIfAbsent}, {@code computeIfPresent} and
 * {@code merge}, is atomic and linearizable per key, expiry included: it appears to take effect at one
 * instant between its call and its return, and whether an entry is expired is decided at that
 * instant. In particular, once any read has found an entry expired, no operation still in flight
 * treats it as live, however its thread was scheduled. (One stated exception: a compute function is
 * given the value live when the call took the key's lock, and if that entry's deadline passes while
 * the function runs, the entry expires meanwhile and the function's result is then written as a new
 * entry.) The bulk operations of the map's views
 * ({@code removeIf}, {@code replaceAll}, iteration) act key by key.
 *
 * <p>Reads ({@link #getIfPresent}, {@link #getEntryIfPresent}, the reads of {@link #asMap()}) find
 * their value without taking a lock and are not blocked by writes; {@link #getIfPresent} and
 * {@code asMap().get}/{@code containsKey} allocate nothing on a hit ({@link #getEntryIfPresent}
 * allocates only the snapshot it returns). A read may also find that the cache's periodic
 * maintenance is due (at most one wheel tick, about 67 ms, after it last ran); it then either hands
 * that maintenance to the {@link KvCacheBuilder#executor executor}, if one is set (one call of its
 * {@code execute}, at most one queued at a time), or otherwise runs it itself unless another thread
 * is already doing so (it never waits for that). Running it, a read takes the segment locks of the
 * entries it reclaims (waiting for writers of those segments), allocates, and calls the removal
 * listener for them. A cache used with an executor, or with {@code Ticker} reads that never cross a
 * tick, therefore reads without ever locking.
 * Writes to different keys do not contend on a shared lock (a write locks one of several table
 * segments for a few pointer updates); a bounded cache's writers also try its maintenance lock, and
 * wait for it only once other writers have left 32 writes to its holder, so that writes cannot
 * outrun eviction ({@link KvCacheBuilder#maximumWeight}). Actions in a thread before {@code put(k, v)} happen-before the
 * actions that follow a read of {@code k} in another thread that returns {@code v}.
 *
 * <p>Operations over many keys ({@link #invalidateAll()}, the bulk methods {@link #getAllPresent},
 * {@link #putAll(Map)} and {@link #invalidateAll(Iterable)}, iteration of {@link #asMap()}) are atomic
 * per key but not as a whole, and are not snapshots; they are weakly consistent, like those of {@link java.util.concurrent.ConcurrentHashMap}:
 * they reflect each key's state at some instant during the call, see every entry that was live for its
 * whole duration, and never throw {@link java.util.ConcurrentModificationException}.
 * {@link #estimatedSize()} is a sum of per-segment counters read without locking: an estimate under
 * concurrent writes, never negative, and exact when no write is in flight, except that it counts
 * expired entries not yet reclaimed.
 *
 * <p>Keys whose hash codes collide (as clients can choose them) cost O(log n) per operation among
 * themselves when their class {@code C} implements {@code Comparable<C>}, as {@link String} does, and
 * O(n) otherwise; an order inconsistent with {@code equals} costs time among the keys it cannot tell
 * apart, never correctness.
 *
 * <h2>Expiry</h2>
 * An entry written at ticker time {@code t} with time-to-live {@code ttl} has the deadline
 * {@code t + ttl}. The TTL is the write's own, or the builder's {@link KvCacheBuilder#expiry expiry
 * function}'s, or its {@link KvCacheBuilder#timeToLive default}; {@link #setTimeToLive} and
 * {@link #touch} change it in place, and with a {@link KvCacheBuilder#timeToIdle time-to-idle}, or
 * an expiry function with a {@link Expiry#afterReadNanos read hook}, read hits move it later (never
 * earlier; with a time-to-idle and a TTL, never past the TTL's end). From the instant the {@link KvCacheBuilder#ticker ticker} reads the deadline or later,
 * no read returns the entry: it behaves as absent for every operation. Its memory is reclaimed later,
 * during maintenance that writes, reads and {@link #cleanUp()} perform in small amortized steps, or
 * that a {@link KvCacheBuilder#scheduler scheduler} runs when the cache is idle. Whenever the cache is
 * being used, an expired entry is normally reclaimed within one tick of its timer wheel (about 67 ms)
 * after its deadline. A write whose thread is preempted at the instant the wheel passes the bucket
 * it chose delays its entry by one revolution of that wheel level: up to about 4.3 s for TTLs under
 * 4.3 s, 4.6 min for TTLs under 4.6 min, 4.9 h for TTLs under 4.9 h, and so on. Until it is
 * reclaimed an entry still counts in {@link #estimatedSize()}. Overwriting a live entry updates it in
 * place and allocates nothing (an overwrite of a weight-bounded cache allocates one small marker that
 * tells the eviction policy the new weight); removed entries leave the timer wheel by sweeps that keep
 * it within about twice the entries held plus a few thousand nodes.
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
     * Finds the value without a lock and allocates nothing on a hit (see the class doc for the
     * maintenance a read may run).
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
     * result. The loader runs on the caller's thread and holds no lock of the cache: other keys' reads
     * and writes, and reads of this key (which see it absent), go on while it runs. If the loader
     * returns {@code null} nothing is stored and {@code null} is returned; if it throws anything (an
     * {@link Error}, or a checked exception thrown sneakily, included), nothing is stored and that same
     * throwable reaches the caller and every caller waiting on the same load. A loader that calls
     * {@code get} for its own key fails with {@link IllegalStateException}, as does a wait that would
     * close a cycle of loads across threads (the loader of {@code a} on one thread calls
     * {@code get(b)} while the loader of {@code b} on another calls {@code get(a)}): the thread that
     * closes it fails, and the others see that failure through the loads they wait for, instead of
     * all waiting forever.
     *
     * <p>An explicit write of the key during the load wins over it: if {@code put}, {@code remove(key)}
     * (even of the absent key), {@link #invalidateAll()}, a write through {@link #asMap()} or any other
     * write that changes the key's entry takes effect after this load started and before it stored its
     * value, the loaded value is not stored. If that write left a live value, the load's callers receive
     * it; otherwise (a removal) the loaded value is stale, and the loader runs again after the removal
     * (or the callers share the load of a caller that arrived after it), so a loader may run more than
     * once per call when the key is removed concurrently (once more per removal of another thread;
     * the waiters never run it). Writes made by the loader itself, on its own thread while it runs, do
     * not invalidate its load (a write on that thread after it returned, such as a removal listener's
     * when a bulk load's store evicts, is any other write): a loader that removes its key (or calls
     * {@link #invalidateAll()}) before returning runs once, and its value is stored. Every value returned was in the cache at some
     * instant of the call. Expiry and eviction do not affect a load in flight.
     *
     * @param key the key
     * @param loader computes the value of an absent key
     * @return the current or loaded value, or {@code null} if the loader returned {@code null}
     * @throws NullPointerException if {@code key} or {@code loader} is null
     * @throws IllegalStateException if called, for an absent key, from inside a compute function of
     *     this cache's map view
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

    // ---------------------------------------------------------------- per-entry TTL (issue 10)

    /**
     * Gives the key's live entry a new time-to-live, counted from now, without changing its value:
     * atomic for the key, like a write, but counted neither as a put nor a removal and not notified.
     * An absent or expired key is left absent (returns false; nothing is created).
     *
     * @param key the key
     * @param ttl a positive duration; {@link #NEVER} (or anything of {@link Long#MAX_VALUE}
     *     nanoseconds or more) for no expiry
     * @return whether a live entry's TTL was changed
     * @throws NullPointerException if {@code key} or {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     * @throws IllegalStateException if called from inside a compute function of this cache's map view
     */
    boolean setTimeToLive(K key, Duration ttl);

    /**
     * Restarts the key's live entry's time-to-live from now, without changing its value, with the TTL
     * a write of it would get: the {@link KvCacheBuilder#expiry expiry function}'s
     * {@link Expiry#afterUpdateNanos} if one is set, otherwise the cache's
     * {@link KvCacheBuilder#timeToLive default TTL} (an entry written with its own TTL also gets the
     * default). Atomic for the key; not counted as a put, not notified. An absent or expired key is
     * left absent (returns false).
     *
     * @param key the key
     * @return whether a live entry's TTL was restarted
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalArgumentException if the expiry function returns a TTL that is not positive
     * @throws IllegalStateException if called from inside a compute function of this cache's map view
     */
    boolean touch(K key);

    // ----------------------------------------------------------------

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
     * Returns the live values of {@code keys}: {@link #getIfPresent} of each key in turn (each counted
     * as a hit or a miss), so each lookup is atomic but the map need not reflect one instant.
     * Duplicate keys count once.
     *
     * @param keys the keys
     * @return an unmodifiable map, in the iteration order of {@code keys}, of the keys with a live value
     * @throws NullPointerException if {@code keys} or any key is null (checked before any lookup)
     */
    default Map<K, V> getAllPresent(Iterable<? extends K> keys) {
        Map<K, V> present = new LinkedHashMap<>();
        for (K key : BulkArguments.keys(keys)) {
            V value = getIfPresent(key);
            if (value != null) {
                present.put(key, value);
            }
        }
        return present.isEmpty() ? Map.of() : Collections.unmodifiableMap(present);
    }

    /**
     * Stores every entry of {@code entries} with the default TTL: {@link #put(Object, Object)} of each
     * in turn, so each is atomic (and notified, counted and evicting as a put) but the whole is not:
     * a concurrent reader may see some entries stored and not others.
     *
     * @param entries the entries to store
     * @throws NullPointerException if {@code entries} or any key or value in it is null (checked
     *     before anything is stored)
     */
    default void putAll(Map<? extends K, ? extends V> entries) {
        for (Map.Entry<? extends K, ? extends V> e : BulkArguments.entries(entries)) {
            put(e.getKey(), e.getValue());
        }
    }

    /**
     * Stores every entry of {@code entries} with the TTL {@code ttl}: {@link #put(Object, Object, Duration)}
     * of each in turn, atomic per entry, not as a whole.
     *
     * @param entries the entries to store
     * @param ttl the time-to-live of each entry, positive; {@link #NEVER} for no expiry
     * @throws NullPointerException if an argument, or any key or value in {@code entries}, is null
     *     (checked before anything is stored)
     * @throws IllegalArgumentException if {@code ttl} is zero or negative (nothing is stored)
     */
    default void putAll(Map<? extends K, ? extends V> entries, Duration ttl) {
        Ttl.toNanos(ttl);
        for (Map.Entry<? extends K, ? extends V> e : BulkArguments.entries(entries)) {
            put(e.getKey(), e.getValue(), ttl);
        }
    }

    /**
     * Removes the entries of {@code keys}: {@link #remove(Object)} of each in turn, so each removal is
     * atomic, notified ({@link RemovalCause#EXPLICIT}) and wins over a load of the key in flight, as
     * {@code remove} does; the whole is not atomic.
     *
     * @param keys the keys to remove
     * @throws NullPointerException if {@code keys} or any key is null (checked before any removal)
     */
    default void invalidateAll(Iterable<? extends K> keys) {
        for (K key : BulkArguments.keys(keys)) {
            remove(key);
        }
    }

    /**
     * Removes every entry, notifying the listener of each with {@link RemovalCause#EXPLICIT} (or
     * {@link RemovalCause#EXPIRED} for entries already past their deadline). Not atomic: entries
     * written concurrently may survive.
     */
    void invalidateAll();

    /**
     * Returns the number of entries held, an estimate, in O(1): it counts expired entries until
     * maintenance reclaims them (see Expiry in the {@linkplain KvCache class description} for when;
     * the timer wheel lets that take up to about 4.3 s after a deadline while the cache is in use),
     * and under concurrent writes it may miss or double-count entries being written. With no
     * concurrent writes and after {@link #cleanUp()}, it is exact. {@code asMap().size()} counts only
     * live entries, at O(n) cost.
     *
     * @return the estimated number of entries, never negative
     */
    long estimatedSize();

    /**
     * Performs pending maintenance now: reclaims every expired entry and evicts down to the bound.
     * The cache does this on its own in small steps; call it to make {@link #estimatedSize()} exact
     * in tests, or before measuring memory. Waits if another thread is doing maintenance. An entry
     * whose write raced with the timer wheel (see Expiry above) is reclaimed only when the wheel
     * comes round to it.
     *
     * @throws IllegalStateException if called from inside a compute function of this cache's map view
     */
    void cleanUp();

    /**
     * Returns a snapshot of the statistics, or {@link CacheStats#empty()} if they are not
     * {@link KvCacheBuilder#recordStats() recorded}; with a counter of the caller's
     * ({@link KvCacheBuilder#recordStats(java.util.function.Supplier)}), that counter's
     * {@link StatsCounter#snapshot() snapshot}.
     *
     * @return the statistics accumulated since the cache was built
     */
    CacheStats stats();

    /**
     * Returns a live {@link ConcurrentMap} view of this cache. Its reads honour expiry (an expired
     * entry is absent from every method and view of it) and count no hit or miss in the
     * {@linkplain #stats() statistics} (though {@code get}, {@code getOrDefault} and {@code computeIfAbsent}
     * of a live key are accesses for a time-to-idle, a read hook and eviction); its writes use the cache's
     * default TTL, are counted, and notify the removal listener like the cache's own methods. Its iterators are weakly consistent and
     * support {@code remove}.
     *
     * <p>The map and its views describe the live entries only, consistently with each other and with
     * iteration: {@code size()} (capped to {@link Integer#MAX_VALUE}) and {@code isEmpty()} count live
     * entries by walking the table without locks, which costs O(n) where {@link #estimatedSize()} is
     * O(1), and they agree with iteration whenever no write is in flight and the ticker stands still;
     * {@code equals} and {@code hashCode} compare contents as {@link java.util.Map} specifies, both ways
     * with any map; the views' spliterators report {@code CONCURRENT} and {@code NONNULL} (and the key
     * and entry views {@code DISTINCT}), never {@code SIZED}, as {@link java.util.concurrent.ConcurrentHashMap}'s
     * do, so streams over them never fail under concurrent writes or expiry. A removal decided by
     * looking at an entry (the iterators' {@code remove}, {@code removeIf}, {@code removeAll},
     * {@code retainAll} and {@code values().remove}) removes it only if its key still maps to the value
     * looked at, like {@code remove(key, value)}: a value written in between survives. A removal that
     * names only a key ({@code remove(key)}, {@code keySet().remove(key)}, and {@code keySet().removeAll(c)}
     * when it iterates {@code c}) removes whatever the key maps to.
     *
     * <p>{@code compute}, {@code computeIfAbsent}, {@code computeIfPresent} and {@code merge} are atomic
     * per key as in {@link java.util.concurrent.ConcurrentHashMap}: the function runs at most once per
     * call, under the lock of the key's table segment, so other writers of keys in that segment
     * (including other computes of the same key) wait for it, as does a resize of the table (and
     * every writer behind that resize), and {@link #cleanUp()} or {@code policy().setMaximum} if they
     * must evict or reclaim from that segment; other maintenance passes the segment's entries by until
     * a later pass, and reads do not wait. The function is
     * never given an expired value (it sees the key as absent). A non-null result is stored as a new
     * entry with the cache's default TTL, restarted when the function returns, and counted as a put; the value it displaces is
     * reported {@link RemovalCause#REPLACED} (even if equal), or {@link RemovalCause#EXPIRED} if that
     * entry had expired. A null result removes a live entry, reported {@link RemovalCause#EXPLICIT}
     * and counted as a removal (an expired one, reported {@link RemovalCause#EXPIRED}, except that
     * {@code computeIfAbsent} leaves it to maintenance). A function that throws changes nothing; the
     * throwable propagates. The function must be short and must not write to this cache: a call from
     * inside it to any writing method of the cache or its views ({@code put}, {@code remove},
     * {@code compute}, ..., {@link #get(Object, Function) get} of an absent key,
     * {@link #invalidateAll()}, {@link #cleanUp()}), for any key, throws
     * {@link IllegalStateException}, which then propagates from the outer call, changing nothing (a
     * function that catches it goes on, and its result is stored as usual). Reads from inside it are
     * allowed.
     *
     * @return the map view, the same instance on every call
     */
    ConcurrentMap<K, V> asMap();

    /**
     * Returns a view of this cache's expiry and bounds: its default time-to-live, its maximum size or
     * weight (which {@link Policy#setMaximum} changes), its current weighted size, and the hottest and
     * coldest keys of a bounded cache.
     *
     * @return the policy view, the same instance on every call
     */
    Policy<K, V> policy();

    /**
     * Stops the cache's scheduled maintenance, if any, and stops using the shared
     * {@link Ticker#coarse() coarse ticker}'s thread (which exits once no open cache uses it). The
     * cache stays usable (with the coarse ticker, its reads then read the system clock while that
     * thread is stopped); entries stay until they expire or are removed. Idempotent.
     */
    @Override
    void close();
}
