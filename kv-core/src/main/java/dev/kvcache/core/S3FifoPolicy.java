package dev.kvcache.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The S3-FIFO eviction policy (Yang et al., "FIFO queues are all you need for cache eviction",
 * SOSP 2023), by weight. Maintenance-owned: every method runs under the cache's maintenance lock, so
 * nothing here is synchronized.
 *
 * <ul>
 *   <li>A new entry enters the <em>small</em> queue (a tenth of the maximum weight), unless its key is
 *       in the <em>ghost</em> list of recently evicted keys, in which case it enters <em>main</em>.
 *   <li>When the small queue is over its share, its oldest entry moves to main if it was read while in
 *       small, and is evicted (its key remembered as a ghost) if not. One-hit wonders and scans so
 *       leave quickly without disturbing main.
 *   <li>Main is a CLOCK: its oldest entry, if read since it was last looked at, gets another round
 *       (its counter decremented); otherwise it is evicted.
 * </ul>
 * Reads only bump a node's saturating counter ({@link BoundedNode#recordAccess()}); they never touch
 * the queues, which is what keeps reads lock-free.
 *
 * <p>An overwrite keeps its node, so the key keeps its place and counter; a weighted one sends a
 * reweigh marker. A node removed by a write reaches the policy as a tombstone, after its own insert
 * (both are pushed under the key's segment lock); one expired or evicted by maintenance is unlinked
 * by maintenance itself. A dead node found at the end of a queue is dropped.
 */
final class S3FifoPolicy<K, V> {
    /* Written under the maintenance lock (setMaximumWeight); volatile so Policy.maximum() reads it without. */
    private volatile long maximumWeight;
    private long smallMaximumWeight;
    private final Queue<K, V> small = new Queue<>(BoundedNode.SMALL);
    private final Queue<K, V> main = new Queue<>(BoundedNode.MAIN);
    private final Ghosts ghosts;

    /** {@link Evictor#evict}: the node was mapped and is now evicted. */
    static final int EVICTED = 0;
    /** {@link Evictor#evict}: the node was already dead (replaced or removed meanwhile). */
    static final int DEAD = 1;
    /** {@link Evictor#evict}: the node's segment was held too long to wait for; it stays, for a later pass. */
    static final int BUSY = 2;

    /** Evicts a live node: removes it from the map if it is still the mapping, reporting the outcome. */
    interface Evictor<K, V> {
        /** @return {@link #EVICTED}, {@link #DEAD} or {@link #BUSY} */
        int evict(BoundedNode<K, V> node);
    }

    S3FifoPolicy(long maximumWeight, boolean weighted) {
        this.maximumWeight = maximumWeight;
        this.smallMaximumWeight = maximumWeight / 10;
        // The ghost list remembers about as many keys as the main queue holds, capped at 2^20 slots.
        long expectedEntries = weighted ? Math.min(maximumWeight, 1 << 16) : maximumWeight;
        this.ghosts = new Ghosts((int) Math.min(expectedEntries, 1 << 20));
    }

    long weightedSize() {
        return small.weight + main.weight;
    }

    long maximumWeight() {
        return maximumWeight;
    }

    /**
     * Changes the bound (and the small queue's tenth of it); the caller evicts to it next. The ghost
     * list keeps the size it was built with: it only makes re-admission smarter, never the bound.
     */
    void setMaximumWeight(long maximumWeight) {
        this.maximumWeight = maximumWeight;
        this.smallMaximumWeight = maximumWeight / 10;
    }

    /**
     * Up to {@code n} live queued keys, hottest first: the main queue (entries read again while in
     * the small one) before the small queue, within a queue a higher access count first, and among
     * equal counts the newer first. {@link #coldest} is the exact reverse, which is roughly the order
     * in which S3-FIFO would evict them. Each node's count is read once, so a read racing the walk
     * cannot make a key appear twice or not at all. O(entries held); allocates O(n).
     */
    List<K> hottest(int n, Predicate<BoundedNode<K, V>> live) {
        List<K> keys = new ArrayList<>(Math.min(n, 1024));
        ranked(main, true, n, live, keys);
        ranked(small, true, n, live, keys);
        return keys;
    }

    /** The reverse of {@link #hottest}: the small queue's oldest unread entries first. */
    List<K> coldest(int n, Predicate<BoundedNode<K, V>> live) {
        List<K> keys = new ArrayList<>(Math.min(n, 1024));
        ranked(small, false, n, live, keys);
        ranked(main, false, n, live, keys);
        return keys;
    }

    /** Appends one queue's keys to {@code keys}, bucketed by access count, until it holds {@code n}. */
    @SuppressWarnings("unchecked")
    private static <K, V> void ranked(Queue<K, V> queue, boolean hottest, int n,
            Predicate<BoundedNode<K, V>> live, List<K> keys) {
        int wanted = n - keys.size();
        if (wanted <= 0) {
            return;
        }
        List<K>[] byFrequency = new List[BoundedNode.MAX_FREQUENCY + 1];
        for (BoundedNode<K, V> node = hottest ? queue.newest : queue.oldest; node != null;
                node = hottest ? node.queueNext : node.queuePrev) {
            int f = node.frequency;
            List<K> bucket = byFrequency[f];
            if (bucket == null) {
                bucket = byFrequency[f] = new ArrayList<>();
            }
            if (bucket.size() < wanted && live.test(node)) { // a bucket never needs more than n
                bucket.add(node.key);
            }
        }
        for (int i = 0; i <= BoundedNode.MAX_FREQUENCY; i++) {
            List<K> bucket = byFrequency[hottest ? BoundedNode.MAX_FREQUENCY - i : i];
            if (bucket != null) {
                keys.addAll(bucket.subList(0, Math.min(bucket.size(), n - keys.size())));
            }
        }
    }

    /**
     * Takes one event drained from the write buffer: a new node to admit, or a {@link BoundedNode.Marker}
     * about a node drained before it (each key's events arrive in the order they took effect).
     */
    void onWrite(BoundedNode<K, V> node) {
        if (node instanceof BoundedNode.Marker<K, V> marker) {
            BoundedNode<K, V> subject = marker.subject;
            if (marker.tombstone) {
                onDead(subject);
            } else if (subject.isQueued()) {
                (subject.queue == BoundedNode.SMALL ? small : main).reweigh(subject, marker.weight);
            }
            return;
        }
        if (node.queue == BoundedNode.DROPPED) {
            return; // expired by the wheel, or removed, before maintenance saw its insert
        }
        if (ghosts.contains(node.key.hashCode())) {
            main.addNewest(node);
        } else {
            small.addNewest(node);
        }
    }

    /** Unlinks a node that left the map (expired, or retired by another thread). Idempotent. */
    void onDead(BoundedNode<K, V> node) {
        if (node.queue == BoundedNode.SMALL) {
            small.unlink(node);
        } else if (node.queue == BoundedNode.MAIN) {
            main.unlink(node);
        }
        node.queue = BoundedNode.DROPPED;
    }

    /**
     * Evicts until the total weight is within the maximum, or until every entry left is busy. A busy
     * victim (its segment held by a compute function, say) is set aside for the rest of the pass, so the
     * pass evicts the next ones in its place and meets each busy node once; the busy ones then go back
     * to the old ends of their queues, first in line for the next pass.
     */
    void evictExcess(Evictor<K, V> evictor) {
        BoundedNode<K, V> busy = null; // set aside, linked through queueNext, last first
        long busyWeight = 0;
        while (weightedSize() + busyWeight > maximumWeight && !(small.isEmpty() && main.isEmpty())) {
            BoundedNode<K, V> skipped = small.weight > smallMaximumWeight || main.isEmpty()
                    ? evictFromSmall(evictor) : evictFromMain(evictor);
            if (skipped != null) {
                skipped.queueNext = busy;
                busy = skipped;
                busyWeight += skipped.weight;
            }
        }
        while (busy != null) { // last set aside first, so the first ends up oldest
            BoundedNode<K, V> next = busy.queueNext;
            (busy.queue == BoundedNode.SMALL ? small : main).addOldest(busy);
            busy = next;
        }
    }

    /** @return the victim if it was busy (unlinked, its {@code queue} still naming this queue), else null */
    private BoundedNode<K, V> evictFromSmall(Evictor<K, V> evictor) {
        while (!small.isEmpty()) {
            BoundedNode<K, V> oldest = small.oldest();
            if (oldest.isRetired()) {
                onDead(oldest);
                return null;
            }
            if (oldest.frequency > 0) {
                small.unlink(oldest);
                oldest.frequency = 0;
                main.addNewest(oldest);
                if (main.weight > maximumWeight - smallMaximumWeight && !main.isEmpty()) {
                    return evictFromMain(evictor);
                }
                continue;
            }
            small.unlink(oldest);
            oldest.queue = BoundedNode.DROPPED;
            int outcome = evictor.evict(oldest);
            if (outcome == BUSY) {
                oldest.queue = BoundedNode.SMALL;
                return oldest;
            }
            if (outcome == EVICTED) {
                ghosts.add(oldest.key.hashCode());
            }
            return null;
        }
        return null;
    }

    /** @return the victim if it was busy (unlinked, its {@code queue} still naming this queue), else null */
    private BoundedNode<K, V> evictFromMain(Evictor<K, V> evictor) {
        while (!main.isEmpty()) {
            BoundedNode<K, V> oldest = main.oldest();
            if (oldest.isRetired()) {
                onDead(oldest);
                return null;
            }
            if (oldest.frequency > 0) {
                oldest.frequency--;
                main.moveToNewest(oldest);
                continue;
            }
            main.unlink(oldest);
            oldest.queue = BoundedNode.DROPPED;
            if (evictor.evict(oldest) == BUSY) {
                oldest.queue = BoundedNode.MAIN;
                return oldest;
            }
            return null;
        }
        return null;
    }

    /** A doubly-linked FIFO of nodes with its total weight; newest at the head. */
    private static final class Queue<K, V> {
        private final byte id;
        private BoundedNode<K, V> newest;
        private BoundedNode<K, V> oldest;
        long weight;

        Queue(byte id) {
            this.id = id;
        }

        boolean isEmpty() {
            return oldest == null;
        }

        BoundedNode<K, V> oldest() {
            return oldest;
        }

        void addNewest(BoundedNode<K, V> node) {
            node.queue = id;
            node.queuePrev = null;
            node.queueNext = newest;
            if (newest != null) {
                newest.queuePrev = node;
            } else {
                oldest = node;
            }
            newest = node;
            weight += node.weight;
        }

        void addOldest(BoundedNode<K, V> node) {
            node.queue = id;
            node.queueNext = null;
            node.queuePrev = oldest;
            if (oldest != null) {
                oldest.queueNext = node;
            } else {
                newest = node;
            }
            oldest = node;
            weight += node.weight;
        }

        void unlink(BoundedNode<K, V> node) {
            BoundedNode<K, V> prev = node.queuePrev;
            BoundedNode<K, V> next = node.queueNext;
            if (prev != null) {
                prev.queueNext = next;
            } else {
                newest = next;
            }
            if (next != null) {
                next.queuePrev = prev;
            } else {
                oldest = prev;
            }
            node.queuePrev = null;
            node.queueNext = null;
            node.queue = BoundedNode.UNLINKED;
            weight -= node.weight;
        }

        void moveToNewest(BoundedNode<K, V> node) {
            if (node != newest) {
                unlink(node);
                addNewest(node);
            }
        }

        /** Changes a queued node's counted weight. */
        void reweigh(BoundedNode<K, V> node, int newWeight) {
            weight += newWeight - node.weight;
            node.weight = newWeight;
        }
    }

    /**
     * Fingerprints of recently evicted keys: a direct-mapped table where a newer key overwrites an older
     * one in the same slot, an O(1), allocation-free approximation of the ghost FIFO.
     */
    private static final class Ghosts {
        private final int[] fingerprints;
        private final int mask;

        Ghosts(int expectedEntries) {
            int size = Integer.highestOneBit(Math.max(16, expectedEntries - 1) << 1);
            fingerprints = new int[size];
            mask = size - 1;
        }

        void add(int hash) {
            int f = fingerprint(hash);
            fingerprints[f & mask] = f;
        }

        boolean contains(int hash) {
            int f = fingerprint(hash);
            return fingerprints[f & mask] == f;
        }

        private static int fingerprint(int hash) {
            int h = hash * 0x9E3779B9; // spread, so that sequential keys do not share low bits
            h ^= h >>> 16;
            return h == 0 ? 1 : h; // 0 marks an empty slot
        }
    }
}
