package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hash table of a cache: nodes are the table's entries, so a hit costs the same pointer chases as
 * a {@link java.util.concurrent.ConcurrentHashMap} lookup and no more.
 *
 * <h2>Concurrency</h2>
 * The table is split into segments, each a chained hash table guarded by its own lock for writes.
 * Reads take no lock: they load the segment's table and follow the bin's chain with acquire loads,
 * which pair with the release stores that link nodes in, so a reader that reaches a node sees its
 * fields. Writers only ever change a chain by one release store that keeps it well-formed for a
 * reader standing anywhere on it: inserting a node before its successor, unlinking a node (the
 * unlinked node keeps its {@code next}, so a reader on it walks on), or replacing a node by its
 * successor-sharing replacement.
 *
 * <h2>Resizing without misleading readers</h2>
 * Each bin's chain is kept sorted by bit-reversed hash, so when a segment's table doubles, bin
 * {@code i} splits into bins {@code i} and {@code i + n} at a single point: the nodes whose bit
 * {@code n} is clear come first. The new table points into the same chains and is published first;
 * only then is each chain cut at the split point. Nodes are never copied, so a node keeps its identity
 * (the timer wheel and eviction queues refer to it) for its whole life. A reader still on the old
 * table may be cut off before its key and miss it; every miss is therefore confirmed by re-reading the
 * segment's table after the traversal and retried if it changed. Hits need no confirmation: a node
 * with the right key is the right node.
 *
 * <h2>Long bins (hash flooding)</h2>
 * Keys that share a hash, or its low bits, share a bin however large the table grows, and a chain
 * walk would make each operation on them O(n) under one segment lock: a denial of service where
 * clients choose the keys. A bin whose chain grows past {@link #INDEX_AT} nodes therefore gets a
 * {@link BinIndex}, an ordered index over its existing nodes (O(log n) for keys of one Comparable
 * class, linear for others), and drops it when it shrinks to {@link #LONG_BIN}. A reader walks at most
 * {@link #LONG_BIN} nodes of a chain before consulting the bin's index, whose answer is then final;
 * so the index holds a new key before the chain does, and an indexed bin keeps more than
 * {@link #LONG_BIN} nodes, so every reader that could miss the key in the chain reaches the index.
 * Short bins pay one counter per node visited, nothing more.
 */
final class NodeTable<K, V> {
    private static final VarHandle NEXT;
    private static final VarHandle BIN = MethodHandles.arrayElementVarHandle(Node[].class);
    private static final VarHandle INDEX = MethodHandles.arrayElementVarHandle(BinIndex[].class);
    private static final int MAX_TABLE_LENGTH = 1 << 30;

    /** Chain nodes a reader walks before consulting the bin's index; an indexed bin has more. */
    static final int LONG_BIN = 8;
    /** A chain longer than this is indexed. */
    static final int INDEX_AT = 2 * LONG_BIN;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Segment<K, V>[] segments;
    private final int segmentShift;

    @SuppressWarnings("unchecked")
    NodeTable(int initialCapacity) {
        int segmentCount = 16;
        while (segmentCount < 4 * Runtime.getRuntime().availableProcessors() && segmentCount < 256) {
            segmentCount <<= 1;
        }
        segments = (Segment<K, V>[]) new Segment<?, ?>[segmentCount];
        segmentShift = 32 - Integer.numberOfTrailingZeros(segmentCount);
        int perSegment = Math.max(4, tableLengthFor(initialCapacity / segmentCount + 1));
        for (int i = 0; i < segmentCount; i++) {
            segments[i] = new Segment<>(perSegment);
        }
    }

    /** Spreads a key's hash so that both its low bits (bins) and high bits (segments) vary. */
    static int hash(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    // ---------------------------------------------------------------- lock-free reads

    /** Returns the node mapped to {@code key}, or null. Lock-free. */
    Node<K, V> get(Object key, int hash) {
        Segment<K, V> segment = segmentFor(hash);
        for (;;) {
            Node<K, V>[] table = segment.table; // volatile read
            Node<K, V> node = first(table, hash);
            int walked = 0;
            while (node != null) {
                if (node.hash == hash && (node.key == key || key.equals(node.key))) {
                    return node;
                }
                if (++walked == LONG_BIN) {
                    BinIndex<K, V> index = segment.indexOf(table, hash);
                    if (index != null) { // final answer for the bin (see class doc)
                        node = index.find(key, hash);
                        if (node != null) {
                            return node;
                        }
                        break;
                    }
                }
                node = nextOf(node);
            }
            // A miss counts only if no resize published a new table during the walk (see class doc).
            // The fence keeps the walk's loads before the re-read.
            VarHandle.acquireFence();
            if (segment.table == table) {
                return null;
            }
        }
    }

    // ---------------------------------------------------------------- locked writes

    /**
     * The segment that holds {@code hash}'s bin. Writers lock it, decide from {@link Segment#find} (and
     * the clock, read under the lock so the decision holds at the instant the write takes effect), then
     * {@link Segment#link} or {@link Segment#unlink}.
     */
    Segment<K, V> segmentFor(int hash) {
        // Multiplicative mixing: small integer keys have no high bits of their own.
        return segments[(hash * 0x9E3779B9) >>> segmentShift];
    }

    // ---------------------------------------------------------------- whole-table operations

    /** Number of mapped nodes, summed over segments without locking: an estimate under writes. */
    long size() {
        long size = 0;
        for (Segment<K, V> segment : segments) {
            size += segment.countOpaque();
        }
        return size;
    }

    /**
     * Counts the mapped nodes that {@code counted} accepts, stopping at {@code limit}: walks every
     * chain without locks and allocates nothing. Exact when no write runs; under writes it is an
     * estimate (a concurrent resize can hide part of a chain from the walk).
     */
    long count(Predicate<? super Node<K, V>> counted, long limit) {
        long n = 0;
        for (Segment<K, V> segment : segments) {
            Node<K, V>[] table = segment.table; // volatile read
            for (int i = 0; i < table.length; i++) {
                for (Node<K, V> node = first(table, i); node != null; node = nextOf(node)) {
                    if (counted.test(node) && ++n >= limit) {
                        return n;
                    }
                }
            }
        }
        return n;
    }

    /** The depth of the index of {@code key}'s bin, 0 if it has none; for tests. */
    int indexDepth(Object key) {
        Segment<K, V> segment = segmentFor(hash(key));
        segment.lock();
        try {
            return segment.maxIndexDepth();
        } finally {
            segment.unlock();
        }
    }

    int segmentCount() {
        return segments.length;
    }

    /** The nodes of one segment at one instant (taken under its lock). */
    List<Node<K, V>> snapshot(int segmentIndex) {
        Segment<K, V> segment = segments[segmentIndex];
        segment.lock();
        try {
            List<Node<K, V>> nodes = new ArrayList<>(segment.count);
            for (Node<K, V> bin : segment.table) {
                for (Node<K, V> n = bin; n != null; n = n.next) {
                    nodes.add(n);
                }
            }
            return nodes;
        } finally {
            segment.unlock();
        }
    }

    private static <K, V> Node<K, V> first(Node<K, V>[] table, int hash) {
        // Acquire: pairs with the release store that linked the node, so its fields are visible.
        @SuppressWarnings("unchecked")
        Node<K, V> n = (Node<K, V>) BIN.getAcquire(table, hash & (table.length - 1));
        return n;
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Node<K, V> nextOf(Node<K, V> node) {
        // Acquire: as for first(); the link may have been written by a concurrent insert.
        return (Node<K, V>) NEXT.getAcquire(node);
    }

    private static int tableLengthFor(int capacity) {
        int needed = (int) Math.min(MAX_TABLE_LENGTH, (long) (capacity / 0.75f) + 1);
        return Math.max(1, Integer.highestOneBit(needed - 1) << 1);
    }

    /** Bit-reversed hash as an unsigned sort key: the order of nodes within a bin. */
    static int order(int hash) {
        return Integer.reverse(hash);
    }

    /** One lock-guarded chained hash table. Fields other than {@code table} are lock-guarded. */
    @SuppressWarnings("serial")
    static final class Segment<K, V> extends ReentrantLock {
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

        @SuppressWarnings("unchecked")
        Segment(int length) {
            table = (Node<K, V>[]) new Node<?, ?>[length];
            threshold = (int) (length * 0.75f);
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
                    : (BinIndex<K, V>) INDEX.getAcquire(ix, hash & (ix.length - 1));
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
                int key = order(created.hash);
                Node<K, V> prev = null;
                Node<K, V> n = tab[index];
                int length = 1;
                while (n != null && Integer.compareUnsigned(order(n.hash), key) < 0) {
                    prev = n;
                    n = n.next;
                    length++;
                }
                created.next = n;
                setNext(tab, index, prev, created);
                for (; n != null && length <= INDEX_AT; n = n.next) {
                    length++;
                }
                if (length > INDEX_AT) {
                    publishIndex(index, new BinIndex<>(tab[index], null, created.key));
                }
            }
            COUNT.setOpaque(this, count + 1);
            if (count > threshold && tab.length < MAX_TABLE_LENGTH) {
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
                if (binIndex.size() <= LONG_BIN) {
                    publishIndex(index, null); // short again: the chain answers alone
                }
            }
            COUNT.setOpaque(this, count - 1);
        }

        /** Makes {@code next} follow {@code prev} (the bin's head if null) with one release store. */
        private static <K, V> void setNext(Node<K, V>[] tab, int index, Node<K, V> prev, Node<K, V> next) {
            // Release: the node's fields and its next are written before it becomes reachable.
            if (prev == null) {
                BIN.setRelease(tab, index, next);
            } else {
                NEXT.setRelease(prev, next);
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
            INDEX.setRelease(ix, index, binIndex); // pairs with indexOf's acquire
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
            // Volatile write: publishes the new table (and its array contents) before any chain is cut.
            table = doubled;
            threshold = (int) (doubled.length * 0.75f);
            for (int i = 0; i < n; i++) {
                Node<K, V> lastLow = null;
                for (Node<K, V> node = old[i]; node != null && (node.hash & n) == 0; node = node.next) {
                    lastLow = node;
                }
                if (lastLow != null && lastLow.next != null) {
                    // Release: ordered after the table publication above, so a reader that sees the cut
                    // and then re-reads the table sees the new one and retries.
                    NEXT.setRelease(lastLow, (Node<K, V>) null);
                }
            }
        }

        /**
         * The indexes for the doubled table: an index whose bin goes whole to one side moves with it;
         * a bin that splits gets a new index for each half still longer than {@link #LONG_BIN}.
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
                if (lengthUpTo(low, high, LONG_BIN + 1) > LONG_BIN) {
                    split[i] = new BinIndex<>(low, high, null);
                }
                if (lengthUpTo(high, null, LONG_BIN + 1) > LONG_BIN) {
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
}
