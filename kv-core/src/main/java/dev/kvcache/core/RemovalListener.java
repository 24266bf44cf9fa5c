package dev.kvcache.core;

/**
 * Receives one notification for every entry that leaves the cache, whatever the cause.
 *
 * <p>The cache calls the listener exactly once per removed entry, after the removal is visible and
 * outside any lock the cache holds, on the cache's {@link KvCacheBuilder#executor executor} (by
 * default the thread whose operation caused the removal). Notifications for different entries may
 * arrive in any order and on several threads at once, so the listener must be thread-safe. Anything
 * the listener throws, an {@link Error} included, is caught and logged (through {@link System.Logger},
 * logger {@code dev.kvcache.core}, level {@code WARNING}); it never reaches the caller of the cache,
 * never prevents the other notifications of the same operation, and never disturbs the cache's state.
 * Expiry and size removals are reported when the entry is reclaimed, which may be shortly after its
 * deadline (see {@link KvCache}).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface RemovalListener<K, V> {

    /**
     * Called once for a removed entry.
     *
     * @param key the entry's key, never null
     * @param value the entry's value, never null
     * @param cause why it was removed, never null
     */
    void onRemoval(K key, V value, RemovalCause cause);
}
