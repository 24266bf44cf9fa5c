package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A hierarchical timer wheel that finds expired nodes in O(1) amortized work per write, with lock-free
 * scheduling.
 *
 * <p>Five levels of 64 buckets each. A level-{@code i} bucket spans {@code 2^SHIFT[i]} ns: about 67 ms,
 * 4.3 s, 4.6 min, 4.9 h and 13 days; a node goes to the finest level whose 64 buckets reach its
 * deadline. When time enters a coarse bucket, maintenance moves its nodes down to finer levels; when
 * time leaves a level-0 bucket, its nodes are due and are expired. A node is so touched at most once
 * per level, and is reclaimed at most one level-0 span (about 67 ms) after its deadline once
 * maintenance runs. Nodes whose deadline lies beyond the coarsest level's 2.3-year reach alias into a
 * bucket that comes round earlier, and are simply rescheduled then.
 *
 * <p>Each node is in the wheel at most once: it is pushed when created, and a write that updates it in
 * place never pushes it again. That is why an in-place update may only move a deadline later (a write
 * that shortens it creates a new node, see {@link Writes}): a node is filed at or before its deadline,
 * and when the wheel reaches a node whose deadline has moved later it simply files it again, at most
 * once per level per move. Removed and replaced nodes stay in their buckets until the wheel meets them;
 * so that remove-and-reinsert cycles under long TTLs cannot fill memory with them, the wheel counts
 * what it holds, and maintenance {@link #sweep sweeps} it once it holds more than twice the live
 * entries (plus a slack): amortized O(1) per insert. Writers check that condition every few hundred
 * pushes (see {@link #schedule}); the resulting bound is {@link ExpiringCache#retentionBound}.
 *
 * <p>Concurrency: {@link #schedule} may run on any thread at any time: each bucket is a Treiber stack
 * (linked by {@link Node#wheelNext}) pushed with a CAS. Each bucket has {@link StripedCounter#STRIPES}
 * heads, chosen by thread, laid out stripe-major (each stripe's buckets apart from the others'), so
 * that threads inserting entries with the same TTL, which land in the same bucket, do not all CAS one
 * cache line. {@link #advance} runs only under the cache's maintenance lock and empties a bucket's
 * heads with one getAndSet each, so pushes and drains never need a lock.
 *
 * <p>A push that races with the drain of its own bucket lands in the emptied bucket and is found one
 * revolution of that level later: a writer preempted between placing its node and pushing it, at the
 * moment the wheel passes that bucket, delays the node's reclamation by one revolution of the level
 * it was placed on (64 buckets: 4.3 s at level 0, 4.6 min at level 1, 4.9 h at level 2, and so on).
 * This never lets a read return an expired value, because reads check the deadline themselves.
 */
final class TimerWheel<K, V> {
    static final int BUCKETS = 64;
    private static final int[] SHIFT = {26, 32, 38, 44, 50};
    private static final int LEVELS = SHIFT.length;

    /** The span of a level-0 bucket: the wheel's resolution, and so the reclamation slack. */
    static final long RESOLUTION_NANOS = 1L << SHIFT[0];

    private static final VarHandle BUCKET = MethodHandles.arrayElementVarHandle(Node[].class);

    /** Slots of one stripe: level {@code i}, bucket {@code j} is slot {@code i * BUCKETS + j}. */
    private static final int SLOTS = LEVELS * BUCKETS;

    /** All bucket heads, stripe-major: stripe {@code s}, slot {@code k} is at {@code s * SLOTS + k}. */
    private final Node<K, V>[] buckets;

    private static final VarHandle TIME;

    static {
        try {
            TIME = MethodHandles.lookup().findVarHandle(TimerWheel.class, "time", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Time up to which buckets have been processed; written by maintenance only. */
    @SuppressWarnings("unused") // also accessed through TIME
    private long time;

    /** Nodes pushed by writers (striped: every insert adds one); see {@link #size}. */
    private final StripedCounter scheduled = new StripedCounter();

    /** Nodes the wheel has let go of (expired, dropped as retired or never expiring); maintenance-owned. */
    private long released;

    /** Receives the nodes that {@link #advance} finds due. */
    interface Expirer<K, V> {
        /**
         * Called under the maintenance lock for a node whose deadline was at or before {@code now};
         * returns false if a write has since moved its deadline later (the wheel then files it again).
         */
        boolean expire(Node<K, V> node, long now);
    }

    @SuppressWarnings("unchecked")
    TimerWheel(long now) {
        buckets = (Node<K, V>[]) new Node<?, ?>[StripedCounter.STRIPES * SLOTS];
        time = now;
    }

    /**
     * Schedules {@code node}, created with the finite {@code deadline}, as seen from time {@code now}.
     * Any thread. Returns true every {@link StripedCounter#CHECK_INTERVAL} pushes of a stripe: the
     * caller should then check whether the wheel needs a {@link #sweep}.
     */
    boolean schedule(Node<K, V> node, long deadline, long now) {
        boolean check = scheduled.increment();
        push(node, deadline, now);
        return check;
    }

    /** The number of nodes in the wheel, live or removed; exact when no write is in flight. */
    long size() {
        return scheduled.sum() - released;
    }

    /**
     * Drops every removed or replaced node, and every node that no longer expires, from every bucket.
     * O(nodes held); maintenance lock held. Nodes pushed meanwhile land in emptied buckets and are kept.
     */
    void sweep() {
        for (int head = 0; head < buckets.length; head++) {
            @SuppressWarnings("unchecked")
            Node<K, V> node = (Node<K, V>) BUCKET.getAndSet(buckets, head, (Node<K, V>) null);
            while (node != null) {
                Node<K, V> next = node.wheelNext;
                long d = node.stableDeadline();
                if (node.isRetired() || d == Ttl.NEVER_NANOS) {
                    node.wheelNext = null;
                    released++;
                } else {
                    pushTo(head, node);
                }
                node = next;
            }
        }
    }

    private void push(Node<K, V> node, long deadline, long now) {
        // Opaque: place the node relative to the wheel's own time if it has moved past the writer's
        // reading of the clock, so the node does not land in a bucket the wheel has already passed.
        long wheelTime = (long) TIME.getOpaque(this);
        @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+
        int stripe = (int) Thread.currentThread().getId() & (StripedCounter.STRIPES - 1);
        pushTo(stripe * SLOTS + slotFor(deadline, Math.max(now, wheelTime)), node);
    }

    private void pushTo(int head, Node<K, V> node) {
        for (;;) {
            @SuppressWarnings("unchecked")
            Node<K, V> first = (Node<K, V>) BUCKET.getAcquire(buckets, head);
            node.wheelNext = first;
            // Full CAS: publishes node.wheelNext (and the node) to the drainer's getAndSet.
            if (BUCKET.compareAndSet(buckets, head, first, node)) {
                return;
            }
        }
    }

    /**
     * Moves the wheel to {@code now}: due nodes go to {@code expirer}, the rest move to finer levels.
     * A level-0 bucket is processed once time has left it; a coarser bucket as soon as time enters it,
     * so that its nodes reach level 0 before their deadlines rather than up to a bucket-span after.
     * Maintenance lock held.
     */
    void advance(long now, Expirer<K, V> expirer) {
        long previous = time;
        if (now <= previous) {
            return;
        }
        // Opaque: writers read it to place nodes; they need a recent value, not an ordered one.
        TIME.setOpaque(this, now);
        for (int level = 0; level < LEVELS; level++) {
            long previousTicks = previous >>> SHIFT[level];
            long currentTicks = now >>> SHIFT[level];
            if (currentTicks == previousTicks) {
                break; // coarser levels tick even less often
            }
            long first = level == 0 ? previousTicks : previousTicks + 1;
            int count = (int) Math.min(currentTicks - previousTicks, BUCKETS);
            for (int i = 0; i < count; i++) {
                drain(level * BUCKETS + (int) ((first + i) & (BUCKETS - 1)), now, expirer);
            }
        }
    }

    /**
     * Like {@link #advance}, then also expires the due nodes of the current level-0 bucket, which
     * {@code advance} leaves until time has passed it: after this call no due node remains scheduled
     * (barring a push that raced with it). For {@code cleanUp()}.
     */
    void advanceExactly(long now, Expirer<K, V> expirer) {
        advance(now, expirer);
        drain((int) ((Math.max(now, time) >>> SHIFT[0]) & (BUCKETS - 1)), Math.max(now, time), expirer);
    }

    private void drain(int slot, long now, Expirer<K, V> expirer) {
        for (int head = slot; head < buckets.length; head += SLOTS) {
            // Acquire via getAndSet: pairs with schedule()'s CAS so the nodes' links are visible.
            @SuppressWarnings("unchecked")
            Node<K, V> node = (Node<K, V>) BUCKET.getAndSet(buckets, head, (Node<K, V>) null);
            while (node != null) {
                Node<K, V> next = node.wheelNext;
                node.wheelNext = null;
                long d = node.stableDeadline();
                if (d == Node.REMOVED || d == Node.REPLACED || d == Ttl.NEVER_NANOS) {
                    released++; // left the table (its remover reported it), or no longer expires
                } else if (Node.isExpired(d, now) && expirer.expire(node, now)) {
                    released++;
                } else {
                    // Its deadline moved later, or its segment was busy: file it again. A busy node may
                    // carry the EXPIRED marker (a read pinned it), which is no time: file it at now.
                    long again = node.stableDeadline();
                    push(node, Node.isMarker(again) ? now : again, now);
                }
                node = next;
            }
        }
    }

    /** The time to call {@link #advance} next: the end of the current level-0 bucket. */
    long nextTick(long now) {
        return ((now >>> SHIFT[0]) + 1) << SHIFT[0];
    }

    private static int slotFor(long deadline, long now) {
        long delta = deadline - now;
        if (delta <= 0) {
            // Already due (its writer was descheduled while the wheel moved on): the current level-0
            // bucket, which the next advance or cleanUp() drains, not a bucket the wheel has passed.
            return (int) ((now >>> SHIFT[0]) & (BUCKETS - 1));
        }
        int level = 0;
        while (level < LEVELS - 1 && delta >= (1L << (SHIFT[level] + 6))) {
            level++;
        }
        return level * BUCKETS + (int) ((deadline >>> SHIFT[level]) & (BUCKETS - 1));
    }
}
