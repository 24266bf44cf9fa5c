package dev.kvcache.core;

/**
 * Computes each entry's time-to-live, for caches built with {@link KvCacheBuilder#expiry}: consulted
 * when an entry is created and when it is updated by a write that carries no TTL of its own
 * ({@code put(k, v)}, {@code putIfAbsent(k, v)}, {@code replace}, a load's store, the
 * {@code asMap()} writes and the compute family, and {@link KvCache#touch}). Reads consult it only
 * if it overrides {@link #afterReadNanos}. A write given an explicit TTL
 * ({@code put(k, v, ttl)}, {@link KvCache#setTimeToLive}) uses that TTL and does not consult it.
 *
 * <p>Every method returns a time-to-live in nanoseconds, counted from the instant of the operation:
 * a positive number, or {@link Long#MAX_VALUE} for "never expires" (a TTL whose deadline would lie
 * beyond {@link Long#MAX_VALUE} nanoseconds of the ticker also means never). A method that returns
 * zero or a negative TTL, or that throws, fails the operation that consulted it: a write,
 * {@code touch} or read throws {@link IllegalArgumentException} (for a bad TTL) or the exception
 * thrown, and leaves the entry as it was (value and deadline).
 *
 * <p>{@link #afterCreateNanos} and {@link #afterUpdateNanos} run while the key's table segment is
 * locked; like compute functions they must be fast and must not write to the cache, which fails with
 * {@link IllegalStateException}. {@link #afterReadNanos} runs on the reading thread, holding no lock;
 * it must be fast and should not write to the cache.
 *
 * <p>Cost: no memory per entry (the deadline is the one every entry has; 8 bytes together with
 * {@link KvCacheBuilder#timeToIdle}, for the TTL's end); a create or update costs
 * one call. Without a read hook (the default {@link #afterReadNanos}, detected when the cache is
 * built) a hit stays lock-free and allocation-free and never calls the function. With one, a hit
 * costs one call to it and, when the deadline moves, one CAS on the entry's deadline word (the path
 * {@link KvCacheBuilder#timeToIdle} uses); still lock-free, and allocation-free unless the function
 * allocates.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface Expiry<K, V> {
    /**
     * The time-to-live of a new entry (the key was absent or expired).
     *
     * @param key the key, never null
     * @param value the value stored, never null
     * @return the TTL in nanoseconds: positive, or {@link Long#MAX_VALUE} for never
     */
    long afterCreateNanos(K key, V value);

    /**
     * The time-to-live of a live entry whose value a write replaces (or that {@link KvCache#touch}
     * restarts). By default the same as for a new entry, {@link #afterCreateNanos}.
     *
     * @param key the key, never null
     * @param value the new value (for {@code touch}, the current one), never null
     * @param remainingNanos the entry's remaining TTL before this write; {@link Long#MAX_VALUE} if it
     *     never expires
     * @return the TTL in nanoseconds: positive, or {@link Long#MAX_VALUE} for never; return
     *     {@code remainingNanos} to leave the deadline where it was
     */
    default long afterUpdateNanos(K key, V value, long remainingNanos) {
        return afterCreateNanos(key, value);
    }

    /**
     * The read hook: the time-to-live of a live entry after a read hit, for expire-after-access
     * policies. The default returns {@code remainingNanos}, and a cache whose function does not
     * override this method (detected once, at build time) never calls it.
     *
     * <p>Consulted by {@link KvCache#getIfPresent}, {@link KvCache#getEntryIfPresent}, a hit of
     * {@code get(k, loader)} and of a loading cache's {@code get} and {@code getAll},
     * {@link KvCache#getAllPresent}, {@code asMap().get}, {@code asMap().getOrDefault} and
     * {@code asMap().computeIfAbsent} of a live key, as well as a refresh's read of the value it
     * replaces; not by a miss, and, as Guava and Caffeine specify for expire-after-access, not by
     * {@code asMap().containsKey} nor by any operation of {@code asMap()}'s collection views
     * ({@code contains}, {@code containsAll}, iteration, {@code removeIf}, {@code equals},
     * {@code hashCode}), {@code asMap().containsValue}, {@code equals}, {@code hashCode},
     * {@code forEach}, nor by {@link Policy}'s quiet reads. These are the reads that
     * {@link KvCacheBuilder#timeToIdle} counts as accesses.
     *
     * <p>A read only moves a deadline later: a result that would end the entry earlier than it now
     * ends leaves the deadline where it is (shorten a TTL with {@link KvCache#setTimeToLive}). A read
     * also leaves the deadline where it is when moving it would move it by no more than 1/64 of the
     * returned TTL, so a hot key's deadline is written at most that often; the entry may therefore
     * expire up to ttl/64 before the instant this method asked for, never after it. If this method
     * throws, that exception reaches the reader; if it returns zero or less, the read throws
     * {@link IllegalArgumentException}. Either way the entry keeps its value and its deadline.
     *
     * @param key the key, never null
     * @param value the value read, never null
     * @param remainingNanos the entry's remaining TTL at the read; {@link Long#MAX_VALUE} if it never
     *     expires
     * @return the TTL in nanoseconds, counted from the read: positive, or {@link Long#MAX_VALUE} for
     *     never; return {@code remainingNanos} to leave the deadline where it was
     */
    default long afterReadNanos(K key, V value, long remainingNanos) {
        return remainingNanos;
    }
}
