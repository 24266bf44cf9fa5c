package dev.kvcache.core;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@link KvCache#asMap()}: a {@link ConcurrentMap} over the cache. Reads skip expired entries; writes use
 * the default TTL. Null handling mirrors {@link java.util.concurrent.ConcurrentHashMap} exactly, so code
 * written against one behaves the same against the other.
 *
 * <p>Everything here answers from the live entries, never from {@link KvCache#estimatedSize()} (which
 * may count expired entries not yet reclaimed): {@code size()} and {@code isEmpty()} count them, the
 * views' spliterators report {@code CONCURRENT} and never {@code SIZED} (as ConcurrentHashMap's do, so
 * a stream never trusts a size that iteration may not reach), and {@code equals} checks containment
 * both ways. Every removal made after looking at an entry (iterator {@code remove}, {@code removeIf},
 * {@code removeAll}, {@code retainAll}, {@code values().remove}) is conditional on the value looked at,
 * so a value written since survives.
 *
 * <p>The compute family is the engine's ({@link Writes}): each function runs at most once per
 * call, under the key's segment lock.
 */
final class MapView<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
    private static final int KEY_CHARACTERISTICS = Spliterator.CONCURRENT | Spliterator.NONNULL | Spliterator.DISTINCT;
    private static final int VALUE_CHARACTERISTICS = Spliterator.CONCURRENT | Spliterator.NONNULL;

    private final ExpiringCache<K, V> cache;
    private final EntrySet entrySet = new EntrySet();
    private final KeySet keySet = new KeySet();
    private final Values values = new Values();

    MapView(ExpiringCache<K, V> cache) {
        this.cache = cache;
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
     * decides). Weakly consistent under concurrent writes, like iteration.
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
                Object theirs = m.get(e.getKey());
                if (theirs == null || !(theirs == e.getValue() || theirs.equals(e.getValue()))) {
                    return false;
                }
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object key = e.getKey();
                Object value = e.getValue();
                Object mine = key == null || value == null ? null : cache.getQuietly(key);
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

    /**
     * Removes each live entry whose view element {@code filter} accepts, if the key still maps to the
     * value the filter was shown: {@code remove(k, v)}, so a value written meanwhile survives. Returns
     * whether any entry was removed.
     */
    private <T> boolean removeIf(Function<CacheEntry<K, V>, T> element, Predicate<? super T> filter) {
        Objects.requireNonNull(filter);
        boolean removed = false;
        for (Iterator<CacheEntry<K, V>> it = cache.liveEntries(); it.hasNext(); ) {
            CacheEntry<K, V> e = it.next();
            if (filter.test(element.apply(e)) && cache.remove(e.getKey(), e.getValue())) {
                removed = true;
            }
        }
        return removed;
    }

    /** Whether removeAll should look up each view element in {@code c}, rather than remove each of c's. */
    private boolean lookUpInto(Collection<?> c) {
        // As ConcurrentHashMap does: a Set larger than the cache answers contains cheaply.
        return c instanceof Set<?> && c.size() > cache.estimatedSize();
    }

    /**
     * Iterates live entries; {@code remove} removes the entry last returned if its key still maps to
     * the value returned (or, for the entry set, set through it since).
     */
    private abstract class ViewIterator<T> implements Iterator<T> {
        private final Iterator<CacheEntry<K, V>> entries = cache.liveEntries();
        private Map.Entry<K, V> last;

        @Override
        public boolean hasNext() {
            return entries.hasNext();
        }

        /** The next entry, remembered for {@code remove} as {@code returned}. */
        <E extends Map.Entry<K, V>> E nextEntry(Function<CacheEntry<K, V>, E> returned) {
            E e = returned.apply(entries.next());
            last = e;
            return e;
        }

        @Override
        public void remove() {
            if (last == null) {
                throw new IllegalStateException("next() not called, or remove() already called");
            }
            cache.remove(last.getKey(), last.getValue());
            last = null;
        }
    }

    /** An entry whose {@code setValue} writes through to the cache and returns the value it held, as ConcurrentHashMap's does. */
    private final class WriteThroughEntry extends SimpleEntry<K, V> {
        WriteThroughEntry(CacheEntry<K, V> e) {
            super(e.getKey(), e.getValue());
        }

        @Override
        public V setValue(V value) {
            Objects.requireNonNull(value);
            cache.put(getKey(), value, cache.defaultTtlNanos());
            return super.setValue(value);
        }
    }

    /** What the three views share: size, emptiness, clearing and arrays come from the live entries. */
    private abstract class View<T> extends AbstractCollection<T> {
        @Override
        public int size() {
            return MapView.this.size();
        }

        @Override
        public boolean isEmpty() {
            return MapView.this.isEmpty();
        }

        @Override
        public void clear() {
            cache.invalidateAll();
        }

        /** One pass over the entries (AbstractCollection's would count them first). */
        @Override
        public Object[] toArray() {
            return copy().toArray();
        }

        @Override
        public <A> A[] toArray(A[] a) {
            return copy().toArray(a);
        }

        private List<T> copy() {
            List<T> copy = new ArrayList<>();
            for (T t : this) {
                copy.add(t);
            }
            return copy;
        }

        @Override
        public boolean retainAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return removeIf(t -> !c.contains(t));
        }

        @Override
        public boolean removeAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return removeIf(c::contains);
        }

        /** Not SIZED: the estimate only guides splitting. */
        Spliterator<T> spliterator(int characteristics) {
            return Spliterators.spliterator(iterator(), cache.estimatedSize(), characteristics);
        }
    }

    /** Set equality by containment both ways, as ConcurrentHashMap's key and entry views have it. */
    private abstract class SetView<T> extends View<T> implements Set<T> {
        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof Set<?> c && containsAll(c) && c.containsAll(this);
        }

        /** False for a null element, which no view holds, rather than the NPE that contains throws. */
        @Override
        public boolean containsAll(Collection<?> c) {
            for (Object o : c) {
                if (o == null || !contains(o)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = 0;
            for (T t : this) {
                h += t.hashCode();
            }
            return h;
        }

        @Override
        public Spliterator<T> spliterator() {
            return spliterator(KEY_CHARACTERISTICS);
        }

        /** As {@link View#removeAll}, or, for a small {@code c}, removes each of its elements. */
        @Override
        public boolean removeAll(Collection<?> c) {
            Objects.requireNonNull(c);
            if (lookUpInto(c)) {
                return removeIf(c::contains);
            }
            boolean removed = false;
            for (Object o : c) {
                removed |= remove(o);
            }
            return removed;
        }
    }

    private final class EntrySet extends SetView<Entry<K, V>> {
        @Override
        public Iterator<Entry<K, V>> iterator() {
            return new ViewIterator<>() {
                @Override
                public Entry<K, V> next() {
                    return nextEntry(WriteThroughEntry::new);
                }
            };
        }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            V mine = cache.getQuietly(e.getKey());
            return mine != null && (e.getValue() == mine || e.getValue().equals(mine));
        }

        /** Removes the mapping only if the key maps to the entry's value: {@code remove(k, v)}. */
        @Override
        public boolean remove(Object o) {
            return o instanceof Map.Entry<?, ?> e && e.getKey() != null
                    && MapView.this.remove(e.getKey(), e.getValue());
        }

        @Override
        public boolean removeIf(Predicate<? super Entry<K, V>> filter) {
            return MapView.this.removeIf(WriteThroughEntry::new, filter);
        }
    }

    private final class KeySet extends SetView<K> {
        @Override
        public Iterator<K> iterator() {
            return new ViewIterator<>() {
                @Override
                public K next() {
                    return nextEntry(Function.identity()).getKey();
                }
            };
        }

        @Override
        public boolean contains(Object o) {
            return containsKey(o);
        }

        /** Removes the key's mapping, whatever its value (the caller named the key, as in ConcurrentHashMap). */
        @Override
        public boolean remove(Object o) {
            return MapView.this.remove(o) != null;
        }

        @Override
        public boolean removeIf(Predicate<? super K> filter) {
            return MapView.this.removeIf(CacheEntry::getKey, filter);
        }
    }

    private final class Values extends View<V> {
        @Override
        public Iterator<V> iterator() {
            return new ViewIterator<>() {
                @Override
                public V next() {
                    return nextEntry(Function.identity()).getValue();
                }
            };
        }

        @Override
        public boolean contains(Object o) {
            return containsValue(o);
        }

        /**
         * Removes one entry holding a value equal to {@code o}, by {@code remove(k, v)}: an entry
         * overwritten since it was compared is skipped, and the search goes on.
         */
        @Override
        public boolean remove(Object o) {
            if (o == null) {
                return false;
            }
            for (Iterator<CacheEntry<K, V>> it = cache.liveEntries(); it.hasNext(); ) {
                CacheEntry<K, V> e = it.next();
                if (o.equals(e.getValue()) && cache.remove(e.getKey(), e.getValue())) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean removeIf(Predicate<? super V> filter) {
            return MapView.this.removeIf(CacheEntry::getValue, filter);
        }

        @Override
        public Spliterator<V> spliterator() {
            return spliterator(VALUE_CHARACTERISTICS);
        }
    }
}
