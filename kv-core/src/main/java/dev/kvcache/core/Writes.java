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
 * that node's deadline word (see {@link Node}): to {@code LOCKED} to update a live entry in place
 * (value and deadline, then the word is released with the new deadline), to {@code REMOVED} to remove
 * it, or to {@code REMOVED}/{@code REPLACED} to put a new node in its place when the old entry had
 * expired or the new deadline is earlier than the old one (the timer wheel files a node by its
 * deadline and never moves it earlier). Reading the clock inside the atomic step matters: a writer
 * descheduled between an earlier clock read and its write would otherwise act on an entry that had
 * expired meanwhile (and that a completed read had already seen as absent). The CAS is from the
 * deadline word the decision read, so a reader that pins the entry's expiry in between makes it fail:
 * conditional writes ({@code replace}, {@code remove(k, v)}) then fail, as if they came after the
 * expiry, and the others re-decide with the entry expired (a compute function is not run again).
 * Nothing that can throw runs between that CAS and the stores that complete it. A bounded cache's
 * writer pushes the new node, a removed node's tombstone and a weighted overwrite's reweigh marker onto
 * the write buffer under the lock, so each key's events reach the policy in the order they took
 * effect; everything else (scheduling a new node on the timer wheel, statistics, then the
 * notification, then maintenance) happens after the unlock. An overwrite of a live entry allocates
 * nothing (a weighted cache's allocates its reweigh marker); an insert allocates its node.
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
        /** Gives a live entry a new TTL, keeping its value; returns the value, or null if absent. */
        SET_TTL,
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
    // Reset to FALSE rather than removed: remove() then set() allocates a new ThreadLocalMap entry on
    // every call, which made each expiry-function overwrite allocate (functions never nest: they cannot write).
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
    V storeLoaded(K key, V value, Loading<V> load) {
        return write(Kind.LOAD, key, value, null, Ttl.DEFAULT_NANOS, null, null, load);
    }

    /**
     * Stores a refresh's value (removes the entry if it is null) unless the refresh was invalidated.
     * Returns the value stored, or null if it removed the entry, or the live value (or null) that the
     * invalidating write left.
     */
    V storeRefreshed(K key, V value, Loading<V> refresh) {
        return write(Kind.REFRESH, key, value, null, Ttl.DEFAULT_NANOS, null, null, refresh);
    }

    /** {@code setTimeToLive} ({@code ttlNanos} given) and {@code touch} ({@link Ttl#DEFAULT_NANOS}). */
    boolean setTimeToLive(K key, long ttlNanos) {
        return write(Kind.SET_TTL, key, null, null, ttlNanos, null, null, null) != null;
    }

    V compute(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        return write(Kind.COMPUTE, key, null, null, Ttl.DEFAULT_NANOS,
                Objects.requireNonNull(remapping, "remappingFunction"), null, null);
    }

    V computeIfAbsent(K key, Function<? super K, ? extends V> mapping) {
        return write(Kind.COMPUTE_IF_ABSENT, key, null, null, Ttl.DEFAULT_NANOS, null,
                Objects.requireNonNull(mapping, "mappingFunction"), null);
    }

    V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        return write(Kind.COMPUTE_IF_PRESENT, key, null, null, Ttl.DEFAULT_NANOS,
                Objects.requireNonNull(remapping, "remappingFunction"), null, null);
    }

    V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remapping) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(remapping, "remappingFunction");
        @SuppressWarnings("unchecked") // merge's function takes (old, given): see decide()
        BiFunction<? super K, ? super V, ? extends V> asRemap = (BiFunction<? super K, ? super V, ? extends V>) remapping;
        return write(Kind.MERGE, key, value, null, Ttl.DEFAULT_NANOS, asRemap, null, null);
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
            Loading<V> load) {
        int hash = NodeTable.hash(key);
        requireNotComputing(kind);
        boolean computes = kind.compareTo(Kind.COMPUTE) >= 0;
        int weight = kind == Kind.REMOVE || kind == Kind.SET_TTL || computes || (kind == Kind.REFRESH && value == null) ? 0
                : weigh(key, Objects.requireNonNull(value, "value"));
        Segment<K, V> segment = table.segmentFor(hash);
        Node<K, V> created = null;
        V previous = null; // the value taken out, for the notification
        int previousWeight = 0;
        boolean weighed = false; // a computed value's weight, kept across a retry
        RemovalCause cause = null;
        boolean stored = false;
        long deadline = 0;
        V result;
        long now;
        segment.lockForWrite();
        try {
            now = cache.now();
            Node<K, V> current = segment.find(key, hash);
            boolean applied = false; // the compute family's function has run
            V computed = null;
            for (;;) {
                // Re-entered only when a lock-free reader changed the deadline word (pinned an expiry)
                // between the decision and its CAS: the write then re-decides with the entry expired.
                long d = current == null ? 0 : current.stableDeadline();
                V live = current == null || Node.isExpired(d, now) ? null : current.lockedValue();
                V next; // what to store; null removes the entry
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
                    }
                    case SET_TTL -> {
                        if (live == null) {
                            return null; // absent or expired: nothing is created
                        }
                        next = live;
                        result = live;
                    }
                    case REMOVE -> {
                        if (expected == null) {
                            cache.loads.invalidate(key); // remove(k) wins over a load even of an absent key
                        } else if (live == null || !live.equals(expected)) {
                            return null;
                        } else {
                            }
                        if (current == null) {
                            return null;
                        }
                        next = null;
                        result = live;
                    }
                    default -> {
                        if (!applied) {
                            if (kind == Kind.COMPUTE_IF_ABSENT && live != null) {
                                return live;
                            }
                            if (kind == Kind.COMPUTE_IF_PRESENT && live == null) {
                                return null;
                            }
                            computed = kind == Kind.MERGE && live == null ? value
                                    : kind == Kind.COMPUTE_IF_ABSENT ? apply(mapping, null, key, null)
                                    : kind == Kind.MERGE
                                            ? apply(null, (BiFunction<? super K, ? super V, ? extends V>) (Object) remapping, (K) live, value)
                                            : apply(null, remapping, key, live);
                            applied = true;
                            // The result is written now, after the function: its TTL starts here, and
                            // an old entry whose deadline passed while the function ran is reported
                            // expired. A retry (a reader pinned the old entry's expiry) keeps the result.
                            now = cache.now();
                            d = current == null ? 0 : current.stableDeadline();
                        }
                        next = computed;
                        result = computed;
                    }
                }
                if (next == null && (current == null || kind == Kind.COMPUTE_IF_ABSENT)) {
                    return result; // nothing to store, nothing to remove
                }
                boolean expired = current != null && Node.isExpired(d, now);
                deadline = next == null ? 0 : Ttl.deadline(now, ttlFor(ttlNanos, key, next, expired ? null : live,
                        cache.capped && current != null ? current.hardDeadline() : d, now)); // remaining: to the TTL's end
                long hard = deadline; // with a time-to-idle too, the TTL caps the idle deadline
                if (cache.capped && next != null) {
                    deadline = Math.min(hard, Ttl.deadline(now, cache.idleNanos));
                }
                stored = next != null;
                if (kind == Kind.SET_TTL) {
                    weight = weightOf(current); // the live value, which a shortened TTL moves to a new node
                } else if (computes && next != null && !weighed) {
                    weight = weigh(key, next); // under the lock: the value exists only here; may throw
                    weighed = true;
                }
                if (kind != Kind.LOAD && kind != Kind.REFRESH && kind != Kind.SET_TTL) {
                    // a load's own store is not a competing write; a TTL change leaves the value a load would replace
                    cache.loads.invalidate(key);
                }
                long marker = current == null ? 0 : next == null || expired ? Node.REMOVED
                        : deadline < d ? Node.REPLACED // a shorter deadline gets a new node (see TimerWheel)
                        : cache.capped && hard < current.hardDeadline() ? Node.REPLACED // see Node.hardDeadline
                        : Node.LOCKED;
                if (marker != Node.LOCKED && next != null) {
                    created = newNode(hash, key, next, deadline, weight, hard); // allocated before any CAS
                }
                if (current != null) {
                    // Nothing that can throw runs between this CAS and the stores that end it.
                    if (!current.lock(d, marker)) {
                        // A reader pinned the expiry (or, with a time-to-idle, extended the deadline)
                        // meanwhile: re-decide from the word it left; a conditional write then fails,
                        // as if it came after the expiry.
                        created = null;
                        continue;
                    }
                    if (kind == Kind.SET_TTL) {
                        stored = false; // not a put, and nothing to notify
                    } else {
                        previous = current.lockedValue();
                        previousWeight = weightOf(current);
                        cause = expired ? RemovalCause.EXPIRED
                                : next == null ? RemovalCause.EXPLICIT : RemovalCause.REPLACED;
                    }
                    if (marker == Node.LOCKED) {
                        if (cache.capped) {
                            current.hardDeadline(hard);
                        }
                        current.publish(next, deadline);
                        if (kind != Kind.SET_TTL) {
                            reweigh(current, weight);
                        }
                        break;
                    }
                    current.clearValue();
                    if (next == null) {
                        segment.unlink(current);
                        tellPolicyRemoved(current);
                        break;
                    }
                }
                segment.link(created, current);
                if (current != null) {
                    tellPolicyRemoved(current);
                }
                if (cache.policy != null) {
                    // Under the lock, after its predecessor's tombstone: each key's events reach the
                    // policy in the order they took effect.
                    cache.writeBuffer.push((BoundedNode<K, V>) created);
                }
                break;
            }
        } finally {
            segment.unlock();
        }
        runAfterUnlock();
        cache.maintenance.afterWrite(created, stored, previous, previousWeight, cause, key, deadline, now);
        if (created != null) {
            // Last, once the write is complete and told: a resize takes every segment lock.
            table.growIfDue(segment);
        }
        return result;
    }

    /**
     * The TTL a write stores: its own, or for {@link Ttl#DEFAULT_NANOS} the cache's default or its
     * expiry function's (consulted for an update if the entry is live, with its remaining TTL, and
     * for a create otherwise). Segment lock held, before any CAS, so a function that throws or
     * returns a bad TTL leaves the entry unchanged.
     */
    private long ttlFor(long ttlNanos, K key, V value, V live, long deadline, long now) {
        if (ttlNanos != Ttl.DEFAULT_NANOS) {
            return ttlNanos;
        }
        @SuppressWarnings("unchecked")
        Expiry<K, V> expiry = (Expiry<K, V>) cache.expiry;
        if (expiry == null) {
            return cache.defaultTtlNanos;
        }
        long remaining = live == null ? 0 : deadline == Ttl.NEVER_NANOS ? Long.MAX_VALUE : deadline - now;
        long ttl;
        COMPUTING.getAndAdd(this, 1);
        inFunction.set(Boolean.TRUE); // a write from the function is refused, as from a compute function
        try {
            ttl = live == null ? expiry.afterCreateNanos(key, value) : expiry.afterUpdateNanos(key, value, remaining);
        } finally {
            inFunction.set(Boolean.FALSE);
            COMPUTING.getAndAdd(this, -1);
        }
        if (ttl <= 0) {
            throw new IllegalArgumentException("expiry returned a TTL of " + ttl + " ns for key " + key
                    + "; a TTL must be positive (Long.MAX_VALUE for never)");
        }
        return ttl;
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

    private Node<K, V> newNode(int hash, K key, V value, long deadline, int weight, long hard) {
        boolean weighted = cache.weigher != null;
        if (cache.capped) {
            return cache.policy == null ? new CappedNode<>(hash, key, value, deadline, hard)
                    : weighted ? new BoundedNode.WeightedCapped<>(hash, key, value, deadline, weight, hard)
                    : new BoundedNode.Capped<>(hash, key, value, deadline, weight, hard);
        }
        return cache.policy == null ? new Node<>(hash, key, value, deadline)
                : weighted ? new BoundedNode.Weighted<>(hash, key, value, deadline, weight)
                : new BoundedNode<>(hash, key, value, deadline, weight);
    }

    /** The weight of the value {@code node} holds, as weighed when it was written; 1 unbounded. Segment lock held. */
    private static int weightOf(Node<?, ?> node) {
        return node instanceof BoundedNode<?, ?> bounded ? bounded.valueWeight() : 1;
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
            inFunction.set(Boolean.FALSE);
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
        return (int) COMPUTING.getOpaque(this) != 0 && inFunction.get() == Boolean.TRUE;
    }

    /** Refuses a write made from inside a compute function of this cache. */
    void requireNotComputing(Object operation) {
        if (isComputing()) {
            throw new IllegalStateException("a compute function of this cache called " + operation
                    + " on the same cache; a compute function may read the cache but must not write to it");
        }
    }

    /** {@link KvCache#invalidateAll()}: removes each key's node that is still current when reached. */
    void invalidateAll() {
        requireNotComputing("invalidateAll()");
        cache.loads.invalidateAll();
        for (int i = 0; i < table.segmentCount(); i++) {
            for (Node<K, V> node : table.snapshot(i)) {
                long now = cache.now();
                Unlinked<V> out = unlinkIfCurrent(node, now, RemovalCause.EXPLICIT, false, true, true);
                if (out != null && out != Unlinked.NOT_DUE) {
                    runAfterUnlock();
                    cache.maintenance.afterWrite(null, false, out.value(), out.weight(), out.cause(), node.key, 0, now);
                }
            }
        }
    }

    /** What {@link #unlinkIfCurrent} took out of a node: its value, its weight, and why it left. */
    record Unlinked<V>(V value, int weight, RemovalCause cause) {
        /** The node is current but not due: a write extended its deadline after the wheel filed it. */
        @SuppressWarnings("rawtypes")
        static final Unlinked NOT_DUE = new Unlinked<>(null, 0, null);
        /** The node's segment was held longer than a write holds it: nothing was done (see {@link Segment#tryLockForMaintenance}). */
        @SuppressWarnings("rawtypes")
        static final Unlinked BUSY = new Unlinked<>(null, 0, null);
    }

    /**
     * Removes {@code node} from the table if it is still its key's node (and, if {@code onlyIfDue}, if
     * it is expired at {@code now}); returns what it held, with {@code liveCause} as the cause unless it
     * had expired, or null if it was no longer current, or {@link Unlinked#NOT_DUE}. {@code tellPolicy}:
     * push its tombstone under the lock (see {@link #tellPolicyRemoved}); false for maintenance, which
     * updates the policy itself under the maintenance lock. {@code waitForLock}: false for a maintenance
     * pass that must not wait for a long holder of the segment, which then gets {@link Unlinked#BUSY}.
     */
    @SuppressWarnings("unchecked")
    Unlinked<V> unlinkIfCurrent(Node<K, V> node, long now, RemovalCause liveCause, boolean onlyIfDue,
            boolean tellPolicy, boolean waitForLock) {
        Segment<K, V> segment = table.segmentFor(node.hash);
        if (waitForLock) {
            segment.lockForWrite();
        } else if (!segment.tryLockForMaintenance()) {
            return (Unlinked<V>) Unlinked.BUSY;
        }
        try {
            if (segment.find(node.key, node.hash) != node) {
                return null;
            }
            long d;
            do {
                d = node.stableDeadline();
                if (onlyIfDue && !Node.isExpired(d, now)) {
                    return (Unlinked<V>) Unlinked.NOT_DUE;
                }
            } while (!node.lock(d, Node.REMOVED)); // only a reader pinning the expiry competes
            V value = node.lockedValue();
            node.clearValue();
            segment.unlink(node);
            if (tellPolicy) {
                tellPolicyRemoved(node);
            }
            return new Unlinked<>(value, weightOf(node), Node.isExpired(d, now) ? RemovalCause.EXPIRED : liveCause);
        } finally {
            segment.unlock();
        }
    }

    /**
     * Tells a bounded cache's policy that {@code removed} left the table. Segment lock held, after the
     * removal took effect: the next write of the key (which needs this lock) and its drain then find
     * the tombstone in the buffer after the node's own insert, so the policy never weighs the removed
     * entry beside a new one and evicts a live entry to make room for it.
     */
    private void tellPolicyRemoved(Node<K, V> removed) {
        if (cache.policy != null) {
            cache.writeBuffer.push(new BoundedNode.Marker<>((BoundedNode<K, V>) removed, true, 0));
        }
    }

    /**
     * Tells a weighted cache's policy the weight of an entry overwritten in place. Segment lock held,
     * so the marker follows the node's insert in the buffer. Allocates one marker per weighted
     * overwrite; an unweighted cache's overwrite tells the policy nothing (its weight stays 1).
     */
    private void reweigh(Node<K, V> node, int weight) {
        if (cache.policy != null && cache.weigher != null) {
            ((BoundedNode<K, V>) node).valueWeight(weight); // what its removal reports, without weighing again
            cache.writeBuffer.push(new BoundedNode.Marker<>((BoundedNode<K, V>) node, false, weight));
        }
    }
}
