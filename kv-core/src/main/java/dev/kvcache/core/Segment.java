package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One segment of a {@link NodeTable}: a chained hash table guarded by its own lock for writes, whose
 * chains readers walk without it (see {@link NodeTable} for the protocol: sorted chains, resizing in
 * place, long bins' indexes). Fields other than {@code table} and {@code indexes} are lock-guarded.
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

    /* Volatile: readers load it first, and a resize publishes the doubled table through it. */
    volatile Node<K, V>[] table;
    /*
     * The long bins' indexes, by bin, for the table of the same length; null until a bin of this
     * segment grows long. Volatile: a resize publishes the doubled table's indexes before the table.
     */
    private volatile BinIndex<K, V>[] indexes;
    int count;
    private int threshold;

    /*
     * The table's copy of every segment's table reference, and this segment's slot in it: lock-free
     * readers load the reference from there (see NodeTable#get), not from this object, whose cache line
     * also holds the lock state that every write changes.
     */
    private final Node<K, V>[][] published;
    private final int slot;

    @SuppressWarnings("unchecked")
    Segment(int length, Node<K, V>[][] published, int slot) {
        table = (Node<K, V>[]) new Node<?, ?>[length];
        threshold = (int) (length * 0.75f);
        this.published = published;
        this.slot = slot;
        published[slot] = table; // published with the NodeTable itself (a final field)
    }

    /** Failed {@code tryLock}s a writer spins through before it blocks; see {@link #lockForWrite}. */
    static final int WRITE_SPINS = 64;

    /**
     * Locks the segment for a write: tries, spins briefly, then blocks. A write holds the lock for a
     * few hundred nanoseconds, while blocking parks the thread (a queue node, a futex call, and a
     * wake-up by the unlocking thread: microseconds on both threads), so two writers that met on a
     * segment waited far longer than either held it (2-thread puts allocated 0.7-0.9 B/op of queue
     * nodes; docs/benchmarks.md, session 4). {@link #WRITE_SPINS} pauses (a few microseconds) outlast
     * a write; a holder that takes longer (a compute function, a descheduled thread) is then waited
     * for by blocking, as before. Spinning reads the lock state and tries only when it is free.
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

    int countOpaque() {
        // Opaque: size() wants a recent count, not an ordered one.
        return (int) COUNT.getOpaque(this);
    }

    /** The index of {@code table}'s bin for {@code hash}, or null. Lock-free. */
    @SuppressWarnings("unchecked")
    BinIndex<K, V> indexOf(Node<K, V>[] table, int hash) {
        BinIndex<K, V>[] ix = indexes; // volatile read
        // Acquire: pairs with the release store that published the index, and so its contents.
        return ix == null || ix.length != table.length ? null
                : (BinIndex<K, V>) NodeTable.INDEX.getAcquire(ix, hash & (ix.length - 1));
    }

    /** The index of the current table's bin {@code index}, or null. Lock held. */
    private BinIndex<K, V> indexAt(int index) {
        BinIndex<K, V>[] ix = indexes;
        return ix == null ? null : ix[index];
    }

    /** The longest index's depth in this segment's current table (for tests). Lock held. */
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
        Node<K, V>[] tab = table;
        BinIndex<K, V> index = indexAt(hash & (tab.length - 1));
        if (index != null) {
            return index.find(key, hash);
        }
        for (Node<K, V> n = tab[hash & (tab.length - 1)]; n != null; n = n.next) {
            if (n.hash == hash && (n.key == key || key.equals(n.key))) {
                return n;
            }
        }
        return null;
    }

    /**
     * Maps {@code created}, in the place of {@code existing} (its key's current node, from
     * {@link #find}) if there is one. Lock held.
     */
    void link(Node<K, V> created, Node<K, V> existing) {
        Node<K, V>[] tab = table;
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
                publishIndex(index, new BinIndex<>(tab[index], null, created.key));
            }
        }
        COUNT.setOpaque(this, count + 1);
        if (count > threshold && tab.length < NodeTable.MAX_TABLE_LENGTH) {
            grow();
        }
    }

    /** Unlinks {@code node}, which must be mapped. Lock held. */
    void unlink(Node<K, V> node) {
        Node<K, V>[] tab = table;
        int index = node.hash & (tab.length - 1);
        BinIndex<K, V> binIndex = indexAt(index);
        Node<K, V> prev = binIndex != null ? binIndex.predecessor(node) : predecessor(tab, index, node);
        // The unlinked node keeps its next for readers on it.
        setNext(tab, index, prev, node.next);
        if (binIndex != null) {
            binIndex.unlinked(node);
            if (binIndex.size() <= NodeTable.LONG_BIN) {
                publishIndex(index, null); // short again: the chain answers alone
            }
        }
        COUNT.setOpaque(this, count - 1);
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
    private void publishIndex(int index, BinIndex<K, V> binIndex) {
        BinIndex<K, V>[] ix = indexes;
        if (ix == null) {
            if (binIndex == null) {
                return;
            }
            ix = (BinIndex<K, V>[]) new BinIndex<?, ?>[table.length];
            indexes = ix; // volatile write, before the release store of its first element
        }
        NodeTable.INDEX.setRelease(ix, index, binIndex); // pairs with indexOf's acquire
    }

    private static <K, V> Node<K, V> predecessor(Node<K, V>[] tab, int index, Node<K, V> node) {
        Node<K, V> prev = null;
        for (Node<K, V> n = tab[index]; n != node; n = n.next) {
            prev = n;
        }
        return prev;
    }

    /** Doubles the table in place; see the class doc. Lock held. */
    private void grow() {
        Node<K, V>[] old = table;
        int n = old.length;
        @SuppressWarnings("unchecked")
        Node<K, V>[] doubled = (Node<K, V>[]) new Node<?, ?>[n << 1];
        for (int i = 0; i < n; i++) {
            Node<K, V> node = old[i];
            while (node != null && (node.hash & n) == 0) {
                node = node.next;
            }
            doubled[i] = old[i] != node ? old[i] : null; // the low run, if any, starts the chain
            doubled[i + n] = node;                        // the high run
        }
        BinIndex<K, V>[] oldIndexes = indexes;
        if (oldIndexes != null) {
            indexes = splitIndexes(old, doubled, oldIndexes); // volatile write, before the table's
        }
        // Volatile write: publishes the new table (and its array contents) before any chain is cut;
        // the same for the readers' copy (the cuts below are release stores, so ordered after it).
        table = doubled;
        NodeTable.TABLES.setVolatile(published, slot, doubled);
        threshold = (int) (doubled.length * 0.75f);
        for (int i = 0; i < n; i++) {
            Node<K, V> lastLow = null;
            for (Node<K, V> node = old[i]; node != null && (node.hash & n) == 0; node = node.next) {
                lastLow = node;
            }
            if (lastLow != null && lastLow.next != null) {
                // Release: ordered after the table publication above, so a reader that sees the cut
                // and then re-reads the table sees the new one and retries.
                NodeTable.NEXT.setRelease(lastLow, (Node<K, V>) null);
            }
        }
    }

    /**
     * The indexes for the doubled table: an index whose bin goes whole to one side moves with it;
     * a bin that splits gets a new index for each half still longer than {@link NodeTable#LONG_BIN}.
     * Chains are not cut yet, so each half is bounded by where the other starts. Lock held.
     */
    @SuppressWarnings("unchecked")
    private BinIndex<K, V>[] splitIndexes(Node<K, V>[] old, Node<K, V>[] doubled, BinIndex<K, V>[] oldIndexes) {
        int n = old.length;
        BinIndex<K, V>[] split = (BinIndex<K, V>[]) new BinIndex<?, ?>[n << 1];
        for (int i = 0; i < n; i++) {
            BinIndex<K, V> index = oldIndexes[i];
            if (index == null) {
                continue;
            }
            Node<K, V> low = doubled[i];
            Node<K, V> high = doubled[i + n];
            if (high == null || low == null) {
                split[high == null ? i : i + n] = index;
                continue;
            }
            if (lengthUpTo(low, high, NodeTable.LONG_BIN + 1) > NodeTable.LONG_BIN) {
                split[i] = new BinIndex<>(low, high, null);
            }
            if (lengthUpTo(high, null, NodeTable.LONG_BIN + 1) > NodeTable.LONG_BIN) {
                split[i + n] = new BinIndex<>(high, null, null);
            }
        }
        return split;
    }

    private static <K, V> int lengthUpTo(Node<K, V> head, Node<K, V> end, int limit) {
        int length = 0;
        for (Node<K, V> n = head; n != end && length < limit; n = n.next) {
            length++;
        }
        return length;
    }
}
