package dev.kvcache.core;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * An immutable snapshot of a live cache entry: its key, value and remaining time-to-live, as seen when
 * it was read. Later writes to the cache do not change it.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class CacheEntry<K, V> implements Map.Entry<K, V> {
    private final K key;
    private final V value;
    private final long expiresInNanos;

    CacheEntry(K key, V value, long expiresInNanos) {
        this.key = key;
        this.value = value;
        this.expiresInNanos = expiresInNanos;
    }

    /** @return the key, never null */
    @Override
    public K getKey() {
        return key;
    }

    /** @return the value, never null */
    @Override
    public V getValue() {
        return value;
    }

    /**
     * Always throws: a snapshot cannot write through to the cache.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public V setValue(V value) {
        throw new UnsupportedOperationException("a CacheEntry is a read-only snapshot");
    }

    /** @return whether the entry has a deadline; {@code false} for entries stored with {@link KvCache#NEVER} */
    public boolean expires() {
        return expiresInNanos != Long.MAX_VALUE;
    }

    /**
     * Returns the time left until the entry expires, as the cache's ticker saw it when the entry was
     * read: always positive for an entry that expires, {@link Long#MAX_VALUE} for one that does not.
     *
     * @return nanoseconds to live
     */
    public long expiresInNanos() {
        return expiresInNanos;
    }

    /**
     * Returns {@link #expiresInNanos()} as a {@code Duration}; {@link ChronoUnit#FOREVER}'s duration
     * (the same as {@link KvCache#NEVER}) for an entry that does not expire.
     *
     * @return the time to live
     */
    public Duration expiresIn() {
        return expires() ? Duration.ofNanos(expiresInNanos) : KvCache.NEVER;
    }

    /** Equal, as a {@link Map.Entry}, to any entry with an equal key and value; the TTL is ignored. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && value.equals(e.getValue());
    }

    /** As {@link Map.Entry#hashCode()} specifies. */
    @Override
    public int hashCode() {
        return key.hashCode() ^ value.hashCode();
    }

    @Override
    public String toString() {
        return key + "=" + value + (expires() ? " (expires in " + expiresIn() + ")" : "");
    }
}
