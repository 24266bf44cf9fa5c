package dev.kvcache.core;

/**
 * Computes each entry's time-to-live, for caches built with {@link KvCacheBuilder#expiry}: consulted
 * when an entry is created and when it is updated by a write that carries no TTL of its own
 * ({@code put(k, v)}, {@code putIfAbsent(k, v)}, {@code replace}, a load's store, the
 * {@code asMap()} writes and the compute family, and {@link KvCache#touch}). Reads do not consult
 * it. A write given an explicit TTL
 * ({@code put(k, v, ttl)}, {@link KvCache#setTimeToLive}) uses that TTL and does not consult it.
 *
 * <p>Every method returns a time-to-live in nanoseconds, counted from the instant of the operation:
 * a positive number, or {@link Long#MAX_VALUE} for "never expires" (a TTL whose deadline would lie
 * beyond {@link Long#MAX_VALUE} nanoseconds of the ticker also means never). A method that returns
 * zero or a negative TTL, or that throws, fails the operation that consulted it: a write or
 * {@code touch} throws {@link IllegalArgumentException} (for a bad TTL) or the exception thrown, and
 * leaves the entry as it was.
 *
 * <p>The methods run while the key's table segment is locked; like compute functions they must be
 * fast and must not write to the cache, which fails with {@link IllegalStateException}.
 *
 * <p>Cost: a hit stays lock-free and allocation-free, as without an expiry; a create or update
 * costs one call; no memory per entry (the deadline is the one every entry has).
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
}
