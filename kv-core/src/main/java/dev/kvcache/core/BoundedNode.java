package dev.kvcache.core;

/**
 * A {@link Node} of a size- or weight-bounded cache, with the bookkeeping of the eviction policy.
 * Every field here except {@link #frequency} is owned by the thread doing maintenance (which holds the
 * maintenance lock), or is handed to it through the write buffer.
 */
final class BoundedNode<K, V> extends Node<K, V> {
    static final byte UNLINKED = 0;
    static final byte SMALL = 1;
    static final byte MAIN = 2;
    static final byte DROPPED = 3;

    static final int MAX_FREQUENCY = 3;

    final int weight;

    /*
     * Saturating access counter (0..3), bumped by readers without synchronization. Lost updates only
     * make the policy slightly less informed; reading before writing keeps a hot key's cache line
     * shared instead of bouncing it between cores on every hit.
     */
    byte frequency;

    /** Which queue the node is in; maintenance-owned. */
    byte queue = UNLINKED;

    /*
     * Queue links, maintenance-owned. Before the node is drained, {@code queueNext} is its link in the
     * write buffer (a Treiber stack), published by the buffer's CAS.
     */
    BoundedNode<K, V> queuePrev;
    BoundedNode<K, V> queueNext;

    /*
     * The node this write replaced in the table, so that maintenance can put the new node in the old
     * one's place in its queue. Set under the key's segment lock (so the next writer of the key, and
     * through its buffer push the drainer, see it) and cleared when drained, so the old node is not
     * kept alive.
     */
    BoundedNode<K, V> replaced;

    BoundedNode(int hash, K key, V value, long deadline, int weight) {
        super(hash, key, value, deadline);
        this.weight = weight;
    }

    /**
     * A marker pushed through the write buffer when {@code removed} was removed explicitly: it is born
     * retired and carries the removed node as its predecessor, so draining it unlinks that node.
     */
    @SuppressWarnings("unchecked")
    static <K, V> BoundedNode<K, V> tombstone(BoundedNode<K, V> removed) {
        BoundedNode<K, V> marker = new BoundedNode<>(removed.hash, removed.key, (V) REMOVED, Ttl.NEVER_NANOS, 0);
        marker.replaced = removed;
        return marker;
    }

    void recordAccess() {
        byte f = frequency;
        if (f < MAX_FREQUENCY) {
            frequency = (byte) (f + 1);
        }
    }

    boolean isQueued() {
        return queue == SMALL || queue == MAIN;
    }
}
