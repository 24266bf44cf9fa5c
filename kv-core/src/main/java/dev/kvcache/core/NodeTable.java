package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The hash table of a cache: nodes are the table's entries, so a hit costs the same pointer chases as
 * a {@link java.util.concurrent.ConcurrentHashMap} lookup and no more.
 *
 * <h2>Concurrency</h2>
 * The table is split into {@link Segment}s, each a chained hash table guarded by its own lock for writes.
 * Reads take no lock: they load the segment's table (from this table's own array of the segments'
 * table references, away from the lock state on the segment's cache line, which every write changes)
 * and follow the bin's chain with acquire loads,
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
    /* Package-private: Segment's release stores through them pair with the reads' acquire loads here. */
    static final VarHandle NEXT;
    static final VarHandle BIN = MethodHandles.arrayElementVarHandle(Node[].class);
    static final VarHandle INDEX = MethodHandles.arrayElementVarHandle(BinIndex[].class);
    static final VarHandle TABLES = MethodHandles.arrayElementVarHandle(Node[][].class);
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

    /** Segments per table: at least 16 and four per processor, at most 256; a power of two. */
    static final int SEGMENTS = segmentsFor(Runtime.getRuntime().availableProcessors());
    private static final int SEGMENT_BITS = Integer.numberOfTrailingZeros(SEGMENTS);

    private final Segment<K, V>[] segments;
    /*
     * Each segment's current table, by segment: what lock-free readers load first. Kept apart from the
     * Segment objects, whose lines hold the lock state every write changes (a reader on another core
     * would miss on it after each write to that segment), and one hop shorter. Written by a segment's
     * resize only (Segment#grow), with a volatile store before it cuts any chain.
     */
    private final Node<K, V>[][] tables;

    @SuppressWarnings("unchecked")
    NodeTable(int initialCapacity) {
        int segmentCount = SEGMENTS;
        segments = (Segment<K, V>[]) new Segment<?, ?>[segmentCount];
        tables = (Node<K, V>[][]) new Node<?, ?>[segmentCount][];
        // At most 2^30 slots in all at build, as ConcurrentHashMap caps its table: the capacity is a hint.
        int perSegment = Math.max(4, Math.min(MAX_TABLE_LENGTH / segmentCount,
                tableLengthFor(initialCapacity / segmentCount + 1)));
        for (int i = 0; i < segmentCount; i++) {
            segments[i] = new Segment<>(perSegment, tables, i);
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
     * folded into low), then rotated so that its lowest bits choose the segment (they end up on top)
     * and the next ones the bin. Keys that {@code ConcurrentHashMap} maps one-to-one onto its bins
     * (small integers, say) are so mapped one-to-one onto each segment's bins too, rather than
     * colliding at random as they would if the segment were drawn from all the bits.
     */
    static int hash(Object key) {
        int h = key.hashCode();
        return Integer.rotateRight(h ^ (h >>> 16), SEGMENT_BITS);
    }

    // ---------------------------------------------------------------- lock-free reads

    /** Returns the node mapped to {@code key}, or null. Lock-free. */
    Node<K, V> get(Object key, int hash) {
        int slot = hash >>> (32 - SEGMENT_BITS); // the segment (see segmentFor)
        for (;;) {
            Node<K, V>[] table = tableOf(slot);
            Node<K, V> node = first(table, hash);
            int walked = 0;
            while (node != null) {
                if (node.hash == hash && (node.key == key || key.equals(node.key))) {
                    return node;
                }
                if (++walked == LONG_BIN) {
                    BinIndex<K, V> index = segments[slot].indexOf(table, hash);
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
            if (tableOf(slot) == table) {
                return null;
            }
        }
    }

    /** Segment {@code slot}'s current table, for lock-free readers. */
    @SuppressWarnings("unchecked")
    private Node<K, V>[] tableOf(int slot) {
        // Acquire: pairs with the resize's volatile store, so the new table's contents are visible.
        return (Node<K, V>[]) TABLES.getAcquire(tables, slot);
    }

    // ---------------------------------------------------------------- locked writes

    /**
     * The segment that holds {@code hash}'s bin. Writers lock it, decide from {@link Segment#find} (and
     * the clock, read under the lock so the decision holds at the instant the write takes effect), then
     * {@link Segment#link} or {@link Segment#unlink}.
     */
    Segment<K, V> segmentFor(int hash) {
        return segments[hash >>> (32 - SEGMENT_BITS)]; // the spread hash's lowest bits (see hash)
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
            Node<K, V>[] table = segment.table; // volatile read
            int mask = table.length - 1;
            List<Node<K, V>> nodes = new ArrayList<>(Math.max(0, segment.countOpaque()));
            for (int i = 0; i <= mask; i++) {
                for (Node<K, V> n = first(table, i); n != null; n = nextOf(n)) {
                    if ((n.hash & mask) != i) {
                        break; // the high run of a chain not yet cut: the sibling bin's nodes
                    }
                    nodes.add(n);
                }
            }
            // The fence keeps the walk's loads before the re-read (see get).
            VarHandle.acquireFence();
            if (segment.table == table) {
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
