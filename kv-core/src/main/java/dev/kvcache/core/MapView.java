package dev.kvcache.core;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@link KvCache#asMap()}: a {@link ConcurrentMap} over the cache. Reads skip expired entries; writes use
 * the default TTL. Null handling mirrors {@link java.util.concurrent.ConcurrentHashMap} exactly, so code
 * written against one behaves the same against the other. The compute family is the engine's
 * ({@link Writes}): each function runs at most once per call, under the key's segment lock.
 */
final class MapView<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
    private final ExpiringCache<K, V> cache;
    private final EntrySet entrySet = new EntrySet();
    private final KeySet keySet = new KeySet();
    private final Values values = new Values();

    MapView(ExpiringCache<K, V> cache) {
        this.cache = cache;
    }

    /** The cache's {@link KvCache#estimatedSize()}, capped to {@code Integer.MAX_VALUE}. */
    @Override
    public int size() {
        return (int) Math.min(cache.estimatedSize(), Integer.MAX_VALUE);
    }

    @Override
    public boolean isEmpty() {
        return !cache.liveEntries().hasNext();
    }

    @Override
    public boolean containsKey(Object key) {
        return cache.containsKeyQuietly(Objects.requireNonNull(key));
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value);
        for (Iterator<CacheEntry<K, V>> it = cache.liveEntries(); it.hasNext(); ) {
            if (value.equals(it.next().getValue())) {
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
    public Set<Entry<K, V>> entrySet() {
        return entrySet;
    }

    @Override
    public Set<K> keySet() {
        return keySet;
    }

    @Override
    public Collection<V> values() {
        return values;
    }

    /** Iterates live entries; {@code remove} removes the last key returned, as ConcurrentHashMap's does. */
    private abstract class ViewIterator<T> implements Iterator<T> {
        private final Iterator<CacheEntry<K, V>> entries = cache.liveEntries();
        private K lastKey;

        @Override
        public boolean hasNext() {
            return entries.hasNext();
        }

        CacheEntry<K, V> nextEntry() {
            CacheEntry<K, V> e = entries.next();
            lastKey = e.getKey();
            return e;
        }

        @Override
        public void remove() {
            if (lastKey == null) {
                throw new IllegalStateException("next() not called, or remove() already called");
            }
            cache.remove(lastKey);
            lastKey = null;
        }
    }

    /** An entry whose {@code setValue} writes through to the cache. */
    private final class WriteThroughEntry extends SimpleEntry<K, V> {
        WriteThroughEntry(K key, V value) {
            super(key, value);
        }

        @Override
        public V setValue(V value) {
            Objects.requireNonNull(value);
            cache.put(getKey(), value, cache.defaultTtlNanos());
            return super.setValue(value);
        }
    }

    private final class EntrySet extends AbstractSet<Entry<K, V>> {
        @Override
        public Iterator<Entry<K, V>> iterator() {
            return new ViewIterator<>() {
                @Override
                public Entry<K, V> next() {
                    CacheEntry<K, V> e = nextEntry();
                    return new WriteThroughEntry(e.getKey(), e.getValue());
                }
            };
        }

        @Override
        public int size() {
            return MapView.this.size();
        }

        @Override
        public boolean isEmpty() {
            return MapView.this.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            V value = cache.getQuietly(e.getKey());
            return value != null && value.equals(e.getValue());
        }

        @Override
        public boolean remove(Object o) {
            return o instanceof Map.Entry<?, ?> e && e.getKey() != null
                    && MapView.this.remove(e.getKey(), e.getValue());
        }

        @Override
        public void clear() {
            cache.invalidateAll();
        }
    }

    private final class KeySet extends AbstractSet<K> {
        @Override
        public Iterator<K> iterator() {
            return new ViewIterator<>() {
                @Override
                public K next() {
                    return nextEntry().getKey();
                }
            };
        }

        @Override
        public int size() {
            return MapView.this.size();
        }

        @Override
        public boolean isEmpty() {
            return MapView.this.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return containsKey(o);
        }

        @Override
        public boolean remove(Object o) {
            return MapView.this.remove(o) != null;
        }

        @Override
        public void clear() {
            cache.invalidateAll();
        }
    }

    /** The values view: the key set's size, emptiness and clearing, over values. */
    private final class Values extends AbstractCollection<V> {
        @Override
        public Iterator<V> iterator() {
            return new ViewIterator<>() {
                @Override
                public V next() {
                    return nextEntry().getValue();
                }
            };
        }

        @Override
        public int size() {
            return keySet.size();
        }

        @Override
        public boolean isEmpty() {
            return keySet.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return containsValue(o);
        }

        @Override
        public void clear() {
            keySet.clear();
        }
    }
}
