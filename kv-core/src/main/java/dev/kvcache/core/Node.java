package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One key's entry: the table's entry, and the unit the timer wheel schedules. A write of a live key
 * updates its node in place; only an insert (or a write after a removal or an expiry, or one that
 * shortens the deadline) creates a node.
 *
 * <h2>The deadline word</h2>
 * The {@code deadline} field is both the entry's deadline (on the cache's time axis, {@link Ttl#NEVER_NANOS}
 * for no expiry) and its state: a few values at the bottom of the {@code long} range, which no deadline
 * reaches, are markers.
 * <pre>
 *   deadline d ──(writer, segment lock held: CAS d → LOCKED, store value, release-store d')──▶ deadline d'
 *     │  │  └──(lock-free reader at or past d: CAS d → EXPIRED)──▶ EXPIRED ──(writer/maintenance)──▶ REMOVED
 *     │  └──(writer: remove, or maintenance: expire/evict; CAS d → REMOVED)──────────────────────────▶ REMOVED
 *     └──(writer storing a shorter deadline: CAS d → REPLACED, then links a new node in this one's place)
 * </pre>
 * {@code REMOVED}, {@code REPLACED} and {@code EXPIRED} are terminal: a node is never revived, so a key
 * written again after any of them gets a new node. {@code LOCKED} lasts for two stores.
 *
 * <h2>Reads: a seqlock on the deadline</h2>
 * A reader loads the deadline (acquire), the value, an acquire fence, the deadline again, and uses the
 * pair only if the two loads agree and are not {@code LOCKED}; otherwise it retries. A writer makes
 * each update with a CAS to {@code LOCKED}, then a release fence, the value store, and a release store
 * of the new deadline. So a reader that read a value stored after its first load also sees that
 * writer's {@code LOCKED}, or something later, at its second load (the writer's fence pairs with the
 * reader's). Two equal loads need not mean that no write came between (a later write may store the
 * same deadline): then the value read is that of a write which completed during the read, with a
 * deadline later than its own clock reading, so the entry held that value, live, at an instant inside
 * the read; returning it is linearizable. A reader therefore needs no separate sequence counter, which
 * keeps the node at 40 bytes (a counter would push it to 48).
 *
 * <h2>The plain hit needs one load of the word</h2>
 * A read that only returns the value ({@code getIfPresent} without a time-to-idle or a read hook) loads
 * the word (acquire), then the value (acquire), and returns the value if the word is a deadline after
 * its clock reading and the value is not null; it needs no second load. The value it read was the
 * key's, live, at some instant between its two loads: either no CAS on the word came between them, and
 * the value is the one the word's deadline was published with (or a later one of the same kind); or a
 * writer's {@code CAS → LOCKED} came between and the value is that writer's or a later writer's, stored
 * inside its window, when the entry held it with a deadline at least the loaded one (an in-place write
 * never moves the deadline earlier: a shorter one gets a new node), so live at the reader's clock; or a
 * removal or replacement came between and the reader read the value before it was cleared (the entry
 * held it until that CAS) or read the cleared {@code null}, and then loads the word again and finds the
 * marker (the clearing store follows the CAS). The value's acquire load pairs with the release store
 * (or the release fence before the store) of whichever write stored it, so the writer's actions before
 * its write are visible to the reader. Reads that pair the value with its deadline (a remaining time
 * to live, a read hook, moving an idle deadline) keep the second load.
 *
 * <h2>Expiry is linearizable per key</h2>
 * A reader that sees a live deadline {@code d} at or past its clock reading pins that with
 * {@code CAS d → EXPIRED}, so no write still in flight, which read the ticker earlier, can treat the
 * entry as live: its CAS from {@code d} fails and it re-decides with the entry expired. A writer's CAS
 * succeeds only if no reader pinned the entry first.
 *
 * <p>Whoever moves a node to {@code REMOVED} or {@code REPLACED} (a writer or maintenance, always under
 * the key's segment lock) reports its removal, exactly once, with the value it holds; it then clears
 * the value so an unlinked node still in the timer wheel keeps no value alive.
 */
class Node<K, V> {
    /** A writer holds the deadline word for its two stores; readers spin past it. */
    static final long LOCKED = Long.MIN_VALUE;
    /** A reader found the entry at or past its deadline; still linked until a writer or maintenance unlinks it. */
    static final long EXPIRED = Long.MIN_VALUE + 1;
    /** Removed from the table (explicitly, by expiry or by eviction). */
    static final long REMOVED = Long.MIN_VALUE + 2;
    /** Superseded by a new node linked in its place: a reader looks the key up again. */
    static final long REPLACED = Long.MIN_VALUE + 3;
    /** The largest marker: every value at or below it is a marker, every value above it a deadline. */
    static final long LAST_MARKER = REPLACED;

    private static final VarHandle DEADLINE;
    private static final VarHandle VALUE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            DEADLINE = lookup.findVarHandle(Node.class, "deadline", long.class);
            VALUE = lookup.findVarHandle(Node.class, "value", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The key's spread hash ({@link NodeTable#hash}). */
    final int hash;
    final K key;

    /* The deadline word (see the class doc); through DEADLINE. */
    @SuppressWarnings("unused")
    private long deadline;

    /* Written by lock holders between LOCKED and the new deadline; read by readers with getOpaque. */
    @SuppressWarnings("unused")
    private V value;

    /*
     * Link in a timer-wheel bucket. Written before the CAS that pushes the node onto the bucket and read
     * after the getAndSet that takes the bucket, so the CAS/getAndSet pair orders it; plain is enough.
     */
    Node<K, V> wheelNext;

    /*
     * Link in the hash table's bin chain. Accessed through NodeTable's VarHandle with release stores
     * (writers, under the segment lock) and acquire loads (lock-free readers); plain under the lock.
     */
    Node<K, V> next;

    Node(int hash, K key, V value, long deadline) {
        this.hash = hash;
        this.key = key;
        this.value = value;
        this.deadline = deadline; // published with the node itself (release store into the table)
    }

    static boolean isMarker(long deadline) {
        return deadline <= LAST_MARKER;
    }

    /** The deadline word; acquire pairs with a writer's release store, so the value it stored is visible. */
    final long deadlineAcquire() {
        return (long) DEADLINE.getAcquire(this);
    }

    /** The deadline word, opaque: the second load of a seqlock read (after an acquire fence). */
    final long deadlineOpaque() {
        return (long) DEADLINE.getOpaque(this);
    }

    /**
     * The deadline word once no writer holds it; for maintenance and snapshots, which may meet a
     * writer's two-store window.
     */
    final long stableDeadline() {
        long d;
        while ((d = deadlineAcquire()) == LOCKED) {
            Thread.onSpinWait();
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    final V valueOpaque() {
        return (V) VALUE.getOpaque(this);
    }

    /**
     * The value, acquire: pairs with the store of whichever write stored it (the constructor's is
     * published with the node), so a one-load hit (see the class doc) sees the writer's earlier actions.
     */
    @SuppressWarnings("unchecked")
    final V valueAcquire() {
        return (V) VALUE.getAcquire(this);
    }

    final boolean casDeadline(long expected, long next) {
        return DEADLINE.compareAndSet(this, expected, next);
    }

    /**
     * Stores a new value and deadline. Segment lock held, after this thread's {@code CAS d → LOCKED}
     * succeeded (see {@link #lock}).
     */
    final void publish(V newValue, long newDeadline) {
        VALUE.setRelease(this, newValue); // pairs with a one-load hit's valueAcquire (see the class doc)
        DEADLINE.setRelease(this, newDeadline); // pairs with readers' deadlineAcquire
    }

    /**
     * {@code CAS d → LOCKED} for an in-place update, or {@code CAS d → REMOVED / REPLACED}. Segment lock
     * held. On success the release fence orders the CAS before the value stores that follow, so that a
     * reader who sees those stores sees the marker (see the class doc).
     */
    final boolean lock(long expected, long marker) {
        if (!casDeadline(expected, marker)) {
            return false;
        }
        VarHandle.releaseFence();
        return true;
    }

    /**
     * Moves the node to {@code marker} (REMOVED or REPLACED) whatever its deadline; returns the
     * deadline it had. Segment lock held, so only readers compete (pinning an expiry, at most once).
     */
    final long retire(long marker) {
        for (;;) {
            long d = deadlineAcquire();
            if (lock(d, marker)) {
                return d;
            }
        }
    }

    /**
     * The hard deadline of a cache with a time-to-idle and a time-to-live: reads never move the
     * deadline past it. Only {@link CappedNode} and {@link BoundedNode.Capped} have one. A writer
     * stores it inside its {@code LOCKED} window, and only ever raises it in place (a lower one gets a
     * new node), so a reader that loads a stale one caps its extension lower, never higher.
     */
    long hardDeadline() {
        return Ttl.NEVER_NANOS;
    }

    /** Stores the hard deadline; segment lock held, inside the {@code LOCKED} window. Capped nodes only. */
    void hardDeadline(long hard) {
        throw new IllegalStateException("not a capped node: " + this);
    }

    /** The value, read by a holder of the segment lock (the only writers of it). */
    @SuppressWarnings("unchecked")
    final V lockedValue() {
        return (V) VALUE.get(this);
    }

    /** Drops the value of a retired node. Segment lock held, after {@link #retire} or {@link #lock} to a marker. */
    final void clearValue() {
        VALUE.setOpaque(this, null);
    }

    /** Whether this node has left the table (removed, or replaced by a new node). */
    final boolean isRetired() {
        long d = deadlineAcquire();
        return d == REMOVED || d == REPLACED;
    }

    /** Whether a deadline word read at {@code now} means expired: past the deadline, or pinned so. */
    static boolean isExpired(long deadline, long now) {
        return deadline == EXPIRED || now >= deadline;
    }

    @Override
    public String toString() {
        return key + "=" + valueOpaque() + "@" + deadlineOpaque();
    }
}
