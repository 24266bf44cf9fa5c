package dev.kvcache.core;

/**
 * One write of one key: the unit the map holds and the timer wheel schedules.
 *
 * <p>A node is created by every write and never changes afterwards, except for two fields: its value
 * is cleared when the node is <em>retired</em> (removed from or replaced in the map), and its wheel
 * link is rewired by the timer wheel. Making (value, deadline) immutable per write is what lets a
 * lock-free reader see a consistent pair without a seqlock: whichever node the map returns, its value
 * and deadline belong together.
 *
 * <p>Retirement is owned by exactly one thread: the one whose atomic map operation took the node out
 * of the map. That thread clears the value and reports the removal once. A reader that loses the race
 * sees {@code value == null} and looks the key up again.
 */
class Node<K, V> {
    /** The key's spread hash ({@link NodeTable#hash}). */
    final int hash;
    final K key;
    /** Absolute deadline on the cache's time axis; {@link Ttl#NEVER_NANOS} for no expiry. */
    final long deadline;

    /*
     * Plain field. Written once in the constructor (published by the map's volatile write, so readers
     * that get the node from the map see it) and once to null on retirement. A racing reader may see
     * either; both are safe because null means "retired, look again" and the non-null value was safely
     * published. No ordering beyond that is needed: correctness never depends on when a reader
     * notices the null, only on the map operation that retired the node.
     */
    V value;

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
        this.deadline = deadline;
    }

    /** Whether the node is still the live mapping as far as its value shows (not yet retired). */
    final boolean isRetired() {
        return value == null;
    }

    /**
     * Clears the value and returns it. Only the thread that removed this node from the map may call it,
     * exactly once.
     */
    final V retire() {
        V v = value;
        value = null;
        return v;
    }

    @Override
    public String toString() {
        return key + "=" + value + "@" + deadline;
    }
}
