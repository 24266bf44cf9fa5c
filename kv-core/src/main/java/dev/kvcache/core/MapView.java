package dev.kvcache.core;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@link KvCache#asMap()}: a {@link ConcurrentMap} over the cache. Reads skip expired entries; writes use
 * the default TTL. Null handling mirrors {@link java.util.concurrent.ConcurrentHashMap} exactly, so code
 * written against one behaves the same against the other.
 *
 * <p>Everything here answers from the live entries, never from {@link KvCache#estimatedSize()} (which
 * may count expired entries not yet reclaimed): {@code size()} and {@code isEmpty()} count them, the
 * views ({@link MapViews}) iterate them, their spliterators report {@code CONCURRENT} and never
 * {@code SIZED} (as ConcurrentHashMap's do, so a stream never trusts a size that iteration may not
 * reach), and {@code equals} checks containment both ways. Every removal made after looking at an
 * entry (iterator {@code remove}, {@code removeIf}, {@code removeAll}, {@code retainAll},
 * {@code values().remove}) is conditional on the value looked at, so a value written since survives.
 *
 * <p>The compute family is the engine's ({@link Writes}): each function runs at most once per
 * call, under the key's segment lock.
 */
final class MapView<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
    private final ExpiringCache<K, V> cache;
    private final MapViews<K, V> views;

    MapView(ExpiringCache<K, V> cache) {
        this.cache = cache;
        this.views = new MapViews<>(this, cache);
    }

    /**
     * Counts the live entries (capped to {@code Integer.MAX_VALUE}): a lock-free walk of the whole
     * table, O(entries held), where ConcurrentHashMap's is O(1). Exact, and equal to what iteration
     * returns, whenever no write is in flight and the ticker does not move; {@link KvCache#estimatedSize()}
     * is the O(1) estimate.
     */
    @Override
    public int size() {
        return (int) cache.countLive(Integer.MAX_VALUE);
    }

    /** Whether no entry is live: stops at the first live entry, so O(1) unless many have expired. */
    @Override
    public boolean isEmpty() {
        return cache.countLive(1) == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        return cache.containsKeyQuietly(Objects.requireNonNull(key));
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value);
        for (Iterator<CacheEntry<K, V>> it = cache.liveEntries(); it.hasNext(); ) {
            V v = it.next().getValue();
            if (value == v || value.equals(v)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public V get(Object key) {
        return cache.getQuietly(Objects.requireNonNull(key));
    }

    @Override
    public V put(K key, V value) {
        return cache.put(key, value, cache.defaultTtlNanos());
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return cache.putIfAbsent(key, value);
    }

    @Override
    public V replace(K key, V value) {
        return cache.replace(key, value);
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return cache.replace(key, oldValue, newValue);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        return cache.remove((K) Objects.requireNonNull(key));
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean remove(Object key, Object value) {
        Objects.requireNonNull(key);
        return value != null && cache.remove((K) key, (V) value);
    }

    @Override
    public void clear() {
        cache.invalidateAll();
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        return cache.compute(key, remappingFunction);
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        return cache.computeIfAbsent(key, mappingFunction);
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        return cache.computeIfPresent(key, remappingFunction);
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        return cache.merge(key, value, remappingFunction);
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        Objects.requireNonNull(action);
        for (Iterator<CacheEntry<K, V>> it = cache.liveEntries(); it.hasNext(); ) {
            CacheEntry<K, V> e = it.next();
            action.accept(e.getKey(), e.getValue());
        }
    }

    /**
     * Equal to a map with the same mappings: every live entry is in {@code o}, and every entry of
     * {@code o} is live here (as ConcurrentHashMap checks; no size is compared, so an estimate never
     * decides). Weakly consistent under concurrent writes, like iteration. No access of this cache,
     * nor of {@code o} if it is another cache's map (any other map's {@code get} is called).
     */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map<?, ?> m)) {
            return false;
        }
        try {
            for (Iterator<CacheEntry<K, V>> it = cache.liveEntries(); it.hasNext(); ) {
                CacheEntry<K, V> e = it.next();
                // Another cache's map is read quietly too: its get would be an access of that cache.
                Object theirs = m instanceof MapView<?, ?> other ? other.cache.peekQuietly(e.getKey()) : m.get(e.getKey());
                if (theirs == null || !(theirs == e.getValue() || theirs.equals(e.getValue()))) {
                    return false;
                }
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object key = e.getKey();
                Object value = e.getValue();
                Object mine = key == null || value == null ? null : cache.peekQuietly(key); // not an access
                if (mine == null || !(value == mine || value.equals(mine))) {
                    return false;
                }
            }
        } catch (ClassCastException | NullPointerException e) {
            return false; // o rejects our keys: it cannot hold our mappings
        }
        return true;
    }

    /** The sum of the live entries' hash codes, as {@link Map#hashCode()} specifies. */
    @Override
    public int hashCode() {
        int h = 0;
        for (Iterator<CacheEntry<K, V>> it = cache.liveEntries(); it.hasNext(); ) {
            h += it.next().hashCode();
        }
        return h;
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return views.entrySet;
    }

    @Override
    public Set<K> keySet() {
        return views.keySet;
    }

    @Override
    public Collection<V> values() {
        return views.values;
    }
}
