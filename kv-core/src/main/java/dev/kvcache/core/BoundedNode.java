package dev.kvcache.core;

/**
 * A {@link Node} of a size- or weight-bounded cache, with the bookkeeping of the eviction policy.
 * Every field here except {@link #frequency} is owned by the thread doing maintenance (which holds the
 * maintenance lock), or is handed to it through the write buffer. An overwrite keeps its node, and so
 * its place and popularity in the policy's queues; only a weighted overwrite tells the policy, with a
 * {@link Marker}.
 */
class BoundedNode<K, V> extends Node<K, V> {
    static final byte UNLINKED = 0;
    static final byte SMALL = 1;
    static final byte MAIN = 2;
    static final byte DROPPED = 3;

    static final int MAX_FREQUENCY = 3;

    /*
     * The weight the policy counts: set at creation, then changed only by maintenance when it drains a
     * reweigh marker (so a queue's total and its nodes' weights always agree).
     */
    int weight;

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

    BoundedNode(int hash, K key, V value, long deadline, int weight) {
        super(hash, key, value, deadline);
        this.weight = weight;
    }

    /**
     * The weight of the value the node holds now, as the weigher gave it when that value was written:
     * reported with the value when it is removed, so that the weigher runs once per write and never on
     * removal. Writer-owned (read and written under the key's segment lock); the policy's {@link #weight}
     * catches up when maintenance drains the reweigh marker. Without a weigher every weight is 1, so
     * the counted weight serves and the node keeps no second field.
     */
    int valueWeight() {
        return weight;
    }

    /** Records the weight of a value stored in place; segment lock held. Nothing to keep without a weigher. */
    void valueWeight(int weight) {}

    /** A weight-bounded cache's node: keeps its value's weight (4 bytes, in the padding or 8 more). */
    static class Weighted<K, V> extends BoundedNode<K, V> {
        private int valueWeight;

        Weighted(int hash, K key, V value, long deadline, int weight) {
            super(hash, key, value, deadline, weight);
            this.valueWeight = weight;
        }

        @Override
        final int valueWeight() {
            return valueWeight;
        }

        @Override
        final void valueWeight(int weight) {
            valueWeight = weight;
        }
    }

    /** A weight-bounded cache's {@link CappedNode}: the value's weight and the hard deadline. */
    static final class WeightedCapped<K, V> extends Weighted<K, V> {
        private static final java.lang.invoke.VarHandle HARD;

        static {
            try {
                HARD = java.lang.invoke.MethodHandles.lookup().findVarHandle(WeightedCapped.class, "hard", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // through HARD
        private long hard;

        WeightedCapped(int hash, K key, V value, long deadline, int weight, long hard) {
            super(hash, key, value, deadline, weight);
            this.hard = hard;
        }

        @Override
        long hardDeadline() {
            return (long) HARD.getOpaque(this);
        }

        @Override
        void hardDeadline(long hard) {
            HARD.setOpaque(this, hard);
        }
    }

    /** A bounded cache's {@link CappedNode}: with the hard deadline; 8 bytes more per entry. */
    static final class Capped<K, V> extends BoundedNode<K, V> {
        private static final java.lang.invoke.VarHandle HARD;

        static {
            try {
                HARD = java.lang.invoke.MethodHandles.lookup().findVarHandle(Capped.class, "hard", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // through HARD
        private long hard;

        Capped(int hash, K key, V value, long deadline, int weight, long hard) {
            super(hash, key, value, deadline, weight);
            this.hard = hard;
        }

        @Override
        long hardDeadline() {
            return (long) HARD.getOpaque(this);
        }

        @Override
        void hardDeadline(long hard) {
            HARD.setOpaque(this, hard);
        }
    }

    /**
     * A marker pushed through the write buffer, under the key's segment lock, about {@code subject}:
     * that it left the table (a tombstone, weight ignored) or that an overwrite changed its weight to
     * {@code weight}. Pushing under the lock keeps each key's events in the buffer in the order they
     * took effect, so the policy meets a node's insert before its reweighs and its tombstone.
     */
    static final class Marker<K, V> extends BoundedNode<K, V> {
        final BoundedNode<K, V> subject;
        final boolean tombstone;

        Marker(BoundedNode<K, V> subject, boolean tombstone, int weight) {
            super(subject.hash, subject.key, null, REMOVED, weight);
            this.subject = subject;
            this.tombstone = tombstone;
        }
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
