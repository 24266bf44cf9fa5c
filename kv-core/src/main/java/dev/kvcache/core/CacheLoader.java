package dev.kvcache.core;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Computes the values of a {@link LoadingCache}: {@link #load} for one key, and optionally
 * {@link #loadAll} for many at once (by default, one {@code load} per key) and {@link #reload} for a
 * {@link LoadingCache#refresh refresh} (by default, {@code load}).
 *
 * <p>A loader says "this key has no value" by returning {@code null} ({@code loadAll}: by leaving the
 * key out of its map): nothing is stored and the cache's {@code get} returns {@code null}. It reports
 * a failure by throwing; see {@link LoadingCache} for how each kind of throwable reaches the caller.
 * Loaders run on the calling thread (a refresh: on the cache's executor), outside every lock of the
 * cache; they may read and write the cache, except that a load must not wait for its own key: a
 * {@code get} or {@code getAll} that would, directly or through loads running on other threads,
 * fails with {@link IllegalStateException} (a key of a {@link LoadingCache#getAll getAll} call that
 * the call has not loaded yet is no wait: a get of it from a loader of that call loads it at once; a wait outside the cache, such as on the future of a
 * {@link LoadingCache#refresh refresh} of the key, is not detected and hangs).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface CacheLoader<K, V> {

    /**
     * Computes the value of {@code key}.
     *
     * @param key the key, never null
     * @return the value, or {@code null} if the key has none
     * @throws Exception if the value cannot be computed; nothing is stored
     */
    V load(K key) throws Exception;

    /**
     * Computes the values of {@code keys} in one call: {@link LoadingCache#getAll} calls it once with the
     * keys it found neither present nor being loaded by another caller. Keys missing from the returned
     * map (or mapped to {@code null}) have no value; entries for keys not asked for are ignored.
     *
     * <p>To report that some keys failed while others loaded, throw a {@link BulkLoadException}: the
     * cache stores its {@link BulkLoadException#loaded() loaded} values and fails the keys of its
     * {@link BulkLoadException#failures() failures}. Any other throwable fails every key of the call.
     *
     * <p>It may get keys of {@code keys} from the cache: such a get loads the key at once with
     * {@link #load} and stores it; a value this method then returns for that key replaces the one
     * the get stored, unless a write of the key came after that get, and a key it returns no value
     * for keeps the get's outcome (see {@link LoadingCache#getAll}).
     *
     * <p>The default calls {@link #load} for each key in turn, and if any of them threw an
     * {@link Exception}, throws a {@code BulkLoadException} carrying both the values loaded and each
     * failed key's exception. An {@link Error} from {@code load} stops it and propagates, which fails
     * every key of the call (the values loaded before it are not stored). A loader that keeps this
     * default is not called through it by {@link LoadingCache#getAll}: the cache runs the same loop
     * itself, so that it can skip a key that a {@code load} of the loop got, and so loaded, already.
     *
     * @param keys the keys to load, not empty, unmodifiable, no nulls
     * @return the values found, never null
     * @throws Exception if the values cannot be computed (see above)
     */
    default Map<? extends K, ? extends V> loadAll(Set<? extends K> keys) throws Exception {
        Map<K, V> loaded = new LinkedHashMap<>();
        Map<Object, Throwable> failures = null;
        for (K key : keys) {
            try {
                V value = load(key);
                if (value != null) {
                    loaded.put(key, value);
                }
            } catch (Exception e) {
                if (failures == null) {
                    failures = new HashMap<>();
                }
                failures.put(key, e);
            }
        }
        if (failures != null) {
            throw new BulkLoadException(loaded, failures);
        }
        return loaded;
    }

    /**
     * Computes a new value of {@code key}, which held {@code oldValue}, for
     * {@link LoadingCache#refresh}. The default returns {@link #load load(key)}.
     *
     * @param key the key, never null
     * @param oldValue the value live when the reload started, never null
     * @return the new value, or {@code null} to remove the entry
     * @throws Exception if the value cannot be computed; the old value stays
     */
    default V reload(K key, V oldValue) throws Exception {
        Objects.requireNonNull(oldValue, "oldValue");
        return load(key);
    }
}
