package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Hands new nodes of a bounded cache from writers to maintenance without a lock: a Treiber stack
 * linked through {@link BoundedNode#queueNext}, pushed by any thread and emptied in one swap by the single
 * maintainer. Emptying takes the whole stack at once, so the usual ABA hazard of a popping Treiber
 * stack cannot arise.
 */
final class WriteBuffer<K, V> {
    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(WriteBuffer.class, "head", BoundedNode.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through HEAD
    private volatile BoundedNode<K, V> head;

    void push(BoundedNode<K, V> node) {
        for (;;) {
            // Acquire: nothing to see through the head, but the CAS below needs a fresh value anyway.
            @SuppressWarnings("unchecked")
            BoundedNode<K, V> h = (BoundedNode<K, V>) HEAD.getAcquire(this);
            node.queueNext = h;
            // Release (full CAS): publishes node.queueNext and the node's fields to the drainer.
            if (HEAD.compareAndSet(this, h, node)) {
                return;
            }
        }
    }

    /**
     * Returns every pushed node, oldest first, linked through {@code queueNext}; empties the buffer.
     * The stack holds them newest first; reversing them (O(n), by the single drainer) keeps the
     * policy's queues in write order.
     */
    @SuppressWarnings("unchecked")
    BoundedNode<K, V> takeAll() {
        // Acquire via getAndSet: pairs with the pushers' CAS, making their writes to the nodes visible.
        BoundedNode<K, V> node = (BoundedNode<K, V>) HEAD.getAndSet(this, (BoundedNode<K, V>) null);
        BoundedNode<K, V> reversed = null;
        while (node != null) {
            BoundedNode<K, V> next = node.queueNext;
            node.queueNext = reversed;
            reversed = node;
            node = next;
        }
        return reversed;
    }

    boolean isEmpty() {
        return HEAD.getAcquire(this) == null;
    }
}
