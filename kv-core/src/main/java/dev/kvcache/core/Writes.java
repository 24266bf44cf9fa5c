package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The per-key write protocol: every write of one key (put, putIfAbsent, replace, remove, the store of
 * a load, and the compute family) is one pass through {@link #write}, driven by its {@link Kind}.
 *
 * <p>A write locks the key's table segment, reads the ticker under that lock, finds the key's current
 * node and whether it is live at that reading, decides by its kind, and takes effect with one CAS on
 * that node's state (to its new node, or to {@link Node#REMOVED}) before relinking the table.
 * Reading the clock inside the atomic step matters: a writer descheduled between an earlier clock read
 * and its write would otherwise act on an entry that had expired meanwhile (and that a completed read
 * had already seen as absent). Conditional writes ({@code replace}, {@code remove(k, v)}) CAS from the
 * value they compared, so a reader that pins the entry's expiry in between makes them fail, as if they
 * came after it. A removal also tells the eviction policy under the lock (see
 * {@link #tellPolicyRemoved}); everything else (scheduling the new node, the policy's bookkeeping of
 * it, statistics, then the notification, then maintenance) happens after the unlock. No allocation
 * happens beyond the new node, or a bounded cache's removal marker.
 *
 * <p>The compute family runs its function under the segment lock, so it runs at most once per call
 * and other writers of keys in that segment wait for it, as {@code ConcurrentHashMap}'s bin lock
 * makes them. A function that writes to the same cache (any write, {@code get(key, loader)} of an
 * absent key, {@code invalidateAll()} or {@code cleanUp()}, on any key) is detected before it takes a
 * lock and fails with {@link IllegalStateException}: such a write could re-enter the segment lock the
 * thread holds and corrupt the compute, or deadlock against another thread's compute. Reads are
 * allowed; maintenance is skipped on a thread inside a function.
 */
final class Writes<K, V> {
    private static final VarHandle COMPUTING;

    static {
        try {
            COMPUTING = MethodHandles.lookup().findVarHandle(Writes.class, "computing", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a write does with the key's current entry (live = present and before its deadline). */
    enum Kind {
        /** Stores the value; returns the previous live value. */
        PUT,
        /** Stores the value unless the key is live; returns the live value left in place. */
        PUT_IF_ABSENT,
        /** Replaces a live value (equal to the expected one, if given); returns the value replaced. */
        REPLACE,
        /** Removes the entry (a live value equal to the expected one, if given); returns the live value removed. */
        REMOVE,
        /** The store of a finished load: as PUT_IF_ABSENT, unless the load was invalidated. */
        LOAD,
        /** The store of a finished refresh: as PUT (a null value removes), unless it was invalidated. */
        REFRESH,
        COMPUTE,
        COMPUTE_IF_ABSENT,
        COMPUTE_IF_PRESENT,
        MERGE
    }

    private final ExpiringCache<K, V> cache;
    private final NodeTable<K, V> table;

    /** Threads currently inside a compute function; written with getAndAdd, polled with getOpaque. */
    @SuppressWarnings("unused") // accessed through COMPUTING
    private int computing;
    private final ThreadLocal<Boolean> inFunction = new ThreadLocal<>();

    /*
     * Test seam: run by a writer right after it releases the segment lock, before the rest of its
     * write (bookkeeping, notification, maintenance), so that a test can land another write and its
     * drain exactly there. Null outside tests; one plain read per write.
     */
    Runnable afterUnlock;

    Writes(ExpiringCache<K, V> cache) {
        this.cache = cache;
        this.table = cache.table;
    }

    V put(K key, V value, long ttlNanos) {
        return write(Kind.PUT, key, value, null, ttlNanos, null, null, null);
    }

    V putIfAbsent(K key, V value, long ttlNanos) {
        return write(Kind.PUT_IF_ABSENT, key, value, null, ttlNanos, null, null, null);
    }

    /** Replaces a live value equal to {@code expected} (any, if null); returns the value replaced or null. */
    V replace(K key, V expected, V value, long ttlNanos) {
        return write(Kind.REPLACE, key, value, expected, ttlNanos, null, null, null);
    }

    /** Removes the entry (only a live one equal to {@code expected}, if given); returns the live value removed. */
    V remove(K key, V expected) {
        return write(Kind.REMOVE, key, null, expected, 0, null, null, null);
    }

    /**
     * Stores a load's value unless the key is live or the load was invalidated. Returns the live value,
     * or {@code value} if it stored it, or null if the load was invalidated and the key is absent.
     */
    V storeLoaded(K key, V value, Loads.Loading<V> load) {
        return write(Kind.LOAD, key, value, null, cache.defaultTtlNanos, null, null, load);
    }

    /**
     * Stores a refresh's value (removes the entry if it is null) unless the refresh was invalidated.
     * Returns the value stored, or null if it removed the entry, or the live value (or null) that the
     * invalidating write left.
     */
    V storeRefreshed(K key, V value, Loads.Loading<V> refresh) {
        return write(Kind.REFRESH, key, value, null, cache.defaultTtlNanos, null, null, refresh);
    }

    V compute(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        return write(Kind.COMPUTE, key, null, null, cache.defaultTtlNanos,
                Objects.requireNonNull(remapping, "remappingFunction"), null, null);
    }

    V computeIfAbsent(K key, Function<? super K, ? extends V> mapping) {
        return write(Kind.COMPUTE_IF_ABSENT, key, null, null, cache.defaultTtlNanos, null,
                Objects.requireNonNull(mapping, "mappingFunction"), null);
    }

    V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        return write(Kind.COMPUTE_IF_PRESENT, key, null, null, cache.defaultTtlNanos,
                Objects.requireNonNull(remapping, "remappingFunction"), null, null);
    }

    V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remapping) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(remapping, "remappingFunction");
        @SuppressWarnings("unchecked") // merge's function takes (old, given): see decide()
        BiFunction<? super K, ? super V, ? extends V> asRemap = (BiFunction<? super K, ? super V, ? extends V>) remapping;
        return write(Kind.MERGE, key, value, null, cache.defaultTtlNanos, asRemap, null, null);
    }

    /**
     * The one write path (see the class doc). {@code value} is the value to store, or for MERGE the
     * given value; {@code expected} conditions REPLACE and REMOVE; {@code remapping} is the function of
     * COMPUTE, COMPUTE_IF_PRESENT and MERGE (which it calls with {@code (old, value)}), {@code mapping}
     * that of COMPUTE_IF_ABSENT; {@code load} is the load whose value LOAD stores.
     */
    @SuppressWarnings("unchecked")
    private V write(Kind kind, K key, V value, V expected, long ttlNanos,
            BiFunction<? super K, ? super V, ? extends V> remapping, Function<? super K, ? extends V> mapping,
            Loads.Loading<V> load) {
        int hash = NodeTable.hash(key);
        requireNotComputing(kind);
        boolean computes = kind.compareTo(Kind.COMPUTE) >= 0;
        int weight = kind == Kind.REMOVE || computes || (kind == Kind.REFRESH && value == null) ? 0
                : weigh(key, Objects.requireNonNull(value, "value"));
        Segment<K, V> segment = table.segmentFor(hash);
        Node<K, V> current;
        Node<K, V> created = null;
        Object previous = null;
        V result;
        long now;
        segment.lock();
        try {
            now = cache.now();
            current = segment.find(key, hash);
            Object state = current == null ? null : current.state();
            V live = current == null || isExpired(current, state, now) ? null : (V) state;
            V next; // what to store; null removes the entry
            boolean conditional = false; // CAS from the live value compared, rather than supersede
            switch (kind) {
                case PUT -> {
                    next = value;
                    result = live;
                }
                case PUT_IF_ABSENT, LOAD -> {
                    if (live != null || (load != null && load.invalidated)) {
                        return live;
                    }
                    next = value;
                    result = kind == Kind.LOAD ? value : null;
                }
                case REFRESH -> {
                    if (load.invalidated) {
                        return live;
                    }
                    next = value;
                    result = value;
                }
                case REPLACE -> {
                    if (live == null || (expected != null && !live.equals(expected))) {
                        return null;
                    }
                    next = value;
                    result = live;
                    conditional = true;
                }
                case REMOVE -> {
                    if (expected == null) {
                        cache.loads.invalidate(key); // remove(k) wins over a load even of an absent key
                    } else if (live == null || !live.equals(expected)) {
                        return null;
                    } else {
                        conditional = true;
                    }
                    if (current == null) {
                        return null;
                    }
                    next = null;
                    result = live;
                }
                case COMPUTE_IF_ABSENT -> {
                    if (live != null) {
                        return live;
                    }
                    next = apply(mapping, null, key, null);
                    result = next;
                }
                case COMPUTE_IF_PRESENT -> {
                    if (live == null) {
                        return null;
                    }
                    next = apply(null, remapping, key, live);
                    result = next;
                }
                case COMPUTE -> {
                    next = apply(null, remapping, key, live);
                    result = next;
                }
                case MERGE -> {
                    next = live == null ? value
                            : apply(null, (BiFunction<? super K, ? super V, ? extends V>) (Object) remapping, (K) live, value);
                    result = next;
                }
                default -> throw new AssertionError(kind);
            }
            if (computes) {
                // The result is written now, after the function: its TTL starts here, and an old
                // entry whose deadline passed while the function ran is reported expired.
                now = cache.now();
            }
            if (next == null && (current == null || kind == Kind.COMPUTE_IF_ABSENT)) {
                return result; // nothing to store, nothing to remove
            }
            if (kind != Kind.LOAD && kind != Kind.REFRESH) { // a load's own store is not a competing write
                cache.loads.invalidate(key);
            }
            if (next == null) {
                if (conditional) {
                    if (!current.casState(state, Node.REMOVED)) {
                        return null; // a reader pinned its expiry meanwhile
                    }
                    previous = state;
                } else {
                    previous = current.supersede(Node.REMOVED);
                }
                segment.unlink(current);
                tellPolicyRemoved(current);
            } else {
                if (computes) {
                    weight = weigh(key, next); // under the lock: the value exists only here
                }
                created = newNode(hash, key, next, Ttl.deadline(now, ttlNanos), weight);
                if (current != null) {
                    if (conditional) {
                        if (!current.casState(state, created)) {
                            return null; // a reader pinned its expiry meanwhile
                        }
                        previous = state;
                    } else {
                        previous = current.supersede(created);
                    }
                }
                link(segment, created, current);
            }
        } finally {
            segment.unlock();
        }
        runAfterUnlock();
        cache.maintenance.afterWrite(created, current, previous, now);
        return result;
    }

    /**
     * Links {@code created} in place of {@code current} (or of nothing). Segment lock held: a bounded
     * node records what it replaced here, under the lock, so the chain of a key's writes is complete
     * for the policy however their buffer pushes interleave (see {@link S3FifoPolicy}).
     */
    private void link(Segment<K, V> segment, Node<K, V> created, Node<K, V> current) {
        if (cache.policy != null) {
            ((BoundedNode<K, V>) created).replaced = (BoundedNode<K, V>) current;
        }
        segment.link(created, current);
    }

    /**
     * Tells a bounded cache's policy that {@code removed} left the table. Segment lock held, after the
     * removal took effect: the next write of the key (which needs this lock) and its drain then find
     * the tombstone in the buffer, so the policy never weighs the removed entry beside a new one and
     * evicts a live entry to make room for it. A removal that fails (a reader pinned the entry
     * expired) pushes nothing; the timer wheel reclaims that entry.
     */
    private void tellPolicyRemoved(Node<K, V> removed) {
        if (cache.policy != null) {
            cache.writeBuffer.push(BoundedNode.tombstone((BoundedNode<K, V>) removed));
        }
    }

    /** The weight of a new entry: 1 unless a weigher is set. Runs before the lock, except for computed values. */
    private int weigh(K key, V value) {
        if (cache.policy == null || cache.weigher == null) {
            return 1;
        }
        int weight = cache.weigher.weigh(key, value);
        if (weight < 0) {
            throw new IllegalArgumentException("weigher returned a negative weight " + weight + " for key " + key);
        }
        return weight;
    }

    private Node<K, V> newNode(int hash, K key, V value, long deadline, int weight) {
        return cache.policy == null
                ? new Node<>(hash, key, value, deadline)
                : new BoundedNode<>(hash, key, value, deadline, weight);
    }

    /**
     * Runs a compute function, marking the thread as inside one so that a write from it is refused.
     * {@code mapping} is called with {@code key}; otherwise {@code remapping} with {@code (key, old)}
     * (for MERGE, {@code (old, given)}). Segment lock held.
     */
    private V apply(Function<? super K, ? extends V> mapping, BiFunction<? super K, ? super V, ? extends V> remapping,
            K key, V old) {
        COMPUTING.getAndAdd(this, 1);
        inFunction.set(Boolean.TRUE);
        try {
            return mapping != null ? mapping.apply(key) : remapping.apply(key, old);
        } finally {
            inFunction.remove();
            COMPUTING.getAndAdd(this, -1);
        }
    }

    private void runAfterUnlock() {
        Runnable hook = afterUnlock;
        if (hook != null) {
            hook.run();
        }
    }

    /** Whether this thread is running a compute function of this cache. */
    boolean isComputing() {
        // Opaque: a thread inside a function incremented it itself; others only need "probably zero".
        return (int) COMPUTING.getOpaque(this) != 0 && inFunction.get() != null;
    }

    /** Refuses a write made from inside a compute function of this cache. */
    void requireNotComputing(Object operation) {
        if (isComputing()) {
            throw new IllegalStateException("a compute function of this cache called " + operation
                    + " on the same cache; a compute function may read the cache but must not write to it");
        }
    }

    /** Whether a node with this state is expired at {@code now}: past its deadline, or pinned so. */
    static boolean isExpired(Node<?, ?> node, Object state, long now) {
        return now >= node.deadline || state instanceof Node.Expired;
    }

    /** {@link KvCache#invalidateAll()}: removes each key's node that is still current when reached. */
    void invalidateAll() {
        requireNotComputing("invalidateAll()");
        cache.loads.invalidateAll();
        for (int i = 0; i < table.segmentCount(); i++) {
            for (Node<K, V> node : table.snapshot(i)) {
                long now = cache.now();
                Object previous = unlinkIfCurrent(node, true);
                if (previous != null) {
                    runAfterUnlock();
                    cache.maintenance.afterWrite(null, node, previous, now);
                }
            }
        }
    }

    /**
     * Removes {@code node} from the table if it is still its key's node; returns the state taken out of
     * it (its value, or the pinned {@link Node.Expired}), or null if another write got there first.
     * {@code tellPolicy}: push its tombstone under the lock (see {@link #tellPolicyRemoved}); false for
     * maintenance, which updates the policy itself under the maintenance lock.
     */
    Object unlinkIfCurrent(Node<K, V> node, boolean tellPolicy) {
        Segment<K, V> segment = table.segmentFor(node.hash);
        segment.lock();
        try {
            if (segment.find(node.key, node.hash) != node) {
                return null;
            }
            Object previous = node.supersede(Node.REMOVED);
            segment.unlink(node);
            if (tellPolicy) {
                tellPolicyRemoved(node);
            }
            return previous;
        } finally {
            segment.unlock();
        }
    }
}
