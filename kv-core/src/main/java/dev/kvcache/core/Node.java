package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One write of one key: the table's entry, and the unit the timer wheel schedules.
 *
 * <p>A node is created by every write; its key, hash and deadline never change. Its {@code state}
 * moves forward only, each step by one CAS:
 * <pre>
 *   value ──(a write, under the key's segment lock)──▶ successor   (a newer node of the key, or REMOVED)
 *     │                                                    ▲
 *     └──(a lock-free reader finds it expired)──▶ Expired ─┘ (a write, under the lock)
 * </pre>
 * A write takes effect at its CAS: from then on a reader that reaches the old node (still linked, or
 * from a stale traversal) follows it to the successor, so the write is visible before, and whether or
 * not, the table itself has been relinked. A reader that sees a live node past its deadline pins that
 * observation with its own CAS, so no write still in flight can later treat the entry as live: that
 * write's CAS fails and it re-decides with the entry expired. This is what makes expiry linearizable
 * per key even though the ticker moves while operations run and readers take no lock.
 *
 * <p>The thread whose CAS moves a node to a successor owns its retirement: it reports the removal,
 * exactly once, with the value it took out of the state.
 */
class Node<K, V> {
    /** The successor of a node whose key was removed (explicitly, by expiry or by eviction). */
    static final Node<Object, Object> REMOVED = new Node<>(0, null, null, 0);

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Node.class, "state", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The key's spread hash ({@link NodeTable#hash}). */
    final int hash;
    final K key;
    /** Absolute deadline on the cache's time axis; {@link Ttl#NEVER_NANOS} for no expiry. */
    final long deadline;

    /*
     * The value while live; otherwise a Node (see the class doc). Read with getAcquire, which pairs with
     * the CAS that stored a successor so that the successor's fields are visible to the reader.
     */
    @SuppressWarnings("unused") // accessed through STATE
    private Object state;

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
        this.deadline = deadline;
        this.state = value; // published with the node itself (release store into the table or a state)
    }

    /** The current state: a value, or a {@link Node} (successor, {@link #REMOVED} or {@link Expired}). */
    final Object state() {
        return STATE.getAcquire(this);
    }

    final boolean casState(Object expected, Object next) {
        return STATE.compareAndSet(this, expected, next);
    }

    /**
     * Moves the node to {@code successor}, whatever its value-or-expired state, and returns that state.
     * Only writers holding the key's segment lock call it, and only readers compete (pinning an expiry),
     * so it retries at most once.
     */
    final Object supersede(Node<?, ?> successor) {
        for (;;) {
            Object s = state();
            if (casState(s, successor)) {
                return s;
            }
        }
    }

    /** Whether a write has superseded this node (it is no longer its key's node). */
    final boolean isRetired() {
        Object s = state();
        return s instanceof Node && !(s instanceof Expired);
    }

    /** The value held in a state taken out by {@link #supersede}: the value, or the pinned one. */
    @SuppressWarnings("unchecked")
    static <V> V valueOf(Object state) {
        return (V) (state instanceof Expired<?, ?> e ? e.state() : state);
    }

    @Override
    public String toString() {
        return key + "=" + state() + "@" + deadline;
    }

    /**
     * The state of a node that a reader found at or past its deadline while it still held its value:
     * keeps the value (for the removal notification) and marks the expiry as observed.
     */
    static final class Expired<K, V> extends Node<K, V> {
        Expired(Node<K, V> of, V value) {
            super(of.hash, of.key, value, of.deadline);
        }
    }
}
