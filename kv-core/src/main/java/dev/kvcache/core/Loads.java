package dev.kvcache.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Single-flight loading for {@code get(key, loader)}: concurrent callers for one absent key share one
 * run of the loader.
 *
 * <p>The first caller registers a {@link Loading} in {@link #inFlight} and runs the loader; the others
 * find it there and wait for its outcome. Whatever the loader ends with (a value, {@code null}, or any
 * {@link Throwable}, a checked exception thrown sneakily included) completes the load, so no waiter
 * is left blocked; a throwable reaches the owner and every waiter unchanged, and nothing is stored.
 *
 * <p>Explicit writes win over a load in flight: a write of the key that changes it (and
 * {@code remove(key)} and {@code invalidateAll()} even when the key is absent) {@link #invalidate
 * invalidates} the load under the key's segment lock, and the load stores its value under the same
 * lock only if it was not invalidated. If the key is then live (a write stored a value meanwhile), the
 * load's callers receive that value: the load is linearized just after that write. If it is absent
 * (removed or invalidated meanwhile), the loaded value is stale and is dropped, and the loader runs
 * again, after the invalidating write, unless a caller that arrived after that write is already
 * loading, whose result is then shared. So every value {@code get} returns was in the cache at some
 * instant of the call, and {@code get} stays linearizable. Expiry and eviction do not invalidate a load.
 */
final class Loads<K, V> {
    private final ExpiringCache<K, V> cache;
    private final ConcurrentHashMap<Object, Loading<V>> inFlight = new ConcurrentHashMap<>();

    Loads(ExpiringCache<K, V> cache) {
        this.cache = cache;
    }

    /** {@link KvCache#get}, for a key the caller found absent. */
    V get(K key, Function<? super K, ? extends V> loader) {
        Objects.requireNonNull(loader, "loader");
        cache.writes.requireNotComputing("get(key, loader)");
        Loading<V> mine = new Loading<>();
        Loading<V> theirs = inFlight.putIfAbsent(key, mine);
        if (theirs != null) {
            return theirs.await();
        }
        try {
            V value = load(key, loader, mine);
            mine.complete(value);
            return value;
        } catch (Throwable t) {
            mine.completeExceptionally(t);
            throw Loads.<RuntimeException>rethrow(t);
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /**
     * Loads until a value is stored or found: a load invalidated by an explicit write (its value is
     * stale) runs again after that write, or joins the load a later caller started meanwhile.
     */
    private V load(K key, Function<? super K, ? extends V> loader, Loading<V> mine) {
        for (;;) {
            V present = cache.getQuietly(key); // a load or write that finished just before ours
            if (present != null) {
                return present;
            }
            long start = cache.ticker.read();
            V loaded;
            try {
                loaded = loader.apply(key);
            } catch (Throwable t) {
                cache.stats.recordLoad(false, cache.ticker.read() - start);
                throw t;
            }
            cache.stats.recordLoad(loaded != null, cache.ticker.read() - start);
            if (loaded == null) {
                return null;
            }
            // The value stored, or the value a write stored while we loaded (it wins, as it would had
            // the load come just after it), or null: the key was invalidated while we loaded.
            V outcome = cache.writes.storeLoaded(key, loaded, mine);
            if (outcome != null) {
                return outcome;
            }
            mine.invalidated = false;
            Loading<V> theirs = inFlight.putIfAbsent(key, mine);
            if (theirs != null) {
                return theirs.await();
            }
        }
    }

    /** Makes a load of {@code key} in flight, if any, not store its value. Key's segment lock held. */
    void invalidate(Object key) {
        if (!inFlight.isEmpty()) { // cheap when nothing loads, which is the common case for writes
            Loading<V> load = inFlight.remove(key);
            if (load != null) {
                load.invalidated = true;
            }
        }
    }

    /** Invalidates every load in flight; for {@code invalidateAll()}. */
    void invalidateAll() {
        for (Object key : inFlight.keySet()) {
            Loading<V> load = inFlight.remove(key);
            if (load != null) {
                load.invalidated = true;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T rethrow(Throwable t) throws T {
        throw (T) t;
    }

    /** An in-flight load that other callers for the same key wait on. */
    static final class Loading<V> extends CompletableFuture<V> {
        private final Thread owner = Thread.currentThread();

        /*
         * Set by a write of the key while the load runs; written and read under the key's segment lock
         * (volatile for invalidateAll, which writes it without that lock and then takes it).
         */
        volatile boolean invalidated;

        V await() {
            if (owner == Thread.currentThread()) {
                throw new IllegalStateException("recursive load: the loader called get() for its own key");
            }
            try {
                return join();
            } catch (CompletionException e) {
                throw Loads.<RuntimeException>rethrow(e.getCause());
            }
        }
    }
}
