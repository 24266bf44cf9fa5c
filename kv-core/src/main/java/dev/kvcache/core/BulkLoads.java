package dev.kvcache.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Bulk loading for {@link LoadingCache#getAll}: the call claims each missing key no other caller is
 * loading by registering a {@link Loading} of its own in {@link Loads}, runs one
 * {@link CacheLoader#loadAll loadAll} for the claimed keys, and completes each claim with that key's
 * outcome (its value, stored as by any load, or its failure); the keys other callers were loading
 * it waits for as {@code get} would, through {@link Loads}, which also detects a cycle of waits.
 *
 * <p>A removal that wins over the bulk load makes that key's loaded value stale (see {@link Loads}):
 * the call reloads such a key (with {@code load}) only after it completed the loads of its other keys,
 * so that the reload's loader may get them; the callers that joined it for that key load it
 * themselves, as after a dropped refresh.
 */
final class BulkLoads<K, V> {
    private final ExpiringCache<K, V> cache;
    private final Loads<K, V> loads;

    BulkLoads(ExpiringCache<K, V> cache) {
        this.cache = cache;
        this.loads = cache.loads;
    }

    /**
     * {@link LoadingCache#getAll}: the live values, then one {@code loadAll} for the missing keys no
     * other caller is loading, then the values of the loads it joined. {@code loadOne} (the loader's
     * {@code load}, failures reported as {@link LoadingCache} says) reloads a key whose bulk-loaded
     * value an explicit removal made stale.
     */
    Map<K, V> getAll(Iterable<? extends K> keys, CacheLoader<? super K, V> loader,
            Function<? super K, ? extends V> loadOne) {
        Set<K> requested = BulkArguments.keys(keys);
        Map<K, V> found = new LinkedHashMap<>(); // in request order while every key is a hit
        List<K> missing = null;
        for (K key : requested) {
            V value = cache.getIfPresent(key);
            if (value != null) {
                found.put(key, value);
            } else {
                if (missing == null) {
                    missing = new ArrayList<>();
                }
                missing.add(key);
            }
        }
        if (missing == null) {
            return found.isEmpty() ? Map.of() : Collections.unmodifiableMap(found);
        }
        cache.writes.requireNotComputing("getAll(keys)");
        Map<Object, Throwable> failures = loadMissing(missing, loader, loadOne, found);
        if (!failures.isEmpty()) {
            throw new BulkLoadException(inOrder(requested, found), failures);
        }
        return inOrder(requested, found);
    }

    private Map<Object, Throwable> loadMissing(List<K> missing, CacheLoader<? super K, V> loader,
            Function<? super K, ? extends V> loadOne, Map<K, V> found) {
        Map<K, Loading<V>> owned = new LinkedHashMap<>();
        Map<K, Loading<V>> joined = new LinkedHashMap<>();
        for (K key : missing) {
            Loading<V> mine = new Loading<>();
            Loading<V> theirs = loads.register(key, mine);
            if (theirs == null) {
                owned.put(key, mine);
            } else {
                joined.put(key, theirs);
            }
        }
        Map<Object, Throwable> failures = new LinkedHashMap<>();
        try {
            owned.entrySet().removeIf(e -> { // loaded or written just before we registered
                V present = cache.getQuietly(e.getKey());
                if (present == null) {
                    return false;
                }
                found.put(e.getKey(), present);
                loads.finish(e.getKey(), e.getValue(), present, null);
                return true;
            });
            if (!owned.isEmpty()) {
                bulkLoad(owned, loader, loadOne, found, failures);
            }
        } catch (Throwable t) {
            // Our own bookkeeping failed (out of memory, say): leave no waiter of ours blocked.
            owned.forEach((key, mine) -> {
                if (!mine.isDone()) {
                    loads.finish(key, mine, null, t);
                }
            });
            throw t;
        }
        joined.forEach((key, theirs) -> {
            try {
                V value = loads.join(key, theirs, loadOne);
                if (value != null) {
                    found.put(key, value);
                }
            } catch (Throwable t) {
                failures.put(key, t);
            }
        });
        return failures;
    }

    /** One {@code loadAll} call for the keys of {@code owned}; completes every one of their loads. */
    private void bulkLoad(Map<K, Loading<V>> owned, CacheLoader<? super K, V> loader,
            Function<? super K, ? extends V> loadOne, Map<K, V> found, Map<Object, Throwable> failures) {
        Map<?, ?> values;
        Map<?, ? extends Throwable> failed = Map.of();
        Throwable all = null;
        long start = cache.ticker.read();
        owned.values().forEach(mine -> mine.inLoader = true);
        try {
            values = loader.loadAll(Collections.unmodifiableSet(owned.keySet()));
            if (values == null) {
                all = new NullPointerException("CacheLoader.loadAll returned null; return an empty map for no values");
                values = Map.of();
            }
        } catch (BulkLoadException e) {
            values = e.loaded();
            failed = e.failures();
        } catch (Throwable t) {
            values = Map.of();
            all = t;
        } finally {
            owned.values().forEach(mine -> mine.inLoader = false);
        }
        StatsCounters.recordLoad(cache.stats, all == null && failed.isEmpty(), cache.ticker.read() - start);
        List<K> stale = null;
        for (Map.Entry<K, Loading<V>> e : owned.entrySet()) {
            K key = e.getKey();
            Loading<V> mine = e.getValue();
            try {
                Throwable failure = all != null ? all : failed.get(key);
                if (failure != null) {
                    throw failure;
                }
                @SuppressWarnings("unchecked")
                V value = (V) values.get(key);
                V outcome = value == null ? null : cache.writes.storeLoaded(key, value, mine);
                if (value != null && outcome == null) {
                    // A removal made it stale. Reloaded below, once no load of this call is left in flight:
                    // reloaded here, a loader of this key that gets another key of the call waited for it.
                    mine.dropped = true; // its waiters load it themselves, as after a dropped refresh
                    loads.finish(key, mine, null, null);
                    if (stale == null) {
                        stale = new ArrayList<>();
                    }
                    stale.add(key);
                    continue;
                }
                if (outcome != null) {
                    found.put(key, outcome);
                }
                loads.finish(key, mine, outcome, null);
            } catch (Throwable t) {
                Throwable reported = LoadException.reported(key, t);
                failures.put(key, reported);
                loads.finish(key, mine, null, reported);
            }
        }
        if (stale != null) {
            for (K key : stale) {
                try {
                    V value = loads.get(key, loadOne);
                    if (value != null) {
                        found.put(key, value);
                    }
                } catch (Throwable t) {
                    failures.put(key, LoadException.reported(key, t));
                }
            }
        }
    }

    private Map<K, V> inOrder(Set<K> requested, Map<K, V> found) {
        if (found.isEmpty()) {
            return Map.of();
        }
        Map<K, V> ordered = new LinkedHashMap<>();
        for (K key : requested) {
            V value = found.get(key);
            if (value != null) {
                ordered.put(key, value);
            }
        }
        return Collections.unmodifiableMap(ordered);
    }
}
