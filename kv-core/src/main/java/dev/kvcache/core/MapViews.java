package dev.kvcache.core;

import java.util.AbstractCollection;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Predicate;

/**
 * The collection views of {@link MapView}: {@code entrySet()}, {@code keySet()} and {@code values()},
 * with their iterators and spliterators. Each answers from the live entries (never from the size
 * estimate), iterates weakly consistently, and makes every removal that follows a look at an entry
 * (iterator {@code remove}, {@code removeIf}, {@code removeAll}, {@code retainAll},
 * {@code values().remove}) conditional on the value looked at: {@code remove(k, v)}, so a value
 * written since survives. Spliterators report what ConcurrentHashMap's do: {@code CONCURRENT},
 * {@code NONNULL}, and {@code DISTINCT} for keys and entries; never {@code SIZED}.
 */
final class MapViews<K, V> {
    private static final int KEY_CHARACTERISTICS = Spliterator.CONCURRENT | Spliterator.NONNULL | Spliterator.DISTINCT;
    private static final int VALUE_CHARACTERISTICS = Spliterator.CONCURRENT | Spliterator.NONNULL;

    private final MapView<K, V> map;
    private final ExpiringCache<K, V> cache;
    final Set<Entry<K, V>> entrySet = new EntrySet();
    final Set<K> keySet = new KeySet();
    final Collection<V> values = new Values();

    MapViews(MapView<K, V> map, ExpiringCache<K, V> cache) {
        this.map = map;
        this.cache = cache;
    }

    /** What the three views share: iteration, size, emptiness, clearing, arrays and bulk removal. */
    private abstract class View<T> extends AbstractCollection<T> {
        /** The view's element for a live entry. */
        abstract T element(CacheEntry<K, V> entry);

        /** Iterator {@code remove} of {@code element}, returned for {@code entry}: conditional on its value. */
        void removeReturned(CacheEntry<K, V> entry, T element) {
            cache.remove(entry.getKey(), entry.getValue());
        }

        @Override
        public Iterator<T> iterator() {
            return new ViewIterator();
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
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

        /**
         * Removes each live entry whose element {@code filter} accepts, if the key still maps to the
         * value the filter was shown: {@code remove(k, v)}, so a value written meanwhile survives.
         */
        @Override
        public boolean removeIf(Predicate<? super T> filter) {
            return removeMatching(filter, true);
        }

        /**
         * Removes the live entries whose element {@code filter} accepts (only the first removed, unless
         * {@code all}), each by {@code remove(k, v)} with the value the filter was shown: an entry
         * overwritten since is skipped. Returns whether any entry was removed.
         */
        boolean removeMatching(Predicate<? super T> filter, boolean all) {
            Objects.requireNonNull(filter);
            boolean removed = false;
            for (Iterator<CacheEntry<K, V>> it = cache.liveEntries(); it.hasNext(); ) {
                CacheEntry<K, V> e = it.next();
                if (filter.test(element(e)) && cache.remove(e.getKey(), e.getValue())) {
                    if (!all) {
                        return true;
                    }
                    removed = true;
                }
            }
            return removed;
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

        /** Iterates the live entries' elements; {@code remove} is {@link #removeReturned}. */
        private final class ViewIterator implements Iterator<T> {
            private final Iterator<CacheEntry<K, V>> entries = cache.liveEntries();
            private CacheEntry<K, V> lastEntry;
            private T lastElement;

            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public T next() {
                lastEntry = entries.next();
                lastElement = element(lastEntry);
                return lastElement;
            }

            @Override
            public void remove() {
                if (lastEntry == null) {
                    throw new IllegalStateException("next() not called, or remove() already called");
                }
                removeReturned(lastEntry, lastElement);
                lastEntry = null;
                lastElement = null;
            }
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

        /**
         * As {@link View#removeAll}, or, when {@code c} is not a Set larger than the cache (whose
         * {@code contains} is then the cheaper question, as ConcurrentHashMap judges), removes each of
         * its elements.
         */
        @Override
        public boolean removeAll(Collection<?> c) {
            Objects.requireNonNull(c);
            if (c instanceof Set<?> && c.size() > cache.estimatedSize()) {
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
        Entry<K, V> element(CacheEntry<K, V> entry) {
            return new WriteThroughEntry(entry);
        }

        /** Conditional on the value returned, or set through the entry since. */
        @Override
        void removeReturned(CacheEntry<K, V> entry, Entry<K, V> element) {
            cache.remove(element.getKey(), element.getValue());
        }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            V mine = cache.peekQuietly(e.getKey()); // not an access, as Guava's contract says of the views
            return mine != null && (e.getValue() == mine || e.getValue().equals(mine));
        }

        /** Removes the mapping only if the key maps to the entry's value: {@code remove(k, v)}. */
        @Override
        public boolean remove(Object o) {
            return o instanceof Map.Entry<?, ?> e && e.getKey() != null && map.remove(e.getKey(), e.getValue());
        }
    }

    private final class KeySet extends SetView<K> {
        @Override
        K element(CacheEntry<K, V> entry) {
            return entry.getKey();
        }

        @Override
        public boolean contains(Object o) {
            return map.containsKey(o);
        }

        /** Removes the key's mapping, whatever its value (the caller named the key, as in ConcurrentHashMap). */
        @Override
        public boolean remove(Object o) {
            return map.remove(o) != null;
        }
    }

    private final class Values extends View<V> {
        @Override
        V element(CacheEntry<K, V> entry) {
            return entry.getValue();
        }

        @Override
        public boolean contains(Object o) {
            return map.containsValue(o);
        }

        /**
         * Removes one entry holding a value equal to {@code o}, by {@code remove(k, v)}: an entry
         * overwritten since it was compared is skipped, and the search goes on.
         */
        @Override
        public boolean remove(Object o) {
            return o != null && removeMatching(o::equals, false);
        }

        @Override
        public Spliterator<V> spliterator() {
            return spliterator(VALUE_CHARACTERISTICS);
        }
    }

    /** An entry whose {@code setValue} writes through to the cache and returns the value it held, as ConcurrentHashMap's does. */
    @SuppressWarnings("serial")
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
}
