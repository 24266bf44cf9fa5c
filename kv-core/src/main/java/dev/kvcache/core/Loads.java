package dev.kvcache.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Single-flight loading: concurrent callers for one absent key share one run of a loader, whichever
 * call started it ({@code get(key, loader)}, a {@link LoadingCache}'s {@code get}, a key of a bulk
 * {@code getAll}, or a {@code refresh}).
 *
 * <p>The first caller registers a {@link Loading} in {@link #inFlight} and runs the loader; the others
 * find it there and wait for its outcome. Whatever the loader ends with (a value, {@code null}, or any
 * {@link Throwable}, a checked exception thrown sneakily included) completes the load, so no waiter
 * is left blocked; a throwable reaches the owner and every waiter unchanged, and nothing is stored.
 * A bulk load ({@link BulkLoads}) {@link #register registers} one {@code Loading} per key it owns
 * (keys already in flight are waited for instead) and {@link #finish finishes} each one separately.
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
 * A refresh is a load registered the same way whose store replaces a live value; invalidated, it
 * stores nothing and does not retry (the write that invalidated it is newer). A {@code get} that
 * joined it then receives the value that write left, or, if the write left the key absent (or the
 * executor refused the refresh), loads the key itself: a refresh's future may say "removed", a
 * {@code get} says {@code null} only when a loader found no value.
 */
final class Loads<K, V> {
    private final ExpiringCache<K, V> cache;
    private final ConcurrentHashMap<Object, Loading<V>> inFlight = new ConcurrentHashMap<>();
    /* The load each thread is waiting for, to find a cycle of loads waiting for each other (see awaitOutcome). */
    private final ConcurrentHashMap<Thread, Loading<V>> waiting = new ConcurrentHashMap<>();

    Loads(ExpiringCache<K, V> cache) {
        this.cache = cache;
    }

    /** Registers {@code mine} as the load of {@code key}, or returns the load in flight (then {@code mine} is not registered). */
    Loading<V> register(Object key, Loading<V> mine) {
        return inFlight.putIfAbsent(key, mine);
    }

    /** Completes {@code mine} with a value or a failure and unregisters it, unless a newer load took its place. */
    void finish(Object key, Loading<V> mine, V value, Throwable failure) {
        if (failure == null) {
            mine.complete(value);
        } else {
            mine.completeExceptionally(failure);
        }
        inFlight.remove(key, mine);
    }

    /** {@link KvCache#get}, for a key the caller found absent. */
    V get(K key, Function<? super K, ? extends V> loader) {
        Objects.requireNonNull(loader, "loader");
        cache.writes.requireNotComputing("get(key, loader)");
        Loading<V> mine = new Loading<>();
        Loading<V> theirs = inFlight.putIfAbsent(key, mine);
        if (theirs != null) {
            return join(key, theirs, loader);
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

    /** Loads until a value is stored or found (see {@link #store}). */
    private V load(K key, Function<? super K, ? extends V> loader, Loading<V> mine) {
        V present = cache.getQuietly(key); // a load or write that finished just before ours
        if (present != null) {
            return present;
        }
        V loaded = callLoader(key, loader, mine);
        return loaded == null ? null : store(key, loaded, mine, loader);
    }

    /**
     * Stores a loaded value, or returns the value a write stored while it loaded (that write wins, as
     * it would had the load come just after it). A load invalidated by a removal (its value is stale)
     * runs again after that write, or joins the load a later caller started meanwhile.
     */
    private V store(K key, V loaded, Loading<V> mine, Function<? super K, ? extends V> loader) {
        for (;;) {
            V outcome = cache.writes.storeLoaded(key, loaded, mine);
            if (outcome != null) {
                return outcome;
            }
            mine.invalidated = false;
            Loading<V> theirs = inFlight.putIfAbsent(key, mine);
            if (theirs != null) {
                return join(key, theirs, loader);
            }
            V present = cache.getQuietly(key);
            if (present != null) {
                return present;
            }
            loaded = callLoader(key, loader, mine);
            if (loaded == null) {
                return null;
            }
        }
    }

    /**
     * Waits for another caller's load of {@code key} and returns its outcome, unless it was a refresh
     * that left its waiters no answer ({@link Loading#dropped}): the key is then loaded as by
     * {@link #get}, which may join a newer load.
     */
    V join(K key, Loading<V> theirs, Function<? super K, ? extends V> loader) {
        try {
            V value = awaitOutcome(key, theirs);
            if (!theirs.dropped) {
                return value;
            }
        } catch (Throwable t) {
            if (!theirs.dropped) {
                throw t;
            }
        }
        return get(key, loader);
    }

    /**
     * Waits for {@code theirs}, unless that would close a cycle: its loader's thread waits, directly
     * or through the loads other threads wait for, for a load this thread runs (the loader of a on one
     * thread gets b while b's loader on another thread gets a). Then it throws
     * {@link IllegalStateException}, so that one thread of the cycle fails and the others see that
     * failure instead of all waiting forever. Registering before walking makes the check safe against
     * a race: of two threads closing a cycle at once, at least one sees the other's registration.
     */
    private V awaitOutcome(K key, Loading<V> theirs) {
        if (theirs.refresh != null && theirs.owner == null) {
            // A refresh the executor has not started: run it here rather than wait for a task that may
            // be queued behind a thread that waits for us (a single-thread executor deadlocked so).
            theirs.refresh.run();
        }
        Thread me = Thread.currentThread();
        waiting.put(me, theirs);
        try {
            if (closesCycle(me, theirs, null)) {
                // The walk is no snapshot: a thread it passed may have moved on and now wait for one of
                // ours. A real cycle holds still (its threads all wait), so walk again and confirm.
                List<Loading<V>> path = new ArrayList<>();
                if (closesCycle(me, theirs, path) && heldStill(path)) {
                    throw new IllegalStateException("recursive load: waiting for key " + key
                            + " would wait, through other threads' loads, for a load this thread is running");
                }
            }
            return theirs.await();
        } finally {
            waiting.remove(me);
        }
    }

    /**
     * Whether the loads waited for from {@code theirs} (its owner's wait, that load's owner's wait, and
     * so on) reach a load this thread runs other than {@code theirs} (which {@link Loading#await}
     * reports); the loads passed are added to {@code path} unless it is null.
     */
    private boolean closesCycle(Thread me, Loading<V> theirs, List<Loading<V>> path) {
        Loading<V> next = theirs;
        // Bounded: a cycle of other threads (which they detect themselves) must not trap this walk.
        for (long hops = waiting.mappingCount() + 1; next != null && hops > 0 && !next.isDone(); hops--) {
            if (path != null) {
                path.add(next);
            }
            Thread owner = next.owner; // null: a refresh not yet started, so no thread of the cycle runs it
            if (owner == me) {
                return next != theirs;
            }
            next = owner == null ? null : waiting.get(owner);
        }
        return false;
    }

    /**
     * Whether every link of {@code path} still holds: each load undone and its owner still waiting for
     * the next. A thread stops waiting for a load only once it is done, so links that held on both
     * walks held together in between: the cycle is real.
     */
    private boolean heldStill(List<Loading<V>> path) {
        for (int i = 0; i < path.size(); i++) {
            Loading<V> load = path.get(i);
            if (load.isDone() || i + 1 < path.size() && waiting.get(load.owner) != path.get(i + 1)) {
                return false;
            }
        }
        return true;
    }

    private V callLoader(K key, Function<? super K, ? extends V> loader, Loading<V> mine) {
        long start = cache.ticker.read();
        V loaded;
        mine.inLoader = true;
        try {
            loaded = loader.apply(key);
        } catch (Throwable t) {
            StatsCounters.recordLoad(cache.stats, false, cache.ticker.read() - start);
            throw t;
        } finally {
            mine.inLoader = false;
        }
        StatsCounters.recordLoad(cache.stats, loaded != null, cache.ticker.read() - start);
        return loaded;
    }

    /**
     * {@link LoadingCache#refresh}: registers a load of {@code key} (or returns the one in flight) and
     * runs it on {@code executor}; its store replaces the live value unless a write invalidated it.
     */
    CompletableFuture<V> refresh(K key, CacheLoader<? super K, V> loader, Executor executor) {
        Objects.requireNonNull(key, "key");
        cache.writes.requireNotComputing("refresh(key)");
        Loading<V> mine = new Loading<>(load -> () -> reload(key, loader, load));
        Loading<V> theirs = inFlight.putIfAbsent(key, mine);
        if (theirs != null) {
            return theirs.view();
        }
        try {
            executor.execute(mine.refresh);
        } catch (Throwable t) {
            if (mine.claim()) { // else a caller that joined it runs it
                StatsCounters.recordRefresh(cache.stats, false);
                mine.dropped = true; // the refusal is the refresh's own failure, not an answer for a get
                finish(key, mine, null, t);
            }
        }
        return mine.view();
    }

    /** A refresh's work, on the thread that claims it (see {@link Loading#refresh}). */
    private void reload(K key, CacheLoader<? super K, V> loader, Loading<V> mine) {
        if (!mine.claim()) {
            return; // run already, by a caller that would have waited for it
        }
        try {
            V old = cache.getQuietly(key); // read after registering: a write from then on wins
            long start = cache.ticker.read();
            V value;
            mine.inLoader = true;
            try {
                value = old == null ? loader.load(key) : loader.reload(key, old);
            } catch (Throwable t) {
                mine.inLoader = false;
                StatsCounters.recordLoad(cache.stats, false, cache.ticker.read() - start);
                StatsCounters.recordRefresh(cache.stats, false);
                finish(key, mine, null, LoadException.reported(key, t));
                return;
            }
            mine.inLoader = false;
            StatsCounters.recordLoad(cache.stats, value != null, cache.ticker.read() - start);
            V outcome;
            try {
                outcome = cache.writes.storeRefreshed(key, value, mine);
            } catch (Throwable t) { // a weigher or expiry function threw: nothing stored, the old value stays
                StatsCounters.recordRefresh(cache.stats, false);
                finish(key, mine, null, t);
                return;
            }
            StatsCounters.recordRefresh(cache.stats, value != null);
            // A removal won: its loaded value is stale, and null would tell a get the loader found none.
            mine.dropped = outcome == null && mine.invalidated;
            finish(key, mine, outcome, null);
        } catch (Throwable t) {
            finish(key, mine, null, t); // our own bookkeeping failed: leave no waiter blocked
        }
    }

    /**
     * Makes a load of {@code key} in flight, if any, not store its value. Key's segment lock held.
     * The writes its loader makes (on the load's thread, while the loader runs) leave that load
     * alone: its loader wrote before returning, so its value is not stale, and invalidating it made
     * a loader that removes its own key run again forever. A write on that thread after the loader
     * returned (a removal listener run by the store of an earlier key of the same bulk load) is not
     * the loader's, and wins as any other.
     */
    void invalidate(Object key) {
        if (!inFlight.isEmpty()) { // cheap when nothing loads, which is the common case for writes
            Loading<V> load = inFlight.get(key);
            if (load != null && !load.isOwnWrite() && inFlight.remove(key, load)) {
                load.invalidated = true;
            }
        }
    }

    /** Invalidates every load in flight but those whose loader this thread is running (see {@link #invalidate}); for {@code invalidateAll()}. */
    void invalidateAll() {
        for (Object key : inFlight.keySet()) {
            invalidate(key);
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> T rethrow(Throwable t) throws T {
        throw (T) t;
    }
}
