package dev.kvcache.core;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link KvCache} that computes missing values with its {@link CacheLoader}. Build one with
 * {@link KvCacheBuilder#build(CacheLoader)}.
 *
 * <h2>Loading</h2>
 * {@link #get} and {@link #getAll} load the keys they find absent or expired, store the values with the
 * default TTL, and return them. Concurrent callers for one key share one load, whichever call started
 * it: a {@code get} waits for a {@code getAll}'s bulk load of its key, a {@code getAll} for a
 * {@code get}'s load or a {@link #refresh}, and so on; {@code get(key, loader)} of {@link KvCache}
 * takes part too. A load is linearizable as that of {@link KvCache#get(Object, java.util.function.Function)}:
 * an explicit write of the key made while it runs wins (the loaded value is then not stored), and
 * every value returned was in the cache at some instant of the call.
 *
 * <p>A loader that returns {@code null} means "no value": nothing is stored, and {@code get} returns
 * {@code null} ({@code getAll} leaves the key out). Nothing is remembered of it: the next call loads
 * again.
 *
 * <h2>Failures</h2>
 * A loader's {@link RuntimeException} or {@link Error} reaches every caller sharing the load
 * unchanged, as from {@code get(key, loader)}; a checked exception reaches them wrapped in a
 * {@link LoadException}, its cause. Nothing is stored for a failed key. {@link #getAll} throws a
 * {@link BulkLoadException} when any of its keys failed, naming each failed key with its throwable and
 * carrying the values of the others, which are stored.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface LoadingCache<K, V> extends KvCache<K, V> {

    /**
     * Returns the value of a live entry, loading and storing it (with the default TTL) if the key is
     * absent or expired. A hit costs what {@link #getIfPresent} costs (no lock, no allocation).
     *
     * @param key the key
     * @return the value, or {@code null} if the loader returned {@code null} (nothing stored)
     * @throws NullPointerException if {@code key} is null
     * @throws LoadException if the loader threw a checked exception (its cause)
     * @throws IllegalStateException if called, for an absent key, from inside a compute function of this
     *     cache's map view, or by the loader for the key it is loading, directly or through loads of
     *     other keys whose loaders run on other threads (see {@link KvCache#get(Object, java.util.function.Function)})
     */
    V get(K key);

    /**
     * Returns the live values of {@code keys}, loading the missing ones: the keys neither live nor
     * being loaded by another caller go to one {@link CacheLoader#loadAll loadAll} call, the keys being
     * loaded already are waited for. Each key is looked up, loaded and stored atomically on its own
     * (as by {@link #get}); the call as a whole is not atomic, and the map need not reflect one
     * instant. Duplicate keys count once.
     *
     * <p>A loader of this call (its {@code loadAll}, or a {@code load} the default {@code loadAll}
     * makes) may get another key of the call that the call has not loaded yet, with {@code get},
     * {@code get(key, loader)} or {@code getAll}: that get does not wait for this call but loads the
     * key at once, on the same thread, storing it as any load does, and returns its value. The call
     * does not load that key again (the default {@code loadAll} skips it, so the loader runs once per
     * key, and the statistics count the get's load and the call's bulk load). Its result for the key
     * is the value {@code loadAll} returned for it, which replaces the get's value (a load's store is
     * not an explicit write, so it does not make the call's value stale; the get's value is removed
     * as {@link RemovalCause#REPLACED}), or, if {@code loadAll} returned none for the key or failed
     * it, the get's outcome (its value, none, or its failure). An explicit write of the key made
     * after the get stored (by another thread, or by the loader itself) wins over both, as always.
     * A get of a key whose load is running on the same thread (a loader's own key, or the key of a
     * load it was called from) still fails with {@link IllegalStateException}.
     *
     * @param keys the keys
     * @return an unmodifiable map, in the iteration order of {@code keys}, of the keys that have a value
     *     (those the loader found none for are left out)
     * @throws NullPointerException if {@code keys} or any key is null
     * @throws BulkLoadException if the load of any key failed (see the class doc); the keys that did
     *     load are stored
     * @throws IllegalStateException if called, with a key to load, from inside a compute function of
     *     this cache's map view, or if a wait for another caller's load would close a cycle of loads
     *     (as for {@link #get})
     */
    Map<K, V> getAll(Iterable<? extends K> keys);

    /**
     * Loads a new value for {@code key} in the background, on the builder's
     * {@link KvCacheBuilder#executor executor} ({@link java.util.concurrent.ForkJoinPool#commonPool()}
     * if none is set), with {@link CacheLoader#reload} if the key is live when the reload starts and
     * {@link CacheLoader#load} otherwise; a {@code get} or {@code getAll} that would wait for a refresh
     * the executor has not started yet runs it on its own thread instead (so a refresh queued behind a
     * busy executor thread never makes a load wait for that thread). Readers keep getting the old
     * value meanwhile. The new value is stored (as by
     * {@code put}, with the default TTL) when the loader returns it; {@code null} from the loader
     * removes the entry ({@link RemovalCause#EXPLICIT}). If the loader throws, the old value stays and
     * the failure is counted ({@link CacheStats#refreshFailureCount()}).
     *
     * <p>An explicit write or invalidation of the key made after this call started always wins: the
     * reloaded value is then dropped. If a load of the key is already in flight (a {@code get},
     * {@code getAll} or another {@code refresh}), no new load starts and the returned future follows
     * that load. A {@code get} or {@code getAll} that finds the key absent while a refresh of it runs
     * waits for that refresh and receives its value; if the refresh stores nothing because a removal
     * won (or the executor refused it), the caller loads the key itself instead, so {@code get} still
     * returns {@code null} only when a loader returned {@code null}. The returned future is the
     * caller's own: completing or cancelling it does not affect the refresh or other callers.
     *
     * @param key the key
     * @return a future of the key's value once the reload took effect: the value stored, or, when a
     *     write won, the value that write left ({@code null} if it removed the key); it completes
     *     exceptionally with what the loader threw (a checked exception wrapped in a
     *     {@link LoadException}), or with the executor's {@link java.util.concurrent.RejectedExecutionException}
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if called from inside a compute function of this cache's map view
     */
    CompletableFuture<V> refresh(K key);
}
