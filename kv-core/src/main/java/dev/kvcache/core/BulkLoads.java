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
 * <p>A loader of the call that gets a claimed key not loaded yet loads it at once (see
 * {@link Loads#join}); the call then takes that outcome, or stores {@code loadAll}'s value for the key
 * in its place ({@link #replaceEarly}), and the default {@code loadAll} ({@link #loadEach}) skips it.
 *
 * <p>A removal that wins over the bulk load makes that key's loaded value stale (see {@link Loads}):
 * the call reloads such a key (with {@code load}) only after it completed the loads of its other keys,
 * so that the reload's loader may get them; the callers that joined it for that key load it
 * themselves, as after a dropped refresh.
 */
final class BulkLoads<K, V> {
    private final ExpiringCache<K, V> cache;
    private final Loads<K, V> loads;
    private final CacheLoader<? super K, V> loader;
    /* The loader's load, failures reported as LoadingCache says: reloads a stale key. */
    private final Function<? super K, ? extends V> loadOne;
    /* The loader keeps CacheLoader's loadAll, which this class runs itself: see loadEach. */
    private final boolean defaultLoadAll;

    BulkLoads(ExpiringCache<K, V> cache, CacheLoader<? super K, V> loader, Function<? super K, ? extends V> loadOne) {
        this.cache = cache;
        this.loads = cache.loads;
        this.loader = loader;
        this.loadOne = loadOne;
        this.defaultLoadAll = !overridesLoadAll(loader);
    }

    private static boolean overridesLoadAll(CacheLoader<?, ?> loader) {
        try {
            return loader.getClass().getMethod("loadAll", Set.class).getDeclaringClass() != CacheLoader.class;
        } catch (ReflectiveOperationException | SecurityException e) {
            return true; // cannot tell: call the loader's loadAll, as before
        }
    }

    /**
     * {@link LoadingCache#getAll}: the live values, then one {@code loadAll} for the missing keys no
     * other caller is loading, then the values of the loads it joined.
     */
    Map<K, V> getAll(Iterable<? extends K> keys) {
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
        Map<Object, Throwable> failures = loadMissing(missing, found);
        if (!failures.isEmpty()) {
            throw new BulkLoadException(inOrder(requested, found), failures);
        }
        return inOrder(requested, found);
    }

    private Map<Object, Throwable> loadMissing(List<K> missing, Map<K, V> found) {
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
                bulkLoad(owned, found, failures);
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
    private void bulkLoad(Map<K, Loading<V>> owned, Map<K, V> found, Map<Object, Throwable> failures) {
        Map<?, ?> values;
        Map<?, ? extends Throwable> failed = Map.of();
        Throwable all = null;
        long start = cache.ticker.read();
        owned.values().forEach(mine -> {
            mine.inLoader = true;
            mine.claimedByBulk = true; // a loader of this call that gets the key loads it (Loads#loadClaimed)
        });
        try {
            values = defaultLoadAll ? loadEach(owned) : loader.loadAll(Collections.unmodifiableSet(owned.keySet()));
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
            owned.values().forEach(mine -> {
                mine.inLoader = false;
                mine.claimedByBulk = false;
            });
        }
        StatsCounters.recordLoad(cache.stats, all == null && failed.isEmpty(), cache.ticker.read() - start);
        List<K> stale = null;
        for (Map.Entry<K, Loading<V>> e : owned.entrySet()) {
            K key = e.getKey();
            Loading<V> mine = e.getValue();
            try {
                @SuppressWarnings("unchecked")
                V value = (V) values.get(key);
                V outcome;
                if (mine.loadedEarly) { // a nested get loaded it: loadAll's failure of it does not count
                    if (value == null && mine.earlyFailure != null) {
                        throw mine.earlyFailure;
                    }
                    outcome = value == null ? mine.earlyValue : replaceEarly(key, value, mine);
                } else {
                    Throwable failure = all != null ? all : failed.get(key);
                    if (failure != null) {
                        throw failure;
                    }
                    outcome = value == null ? null : cache.writes.storeLoaded(key, value, mine);
                }
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

    /**
     * {@link CacheLoader}'s default {@code loadAll}, as it says (one {@code load} per key, an
     * {@link Exception} fails its key, anything else every key), except that a key a nested get of
     * this call loaded already is not loaded again.
     */
    private Map<K, V> loadEach(Map<K, Loading<V>> owned) throws BulkLoadException {
        Map<K, V> loaded = new LinkedHashMap<>();
        Map<Object, Throwable> failures = null;
        for (Map.Entry<K, Loading<V>> e : owned.entrySet()) {
            Loading<V> mine = e.getValue();
            if (mine.loadedEarly) {
                continue;
            }
            mine.claimedByBulk = false; // its load starts: a get of the key from that load is recursive
            try {
                V value = loader.load(e.getKey());
                if (value != null) {
                    loaded.put(e.getKey(), value);
                }
            } catch (Exception failure) {
                if (failures == null) {
                    failures = new LinkedHashMap<>();
                }
                failures.put(e.getKey(), failure);
            }
        }
        if (failures != null) {
            throw new BulkLoadException(loaded, failures);
        }
        return loaded;
    }

    /**
     * Stores {@code loadAll}'s value for a key that a nested get loaded while it ran, in place of that
     * get's value: a load's store is not an explicit write, so it does not make loadAll's value stale.
     * A write of the key since wins: another thread's invalidated the claim (the store sees it), and
     * the loader's own (which leaves its load alone, as in {@link Loads#invalidate}) left another
     * value live.
     */
    private V replaceEarly(K key, V value, Loading<V> mine) {
        V live = cache.getQuietly(key);
        if (live != null && live != mine.earlyValue) {
            return live;
        }
        return cache.writes.storeRefreshed(key, value, mine);
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
