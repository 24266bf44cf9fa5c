package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One segment of a {@link NodeTable}: the lock that guards writes to the bins whose index has this
 * segment's number in its low bits ({@code bin & SEGMENT_MASK}), with their entry count and their
 * long bins' indexes. The bins themselves sit in the table's one array, which readers walk without
 * any lock (see {@link NodeTable} for the protocol: sorted chains, resizing in place, long bins'
 * indexes). A bin and the two it splits into share their low bits, so a bin never changes segment.
 * Fields other than {@code indexes} are lock-guarded.
 */
@SuppressWarnings("serial")
final class Segment<K, V> extends ReentrantLock {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(Segment.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NodeTable<K, V> owner;
    /* This segment's number: the low bits of each of its bins' indexes. */
    final int slot;
    /*
     * This segment's long bins' indexes, by the bin's position among the segment's bins
     * (bin >>> SEGMENT_BITS), for the table whose length is SEGMENTS times theirs; null until a bin of
     * this segment grows long. Volatile: a resize publishes the doubled table's indexes before the table.
     */
    private volatile BinIndex<K, V>[] indexes;
    int count;
    /* The count past which an insert asks the table to grow (see NodeTable#growIfDue). */
    private int threshold;
    /* Set by an insert that passed the threshold, under the lock; read by that writer after unlocking. */
    boolean growDue;

    Segment(NodeTable<K, V> owner, int slot, int threshold) {
        this.owner = owner;
        this.slot = slot;
        this.threshold = threshold;
    }

    /** Failed {@code tryLock}s a writer spins through before it blocks; see {@link #lockForWrite}. */
    static final int WRITE_SPINS = 64;

    /**
     * Locks the segment for a write: tries, spins briefly, then blocks. A write holds the lock for a
     * few hundred nanoseconds, while blocking parks the thread (a queue node, a futex call, and a
     * wake-up by the unlocking thread: microseconds on both threads), so two writers that met on a
     * segment waited far longer than either held it (2-thread puts allocated 0.7-0.9 B/op of queue
     * nodes; docs/benchmarks.md, session 4). {@link #WRITE_SPINS} pauses (a few microseconds) outlast
     * a write; a holder that takes longer (a compute function, a descheduled thread, a resize) is then
     * waited for by blocking, as before. Spinning reads the lock state and tries only when it is free.
     */
    void lockForWrite() {
        if (!tryLock()) {
            lockContended();
        }
    }

    /**
     * The spin, then the block, out of line: a served cache first meets a held segment lock when
     * maintenance starts expiring entries (about a TTL after the start, seconds after C2 compiled the
     * write path), and that first failed {@code tryLock} deoptimizes the compiled write path (an
     * {@code unstable_if} trap). Kept here, the spin loop's own first exits (locked after the spins)
     * trap in this small method instead of in the write path it would otherwise be inlined into.
     */
    private void lockContended() {
        for (int i = 0; i < WRITE_SPINS; i++) {
            Thread.onSpinWait();
            if (!isLocked() && tryLock()) {
                return;
            }
        }
        lock();
    }

    /**
     * Locks the segment for maintenance if that means waiting no longer than for a write: tries, and
     * spins through {@link #WRITE_SPINS} pauses as a writer does, then gives up instead of blocking.
     * A holder that takes longer is a compute function running its caller's code, a resize waiting for
     * one, or a descheduled thread; a maintenance pass that waited for it would hold up every writer
     * waiting for maintenance, and a compute function that writes another cache could close a cycle of
     * waits through them. The pass leaves the node for a later one instead.
     *
     * @return whether the lock is now held
     */
    boolean tryLockForMaintenance() {
        if (tryLock()) {
            return true;
        }
        for (int i = 0; i < WRITE_SPINS; i++) {
            Thread.onSpinWait();
            if (!isLocked() && tryLock()) {
                return true;
            }
        }
        return false;
    }

    int countOpaque() {
        // Opaque: size() wants a recent count, not an ordered one.
        return (int) COUNT.getOpaque(this);
    }

    /** The index of {@code table}'s bin for {@code hash}, or null. Lock-free. */
    @SuppressWarnings("unchecked")
    BinIndex<K, V> indexOf(Node<K, V>[] table, int hash) {
        BinIndex<K, V>[] ix = indexes; // volatile read
        // Acquire: pairs with the release store that published the index, and so its contents.
        return ix == null || ix.length != table.length >>> NodeTable.SEGMENT_BITS ? null
                : (BinIndex<K, V>) NodeTable.INDEX.getAcquire(ix, (hash & (table.length - 1)) >>> NodeTable.SEGMENT_BITS);
    }

    /** The index of the current table's bin {@code bin}, or null. Lock held. */
    private BinIndex<K, V> indexAt(int bin) {
        BinIndex<K, V>[] ix = indexes;
        return ix == null ? null : ix[bin >>> NodeTable.SEGMENT_BITS];
    }

    /** The longest index's depth in this segment's bins (for tests). Lock held. */
    int maxIndexDepth() {
        int depth = 0;
        BinIndex<K, V>[] ix = indexes;
        for (int i = 0; ix != null && i < ix.length; i++) {
            depth = ix[i] == null ? depth : Math.max(depth, ix[i].depth());
        }
        return depth;
    }

    /** The key's node, or null. Lock held. */
    Node<K, V> find(Object key, int hash) {
        Node<K, V>[] tab = owner.table;
        int bin = hash & (tab.length - 1);
        BinIndex<K, V> index = indexAt(bin);
        if (index != null) {
            return index.find(key, hash);
        }
        for (Node<K, V> n = tab[bin]; n != null; n = n.next) {
            if (n.hash == hash && (n.key == key || key.equals(n.key))) {
                return n;
            }
        }
        return null;
    }

    /**
     * Maps {@code created}, in the place of {@code existing} (its key's current node, from
     * {@link #find}) if there is one. Lock held. An insert that takes the count past the threshold
     * sets {@link #growDue}; the writer then calls {@link NodeTable#growIfDue} after unlocking, since a
     * resize takes every segment's lock.
     */
    void link(Node<K, V> created, Node<K, V> existing) {
        Node<K, V>[] tab = owner.table;
        int index = created.hash & (tab.length - 1);
        BinIndex<K, V> binIndex = indexAt(index);
        if (existing != null) {
            // Same key, same place in the chain: the replacement takes the successor, then is
            // published in one release store; a reader on the old node walks on through its next.
            created.next = existing.next;
            Node<K, V> prev = binIndex != null ? binIndex.predecessor(existing) : predecessor(tab, index, existing);
            setNext(tab, index, prev, created);
            if (binIndex != null) {
                binIndex.replaced(existing, created);
            }
            return;
        }
        if (binIndex != null) {
            // The index first: a reader that misses the key in the chain's first nodes asks it.
            Node<K, V> prev = binIndex.addNew(created);
            created.next = prev == null ? tab[index] : prev.next;
            setNext(tab, index, prev, created);
            binIndex.linked(created, prev);
        } else {
            int key = NodeTable.order(created.hash);
            Node<K, V> prev = null;
            Node<K, V> n = tab[index];
            int length = 1;
            while (n != null && Integer.compareUnsigned(NodeTable.order(n.hash), key) < 0) {
                prev = n;
                n = n.next;
                length++;
            }
            created.next = n;
            setNext(tab, index, prev, created);
            for (; n != null && length <= NodeTable.INDEX_AT; n = n.next) {
                length++;
            }
            if (length > NodeTable.INDEX_AT) {
                publishIndex(tab, index, new BinIndex<>(tab[index], null, created.key));
            }
        }
        COUNT.setOpaque(this, count + 1);
        if (count > threshold) {
            growDue = true;
        }
    }

    /** Unlinks {@code node}, which must be mapped. Lock held. */
    void unlink(Node<K, V> node) {
        Node<K, V>[] tab = owner.table;
        int index = node.hash & (tab.length - 1);
        BinIndex<K, V> binIndex = indexAt(index);
        Node<K, V> prev = binIndex != null ? binIndex.predecessor(node) : predecessor(tab, index, node);
        // The unlinked node keeps its next for readers on it.
        setNext(tab, index, prev, node.next);
        if (binIndex != null) {
            binIndex.unlinked(node);
            if (binIndex.size() <= NodeTable.LONG_BIN) {
                publishIndex(tab, index, null); // short again: the chain answers alone
            }
        }
        COUNT.setOpaque(this, count - 1);
    }

    /**
     * After a grow check that found the table not full though a segment passed its share (its keys
     * crowd its bins): every segment may take an equal part of the room left before the next check,
     * so the table cannot pass 3/4 of its bins unchecked. Every segment lock held.
     */
    void rearm(long headroom) {
        // Parts summing to the headroom exactly: no segment can be filled past them without a check.
        long part = headroom / NodeTable.SEGMENTS + (slot < headroom % NodeTable.SEGMENTS ? 1 : 0);
        threshold = (int) Math.min(Integer.MAX_VALUE, count + part);
        growDue = false;
    }

    /** The table doubled: this segment's share of the new threshold. Every segment lock held. */
    void resized(int threshold) {
        this.threshold = threshold;
        growDue = count > threshold;
    }

    /** Makes {@code next} follow {@code prev} (the bin's head if null) with one release store. */
    private static <K, V> void setNext(Node<K, V>[] tab, int index, Node<K, V> prev, Node<K, V> next) {
        // Release: the node's fields and its next are written before it becomes reachable.
        if (prev == null) {
            NodeTable.BIN.setRelease(tab, index, next);
        } else {
            NodeTable.NEXT.setRelease(prev, next);
        }
    }

    @SuppressWarnings("unchecked")
    private void publishIndex(Node<K, V>[] tab, int bin, BinIndex<K, V> binIndex) {
        BinIndex<K, V>[] ix = indexes;
        if (ix == null) {
            if (binIndex == null) {
                return;
            }
            ix = (BinIndex<K, V>[]) new BinIndex<?, ?>[tab.length >>> NodeTable.SEGMENT_BITS];
            indexes = ix; // volatile write, before the release store of its first element
        }
        NodeTable.INDEX.setRelease(ix, bin >>> NodeTable.SEGMENT_BITS, binIndex); // pairs with indexOf's acquire
    }

    private static <K, V> Node<K, V> predecessor(Node<K, V>[] tab, int index, Node<K, V> node) {
        Node<K, V> prev = null;
        for (Node<K, V> n = tab[index]; n != node; n = n.next) {
            prev = n;
        }
        return prev;
    }

    /**
     * The indexes for the doubled table, built before anything changes (a key's {@code compareTo} runs
     * here and may throw; the table is then left as it was): an index
     * whose bin goes whole to one side moves with it; a bin that splits gets a new index for each half
     * still longer than {@link NodeTable#LONG_BIN}. Chains are not cut yet, so each half is bounded by
     * where the other starts. Every segment lock held.
     */
    @SuppressWarnings("unchecked")
    BinIndex<K, V>[] splitIndexes(Node<K, V>[] old, Node<K, V>[] doubled) {
        BinIndex<K, V>[] oldIndexes = indexes;
        if (oldIndexes == null) {
            return null;
        }
        int n = old.length;
        int shift = NodeTable.SEGMENT_BITS;
        BinIndex<K, V>[] split = (BinIndex<K, V>[]) new BinIndex<?, ?>[oldIndexes.length << 1];
        for (int position = 0; position < oldIndexes.length; position++) {
            BinIndex<K, V> index = oldIndexes[position];
            if (index == null) {
                continue;
            }
            int i = position << shift | slot;
            Node<K, V> low = doubled[i];
            Node<K, V> high = doubled[i + n];
            if (high == null || low == null) {
                split[(high == null ? i : i + n) >>> shift] = index;
                continue;
            }
            if (lengthUpTo(low, high, NodeTable.LONG_BIN + 1) > NodeTable.LONG_BIN) {
                split[i >>> shift] = new BinIndex<>(low, high, null);
            }
            if (lengthUpTo(high, null, NodeTable.LONG_BIN + 1) > NodeTable.LONG_BIN) {
                split[(i + n) >>> shift] = new BinIndex<>(high, null, null);
            }
        }
        return split;
    }

    /** Installs the indexes {@link #splitIndexes} built, before the doubled table is published. */
    void useIndexes(BinIndex<K, V>[] split) {
        indexes = split; // volatile write, before the table's
    }

    private static <K, V> int lengthUpTo(Node<K, V> head, Node<K, V> end, int limit) {
        int length = 0;
        for (Node<K, V> n = head; n != end && length < limit; n = n.next) {
            length++;
        }
        return length;
    }
}
