package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Maintenance: draining the write buffer into the eviction policy, advancing the timer wheel to
 * reclaim expired nodes, sweeping removed nodes out of the wheel, and evicting to the bound.
 *
 * <p>All of it runs under one maintenance lock, which is taken with {@code tryLock} (except by
 * {@link #cleanUp()}, the policy's calls and a bounded cache's writer under back-pressure), so no read
 * waits for another's maintenance. Who runs it:
 * <ul>
 *   <li>a bounded cache's writer, after every write, so that the bound is restored before the last
 *       concurrent write returns (a writer whose {@code tryLock} fails leaves its node to the holder,
 *       who re-checks the write buffer after unlocking; once {@link #BACKLOG_LIMIT} writes have been
 *       left so, the next writer waits for the lock instead, so writers cannot outrun eviction);
 *   <li>an unbounded cache's writer once a wheel tick has passed, or when the wheel holds too many
 *       removed nodes (see {@link #SWEEP_SLACK});
 *   <li>a read that finds a wheel tick has passed: it hands the work to the cache's executor if one is
 *       set (one task at a time), and otherwise runs it itself if no other thread is;
 *   <li>the scheduler, if one is set, about every wheel tick; {@link #cleanUp()} on demand.
 * </ul>
 * The removals found are delivered by the {@link RemovalNotifier} after the lock is released. A thread
 * running a compute function of the cache never runs maintenance (it holds a segment lock that
 * maintenance may need). A pass waits for a segment lock only as long as a write holds one
 * ({@link Segment#tryLockForMaintenance}) and leaves a node whose segment is held longer (by a compute
 * function, a resize or a descheduled writer) for a later pass, so that whoever waits for the
 * maintenance lock never waits for a compute function through it. {@link #cleanUp()} and
 * {@link #setMaximum}, which promise a restored bound, then wait for that segment's lock, holding no
 * other, and pass again while holding it.
 */
final class Maintenance<K, V> {
    /**
     * Passes after which a call that keeps finding writes left to it makes writers wait for the lock
     * instead (an unbounded cache's sweep checks stop there).
     */
    private static final int MAX_PASSES = 8;

    /** Passes after which a call returns whatever it finds: it is not kept here indefinitely. */
    private static final int PASS_CAP = 8 * MAX_PASSES;

    /**
     * Removed nodes the timer wheel may hold beyond twice the live entries before it is swept. With
     * the wheel's check every {@link StripedCounter#CHECK_INTERVAL} pushes per stripe, the wheel never
     * holds more than {@link ExpiringCache#retentionBound} nodes between sweeps (see there).
     */
    static final long SWEEP_SLACK = 1024;

    /**
     * Writes a bounded cache's writers may leave to the thread holding the maintenance lock, since that
     * thread last drained the write buffer, before a writer waits for the lock and drains them itself.
     * Without this back-pressure two writers outran the drain and a 5 000-entry cache held 450 000.
     */
    static final int BACKLOG_LIMIT = 32;

    private static final VarHandle HANDOFF_PENDING;
    private static final VarHandle BACKLOG;
    private static final VarHandle WEIGHTED_SIZE;

    static {
        try {
            HANDOFF_PENDING = MethodHandles.lookup().findVarHandle(Maintenance.class, "handoffPending", boolean.class);
            BACKLOG = MethodHandles.lookup().findVarHandle(Maintenance.class, "backlog", int.class);
            WEIGHTED_SIZE = MethodHandles.lookup().findVarHandle(Maintenance.class, "weightedSize", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ExpiringCache<K, V> cache;
    private final TimerWheel<K, V> wheel;
    private final S3FifoPolicy<K, V> policy;
    private final WriteBuffer<K, V> writeBuffer;
    private final RemovalNotifier<K, V> notifier;
    private final Executor executor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Runnable handoff = this::runHandedOff;
    /* Made once, not per pass: a bounded cache's writer runs a pass after every write, allocating nothing. */
    private final TimerWheel.Expirer<K, V> expirer = this::expire;
    private final S3FifoPolicy.Evictor<K, V> evictor = this::evict;

    /** The time of the pass in progress; maintenance-lock-owned. */
    private long passTime;

    /**
     * A segment the pass in progress found held too long to wait for (a busy node was left), or null;
     * maintenance-lock-owned. {@code cleanUp} and {@code setMaximum} wait for it after unlocking.
     */
    private Segment<K, V> busySegment;

    /**
     * The segments found busy in the pass in progress, a bit each: their other nodes are passed by at
     * once, without another spin, so a pass meets a compute function's segment at the cost of one wait.
     * Maintenance-lock-owned, cleared by each pass that set a bit.
     */
    private final long[] busySegments = new long[(NodeTable.SEGMENTS + 63) >>> 6];

    /** Times {@code cleanUp} and {@code setMaximum} wait for a busy segment and pass again, at most. */
    private static final int BUSY_RETRIES = 16;

    /** The policy's total weight at the end of the last pass; written under the lock, read without. */
    @SuppressWarnings("unused") // accessed through WEIGHTED_SIZE
    private long weightedSize;

    /** Whether a read's hand-off to the executor is queued and not yet run; CAS by readers. */
    @SuppressWarnings("unused") // accessed through HANDOFF_PENDING
    private volatile boolean handoffPending;

    /** Writes left to the lock holder since the write buffer was last taken; see {@link #BACKLOG_LIMIT}. */
    @SuppressWarnings("unused") // accessed through BACKLOG
    private volatile int backlog;

    Maintenance(ExpiringCache<K, V> cache, Executor executor) {
        this.cache = cache;
        this.wheel = cache.wheel;
        this.policy = cache.policy;
        this.writeBuffer = cache.writeBuffer;
        this.notifier = cache.notifier;
        this.executor = executor;
    }

    /**
     * Completes a write of {@code key}: {@code created} is the node it linked (null for an in-place
     * update or a removal), {@code previous} the value it took out (null if none), {@code previousWeight} its weight as weighed when written, and {@code cause}
     * why; {@code stored} whether it stored a value. Bookkeeping first (statistics, wheel), then the
     * notification, then maintenance if due, so that nothing the listener does can skip the
     * bookkeeping. A bounded cache's writer pushed its events onto the write buffer under the lock.
     */
    void afterWrite(Node<K, V> created, boolean stored, V previous, int previousWeight, RemovalCause cause, K key,
            long deadline, long now) {
        boolean sweepCheck = false;
        if (stored) {
            cache.stats.recordPut();
        }
        if (created != null && deadline != Ttl.NEVER_NANOS) {
            sweepCheck = wheel.schedule(created, deadline, now);
        }
        if (previous != null) {
            notifier.notify(key, previous, cause, previousWeight);
        }
        if (policy != null) {
            maintainAfterBoundedWrite();
        } else if (cache.isMaintenanceDue(now) || (sweepCheck && sweepDue())) {
            maintainIfIdle();
        }
    }

    /** A read found maintenance due: hand it to the executor, or run it here without waiting. */
    void afterReadDue() {
        if (executor == null) {
            maintainIfIdle();
        } else if (HANDOFF_PENDING.compareAndSet(this, false, true)) {
            try {
                executor.execute(handoff);
            } catch (Throwable t) {
                handoffPending = false; // refused: a later operation tries again
            }
        }
    }

    private void runHandedOff() {
        handoffPending = false;
        maintainIfIdle();
    }

    /**
     * {@link Policy#weightedSize()} of a bounded cache: the policy's total as the last maintenance pass
     * left it (published at the end of each pass), so it takes no lock: a reader holding the lock would
     * defeat a writer's {@code tryLock} and leave that writer's entry to a holder that never drains.
     */
    long weightedSize() {
        requireNotComputing("weightedSize()"); // refused inside a compute function, as documented
        return (long) WEIGHTED_SIZE.getAcquire(this);
    }

    /**
     * {@link Policy#setMaximum}: changes the bound and evicts to it on this thread, under the lock,
     * before returning (writes still in flight on other threads are evicted by their own maintenance).
     */
    void setMaximum(long maximum) {
        requireNotComputing("setMaximum");
        lock.lock();
        try {
            policy.setMaximumWeight(maximum);
        } finally {
            lock.unlock();
        }
        passUntilDone(false);
    }

    /**
     * {@link Policy#hottest} and {@link Policy#coldest}: drains the write buffer first (so that every
     * write that returned before the call is ranked), then ranks the queues under the lock.
     */
    List<K> ranked(int n, boolean hottest) {
        requireNotComputing(hottest ? "hottest" : "coldest");
        List<RemovalNotifier.Removal<K, V>> removals;
        List<K> keys;
        lock.lock();
        try {
            maintain(false);
            removals = notifier.takePending();
            long now = cache.now();
            Predicate<BoundedNode<K, V>> live = node -> !Node.isExpired(node.stableDeadline(), now); // markers count as expired
            keys = hottest ? policy.hottest(n, live) : policy.coldest(n, live);
        } finally {
            lock.unlock();
        }
        notifier.deliver(removals);
        drainLeftovers();
        return List.copyOf(keys);
    }

    /** Refuses a call that takes the lock from inside a compute function, whose segment lock maintenance may need. */
    private void requireNotComputing(String method) {
        if (cache.writes.isComputing()) {
            throw new IllegalStateException("policy()." + method + " was called from a compute function of the"
                    + " same cache; call it outside the function");
        }
    }

    /** {@link KvCache#cleanUp()}: waits for the lock, then reclaims every expired node it can find. */
    void cleanUp() {
        cache.writes.requireNotComputing("cleanUp()");
        passUntilDone(true);
    }

    /**
     * Passes until no node was left busy: after a pass that left one, takes that node's segment lock
     * (waiting out the compute function, resize or descheduled writer holding it) and holds it through
     * the next pass, so that a stream of short compute functions cannot take it back in between. Taking
     * the maintenance lock while holding a segment's is safe here: no holder of the maintenance lock waits
     * for a segment lock longer than a write holds one. At most {@link #BUSY_RETRIES} rounds; then drains
     * what writers left meanwhile.
     */
    private void passUntilDone(boolean exact) {
        Segment<K, V> held = null;
        for (int round = 0; ; round++) {
            List<RemovalNotifier.Removal<K, V>> removals;
            Segment<K, V> busy;
            try {
                lock.lock();
                try {
                    maintain(exact); // the held segment is this thread's: its nodes are not busy
                    removals = notifier.takePending();
                    busy = busySegment;
                } finally {
                    lock.unlock();
                }
            } finally {
                if (held != null) {
                    held.unlock();
                    held = null;
                }
            }
            notifier.deliver(removals); // no lock held: the listener may wait for anyone
            if (busy == null || round == BUSY_RETRIES) {
                break;
            }
            busy.lock();
            held = busy;
        }
        drainLeftovers();
    }

    /**
     * After a call that held the lock for its own purpose: writers whose {@code tryLock} it defeated
     * left their entries to it, so drain them now, as a writer holding the lock would have.
     */
    private void drainLeftovers() {
        if (writeBuffer != null && !writeBuffer.isEmpty()) {
            runIfIdle(false);
        }
    }

    /**
     * Runs maintenance unless another thread is: never waits. After unlocking it checks the write buffer
     * again and drains what writers left to it meanwhile, until the buffer is empty or another thread
     * holds the lock (which then does the same), so a write left to it is never left to no one. Once it
     * has drained {@link #MAX_PASSES} times, writers that find the lock taken wait for it instead of
     * leaving their writes here, so the re-checks end; {@link #PASS_CAP} passes end them in any case.
     */
    void maintainIfIdle() {
        runIfIdle(false);
    }

    /**
     * A bounded cache's writer: as {@link #maintainIfIdle()}, but once {@link #BACKLOG_LIMIT} writes have
     * been left to the thread holding the lock since its last drain, waits for the lock and drains
     * itself, so that writers cannot outrun eviction. Safe from inside a compute function of another
     * cache (or a loader): no holder of this lock waits for a segment lock longer than a write holds one
     * (see the class doc), so the wait always ends. Called holding no segment lock of this cache.
     */
    private void maintainAfterBoundedWrite() {
        runIfIdle(true);
    }

    private void runIfIdle(boolean mayWait) {
        if (cache.writes.isComputing()) {
            return;
        }
        int passes = 0;
        do {
            if (!lock.tryLock()) {
                if (!mayWait || passes > 0 || (int) BACKLOG.getAndAdd(this, 1) < BACKLOG_LIMIT) {
                    return; // the holder drains what this thread left: it checks again after unlocking
                }
                lock.lock();
            }
            List<RemovalNotifier.Removal<K, V>> removals;
            try {
                maintain(false);
                removals = notifier.takePending();
                if (++passes >= MAX_PASSES && writeBuffer != null) {
                    BACKLOG.setVolatile(this, BACKLOG_LIMIT); // writers now wait rather than call on this thread
                }
            } finally {
                lock.unlock();
            }
            notifier.deliver(removals);
        } while (writeBuffer != null ? passes < PASS_CAP && !writeBuffer.isEmpty()
                : passes < MAX_PASSES && sweepDue());
    }

    /** Whether the wheel holds so many removed nodes that it should be swept now. */
    private boolean sweepDue() {
        return wheel.size() > 2 * cache.table.size() + SWEEP_SLACK;
    }

    /**
     * Drains the write buffer, reclaims expired nodes and evicts to the bound. Lock held.
     *
     * @param exact whether to reclaim the current wheel bucket's due nodes too ({@code cleanUp})
     */
    private void maintain(boolean exact) {
        if (busySegment != null) {
            busySegment = null;
            Arrays.fill(busySegments, 0L);
        }
        long now = cache.now();
        if (writeBuffer != null) {
            backlog = 0; // before the take: a write counted from now on is in a later one
            BoundedNode<K, V> node = writeBuffer.takeAll();
            while (node != null) {
                BoundedNode<K, V> next = node.queueNext;
                node.queueNext = null;
                policy.onWrite(node);
                node = next;
            }
        }
        if (exact) {
            wheel.advanceExactly(now, expirer);
        } else {
            wheel.advance(now, expirer);
        }
        if (sweepDue()) {
            wheel.sweep(); // removed nodes outnumber live ones: drop them now, not at their deadlines
        }
        if (policy != null) {
            passTime = now;
            policy.evictExcess(evictor);
            WEIGHTED_SIZE.setRelease(this, policy.weightedSize());
        }
        cache.setNextMaintenance(wheel.nextTick(now));
    }

    /**
     * The wheel found {@code node} due at {@code now}; returns false if a write extended its deadline
     * meanwhile, or its segment was busy (the wheel then files it again). Lock held.
     */
    private boolean expire(Node<K, V> node, long now) {
        Writes.Unlinked<V> out = unlinkUnlessBusy(node, now, RemovalCause.EXPIRED, true);
        if (out == Writes.Unlinked.BUSY || out == Writes.Unlinked.NOT_DUE) {
            return false;
        }
        if (out != null) {
            notifier.pend(node.key, out.value(), out.cause(), out.weight());
            if (policy != null) {
                policy.onDead((BoundedNode<K, V>) node);
            }
        }
        return true;
    }

    /**
     * Unlinks {@code node} as a pass does: {@link Writes.Unlinked#BUSY} at once if its segment was found
     * busy earlier in the pass, and marks the segment if it is found busy now. Lock held.
     */
    @SuppressWarnings("unchecked")
    private Writes.Unlinked<V> unlinkUnlessBusy(Node<K, V> node, long now, RemovalCause cause, boolean onlyIfDue) {
        Segment<K, V> segment = cache.table.segmentFor(node.hash);
        if (isBusy(segment)) {
            return (Writes.Unlinked<V>) Writes.Unlinked.BUSY;
        }
        Writes.Unlinked<V> out = cache.writes.unlinkIfCurrent(node, now, cause, onlyIfDue, false, false);
        if (out == Writes.Unlinked.BUSY) {
            markBusy(segment);
        }
        return out;
    }

    private boolean isBusy(Segment<K, V> segment) {
        return busySegment != null && (busySegments[segment.slot >>> 6] & (1L << segment.slot)) != 0;
    }

    private void markBusy(Segment<K, V> segment) {
        busySegments[segment.slot >>> 6] |= 1L << segment.slot;
        busySegment = segment;
    }

    /** The policy chose {@code node} to evict. Lock held. */
    private int evict(BoundedNode<K, V> node) {
        Writes.Unlinked<V> out = unlinkUnlessBusy(node, passTime, RemovalCause.SIZE, false);
        if (out == null) {
            return S3FifoPolicy.DEAD; // replaced or removed meanwhile: that thread reports it
        }
        if (out == Writes.Unlinked.BUSY) {
            return S3FifoPolicy.BUSY;
        }
        notifier.pend(node.key, out.value(), out.cause(), out.weight());
        return S3FifoPolicy.EVICTED;
    }

    /**
     * The scheduler's periodic task. Holds the cache weakly so that a cache its owner dropped without
     * closing can still be collected; the task then cancels itself.
     */
    static final class ScheduledCleanUp implements Runnable {
        private final WeakReference<ExpiringCache<?, ?>> cache;

        ScheduledCleanUp(ExpiringCache<?, ?> cache) {
            this.cache = new WeakReference<>(cache);
        }

        @Override
        public void run() {
            ExpiringCache<?, ?> c = cache.get();
            if (c == null) {
                throw new IllegalStateException("cache collected"); // ends a fixed-delay schedule
            }
            c.maintenance.maintainIfIdle();
        }
    }
}
