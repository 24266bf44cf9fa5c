package dev.kvcache.core;

/**
 * Computes the weight of an entry, for caches bounded by {@link KvCacheBuilder#maximumWeight(long, Weigher)}.
 *
 * <p>The weight is computed once per write that stores a value ({@code put}, an overwrite,
 * {@code replace}, a compute's result, a load's store, a refresh; a {@code put} weighs its value
 * before it looks at the entry, so one that finds the key live, as {@code putIfAbsent} may, still
 * weighed once) and is not recomputed: the cache keeps it with the entry and reports it with the
 * removal ({@link StatsCounter#recordRemoval}), so removal, replacement, eviction, expiry,
 * {@code touch} and {@code setTimeToLive} call no weigher. It must be non-negative. An entry of weight zero does not count towards the bound, though it can still be
 * evicted like any other to make room.
 * A weigher must be fast and thread-safe, and must not call back into the cache.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface Weigher<K, V> {

    /**
     * Returns the weight of an entry, in whatever unit the maximum weight uses (bytes, say).
     *
     * @param key the key, never null
     * @param value the value, never null
     * @return the weight, zero or more
     */
    int weigh(K key, V value);
}
