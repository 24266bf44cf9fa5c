package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link Node} of an unbounded cache built with both a time-to-idle and a time-to-live (or an
 * expiry function): it carries the hard deadline that idle reads never move the deadline past. See
 * {@link Node#hardDeadline()} for its ordering; 8 bytes more than a {@link Node}.
 */
final class CappedNode<K, V> extends Node<K, V> {
    private static final VarHandle HARD;

    static {
        try {
            HARD = MethodHandles.lookup().findVarHandle(CappedNode.class, "hard", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through HARD
    private long hard;

    CappedNode(int hash, K key, V value, long deadline, long hard) {
        super(hash, key, value, deadline);
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
