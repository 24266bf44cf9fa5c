package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The hash table of a cache: nodes are the table's entries, and the bins are one array, so a hit costs
 * the same loads as a {@link java.util.concurrent.ConcurrentHashMap} lookup and no more.
 *
 * <h2>Concurrency</h2>
 * Writes are guarded by {@link Segment} locks: bin {@code i} belongs to segment
 * {@code i & SEGMENT_MASK}, so neighbouring bins (and sequential keys) spread over every lock, and a
 * bin and the two it splits into at a resize share their segment. Reads take no lock: they load the
 * table reference and follow the bin's chain with acquire loads,
 * which pair with the release stores that link nodes in, so a reader that reaches a node sees its
 * fields. Writers only ever change a chain by one release store that keeps it well-formed for a
 * reader standing anywhere on it: inserting a node before its successor, unlinking a node (the
 * unlinked node keeps its {@code next}, so a reader on it walks on), or replacing a node by its
 * successor-sharing replacement.
 *
 * <h2>Resizing without misleading readers</h2>
 * Each bin's chain is kept sorted by bit-reversed hash, so when the table doubles, bin
 * {@code i} splits into bins {@code i} and {@code i + n} at a single point: the nodes whose bit
 * {@code n} is clear come first. The new table points into the same chains and is published first;
 * only then is each chain cut at the split point. Nodes are never copied, so a node keeps its identity
 * (the timer wheel and eviction queues refer to it) for its whole life. A reader still on the old
 * table may be cut off before its key and miss it; every miss is therefore confirmed by re-reading the
 * table reference after the traversal and retried if it changed. Hits need no confirmation: a node
 * with the right key is the right node.
 *
 * <p>A resize holds every segment lock (taken in order, by a writer that holds none), so writers wait
 * for it, as a {@code ConcurrentHashMap} writer that starts a resize transfers every bin itself; readers
 * never wait. It starts when the entries pass 3/4 of the bins. Each segment counts its own entries and
 * asks for the check when it passes its share, so a write never sums the counts; a segment whose keys
 * crowd its bins (hashes that agree in their low bits) passes its share before the table is full; each
 * segment is then given an equal part of the room left, so the check comes again before the table
 * passes 3/4 unchecked.
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
    /* Package-private: Segment's release stores through them pair with the reads' acquire loads here. */
    static final VarHandle NEXT;
    static final VarHandle BIN = MethodHandles.arrayElementVarHandle(Node[].class);
    static final VarHandle INDEX = MethodHandles.arrayElementVarHandle(BinIndex[].class);
    static final int MAX_TABLE_LENGTH = 1 << 30;

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

    /** Segments (write locks) per table: at least 16 and four per processor, at most 256; a power of two. */
    static final int SEGMENTS = segmentsFor(Runtime.getRuntime().availableProcessors());
    static final int SEGMENT_BITS = Integer.numberOfTrailingZeros(SEGMENTS);
    private static final int SEGMENT_MASK = SEGMENTS - 1;
    /** The fewest bins: four per segment. */
    private static final int MIN_TABLE_LENGTH = 4 * SEGMENTS;

    private final Segment<K, V>[] segments;
    /*
     * Every bin, of every segment. Volatile: lock-free readers load it first, and a resize publishes
     * the doubled table through it, before it cuts any chain. Written by grow only, every segment lock held.
     */
    volatile Node<K, V>[] table;

    @SuppressWarnings("unchecked")
    NodeTable(int initialCapacity) {
        // At most 2^30 bins at build, as ConcurrentHashMap caps its table: the capacity is a hint.
        int length = Math.max(MIN_TABLE_LENGTH, tableLengthFor(initialCapacity));
        table = (Node<K, V>[]) new Node<?, ?>[length];
        segments = (Segment<K, V>[]) new Segment<?, ?>[SEGMENTS];
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment<>(this, i, segmentThreshold(length));
        }
    }

    private static int segmentsFor(int processors) {
        int count = 16;
        while (count < 4 * processors && count < 256) {
            count <<= 1;
        }
        return count;
    }

    /**
     * The key's hash as the table uses it: spread as {@code ConcurrentHashMap} spreads it (high bits
     * folded into low); its low bits choose the bin, and the lowest of them the segment. Keys that
     * {@code ConcurrentHashMap} maps one-to-one onto its bins (small integers, say) are mapped
     * one-to-one here too, and take the segments in turn.
     */
    static int hash(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    // ---------------------------------------------------------------- lock-free reads

    /** Returns the node mapped to {@code key}, or null. Lock-free. */
    Node<K, V> get(Object key, int hash) {
        for (;;) {
            Node<K, V>[] tab = table; // volatile read: pairs with the resize's publication
            Node<K, V> node = first(tab, hash);
            int walked = 0;
            while (node != null) {
                if (node.hash == hash && (node.key == key || key.equals(node.key))) {
                    return node;
                }
                if (++walked == LONG_BIN) {
                    BinIndex<K, V> index = segments[hash & SEGMENT_MASK].indexOf(tab, hash);
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
            if (table == tab) {
                return null;
            }
        }
    }

    // ---------------------------------------------------------------- locked writes

    /**
     * The segment that holds {@code hash}'s bin. Writers lock it, decide from {@link Segment#find} (and
     * the clock, read under the lock so the decision holds at the instant the write takes effect), then
     * {@link Segment#link} or {@link Segment#unlink}; after unlocking, an insert calls {@link #growIfDue}.
     */
    Segment<K, V> segmentFor(int hash) {
        return segments[hash & SEGMENT_MASK];
    }

    /**
     * Doubles the table if {@code segment}'s last insert asked for it and the entries now pass 3/4 of
     * the bins. The caller holds no segment lock: this takes them all, in order.
     */
    void growIfDue(Segment<K, V> segment) {
        if (!segment.growDue) { // plain: a stale false only defers the check to the segment's next insert
            return;
        }
        for (Segment<K, V> s : segments) {
            s.lock();
        }
        try {
            Node<K, V>[] tab = table;
            long total = 0;
            for (Segment<K, V> s : segments) {
                total += s.count;
            }
            long full = (long) tab.length * 3 / 4;
            if (total > full && tab.length < MAX_TABLE_LENGTH) {
                grow(tab);
            } else {
                // Not full (keys crowd this segment's bins), or the table is as large as it gets.
                long headroom = tab.length < MAX_TABLE_LENGTH ? full - total : Integer.MAX_VALUE;
                for (Segment<K, V> s : segments) {
                    s.rearm(headroom);
                }
            }
        } finally {
            for (int i = segments.length - 1; i >= 0; i--) {
                segments[i].unlock();
            }
        }
    }

    /** Each segment's share of a table of {@code length} bins' threshold. */
    private static int segmentThreshold(int length) {
        return (int) ((long) length * 3 / 4 / SEGMENTS);
    }

    /** Doubles the table in place; see the class doc. Every segment lock held. */
    private void grow(Node<K, V>[] old) {
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
        // Every segment's indexes first (keys' compareTo runs there and may throw), then installed:
        // nothing has changed until all are built.
        @SuppressWarnings("unchecked")
        BinIndex<K, V>[][] split = (BinIndex<K, V>[][]) new BinIndex<?, ?>[segments.length][];
        for (int i = 0; i < segments.length; i++) {
            split[i] = segments[i].splitIndexes(old, doubled);
        }
        for (int i = 0; i < segments.length; i++) {
            segments[i].useIndexes(split[i]); // volatile writes, before the table's (null stays null)
        }
        // Volatile write: publishes the new table (and its array contents) before any chain is cut
        // (the cuts below are release stores, so ordered after it).
        table = doubled;
        int threshold = segmentThreshold(doubled.length);
        for (Segment<K, V> s : segments) {
            s.resized(threshold);
        }
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
        Node<K, V>[] tab = table; // volatile read
        int mask = tab.length - 1;
        for (int i = 0; i <= mask; i++) {
            for (Node<K, V> node = first(tab, i); node != null; node = nextOf(node)) {
                if ((node.hash & mask) != i) {
                    break; // the high run of a chain not yet cut: the sibling bin's nodes
                }
                if (counted.test(node) && ++n >= limit) {
                    return n;
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

    /**
     * The nodes mapped in one segment, by a lock-free walk, so that iteration never waits for a writer
     * (a compute function runs under the segment lock). Every node mapped for the whole walk is in
     * the list, once: a walk that a resize may have cut off (the segment's table changed meanwhile)
     * is retried, as a miss in {@link #get} is, and a bin still sharing its chain with its new
     * sibling during a resize contributes only its own nodes.
     */
    List<Node<K, V>> snapshot(int segmentIndex) {
        Segment<K, V> segment = segments[segmentIndex];
        for (;;) {
            Node<K, V>[] tab = table; // volatile read
            int mask = tab.length - 1;
            List<Node<K, V>> nodes = new ArrayList<>(Math.max(0, segment.countOpaque()));
            for (int i = segmentIndex; i <= mask; i += SEGMENTS) {
                for (Node<K, V> n = first(tab, i); n != null; n = nextOf(n)) {
                    if ((n.hash & mask) != i) {
                        break; // the high run of a chain not yet cut: the sibling bin's nodes
                    }
                    nodes.add(n);
                }
            }
            // The fence keeps the walk's loads before the re-read (see get).
            VarHandle.acquireFence();
            if (table == tab) {
                return nodes;
            }
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
}
