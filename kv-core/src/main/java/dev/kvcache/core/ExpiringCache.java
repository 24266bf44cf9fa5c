package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The cache engine behind {@link KvCache}.
 *
 * <h2>Concurrency</h2>
 * A {@link NodeTable} maps each key to an immutable {@link Node} per write (value and deadline
 * together). A write locks the key's table segment, reads the ticker, decides, and takes effect with one
 * CAS on the current node's state (pointing it at its successor: the new node, or {@link Node#REMOVED})
 * before relinking the table; it serializes only with writes to the same segment. A read is a
 * lock-free table lookup that follows successors to the key's current node and compares its deadline
 * with a fresh ticker reading: no lock, no allocation, no retry loop. A read that finds a live node past
 * its deadline pins that with a CAS, so a write that read the ticker earlier cannot take effect as if
 * the entry were still live (see {@link Node}). The thread whose CAS retires a node reports the removal,
 * so every removal is reported exactly once. Loads ({@code get(key, loader)}) are deduplicated through
 * a small map of in-flight loads, so a slow loader blocks only the callers waiting for the same key.
 *
 * <h2>Expiration</h2>
 * Time is the ticker's reading minus the cache's origin, so it starts near zero and a deadline of
 * {@link Long#MAX_VALUE} means "never". Reads compare the deadline themselves, which makes expiry exact;
 * the {@link TimerWheel} only reclaims memory. Writers push their node onto the wheel with a CAS; the
 * wheel is advanced under the maintenance lock, taken with {@code tryLock} by whichever operation
 * notices that a wheel tick has passed, so no operation ever waits for it.
 *
 * <h2>Eviction</h2>
 * A bounded cache also pushes each new node onto a lock-free {@link WriteBuffer}; the maintenance lock
 * holder drains it into the {@link S3FifoPolicy} queues and evicts down to the bound. Writers try the
 * lock after every write; a writer that fails leaves its node to the holder, who re-checks the buffer
 * after unlocking, so the bound is restored before the last concurrent write returns.
 */
final class ExpiringCache<K, V> implements KvCache<K, V> {
    private static final VarHandle NEXT_MAINTENANCE;
    private static final System.Logger LOGGER = System.getLogger("dev.kvcache.core");

    /** How many times one call drains the write buffer before leaving the rest to later operations. */
    private static final int MAX_MAINTENANCE_PASSES = 8;

    /** Superseded nodes the timer wheel may hold beyond twice the live entries before a sweep. */
    private static final long SWEEP_SLACK = 1024;

    static {
        try {
            NEXT_MAINTENANCE = MethodHandles.lookup()
                    .findVarHandle(ExpiringCache.class, "nextMaintenance", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NodeTable<K, V> table;
    private final ConcurrentHashMap<K, Loading<V>> loading = new ConcurrentHashMap<>();
    private final Ticker ticker;
    private final long origin;
    private final long defaultTtlNanos;
    private final Weigher<? super K, ? super V> weigher;
    private final TimerWheel<K, V> wheel;
    private final S3FifoPolicy<K, V> policy;
    private final WriteBuffer<K, V> writeBuffer;
    private final ReentrantLock maintenanceLock = new ReentrantLock();
    private final StatsCounter stats;
    private final RemovalListener<? super K, ? super V> listener;
    private final Executor executor;
    private final ScheduledFuture<?> scheduledCleanUp;
    private final MapView<K, V> mapView = new MapView<>(this);
    private final PolicyView<K, V> policyView;

    /** Removals found during maintenance, reported after the lock is released; maintenance-owned. */
    private List<Removal<K, V>> pendingRemovals = new ArrayList<>();

    /** Cache time at which maintenance is next due; read with getOpaque by every operation. */
    @SuppressWarnings("unused") // accessed through NEXT_MAINTENANCE
    private long nextMaintenance;

    ExpiringCache(KvCacheBuilder<K, V> builder) {
        this.ticker = builder.ticker;
        this.origin = ticker.read();
        this.defaultTtlNanos = builder.ttlNanos;
        this.table = new NodeTable<>(builder.initialCapacity);
        this.wheel = new TimerWheel<>(0);
        this.nextMaintenance = wheel.nextTick(0);
        boolean bounded = builder.maximumWeight != KvCacheBuilder.UNSET;
        this.weigher = bounded && builder.weighted ? builder.weigher : null;
        this.policy = bounded ? new S3FifoPolicy<>(builder.maximumWeight, builder.weighted) : null;
        this.writeBuffer = bounded ? new WriteBuffer<>() : null;
        this.stats = builder.recordStats ? StatsCounter.concurrent() : StatsCounter.DISABLED;
        this.listener = builder.removalListener;
        this.executor = builder.executor;
        this.policyView = new PolicyView<>(defaultTtlNanos, builder.maximumWeight, builder.weighted, policy,
                maintenanceLock, table::size);
        this.scheduledCleanUp = builder.scheduler == null ? null
                : builder.scheduler.scheduleWithFixedDelay(new ScheduledCleanUp(this),
                        TimerWheel.RESOLUTION_NANOS, TimerWheel.RESOLUTION_NANOS, TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public V getIfPresent(K key) {
        return read(key, true);
    }

    /**
     * The value of the key's live node, or null. Follows successors from the node the table returns,
     * so a write that has taken effect is seen even before the table is relinked. Lock-free,
     * allocation-free on a hit; the only CAS is the one pinning an observed expiry.
     */
    @SuppressWarnings("unchecked")
    private V read(Object key, boolean record) {
        Node<K, V> node = table.get(key, NodeTable.hash(key));
        long now = now();
        while (node != null) {
            Object state = node.state();
            if (state instanceof Node) {
                if (state == Node.REMOVED || state instanceof Node.Expired) {
                    break;
                }
                node = (Node<K, V>) state; // superseded by a write: its successor is the key's node
                continue;
            }
            if (now < node.deadline) {
                if (record) {
                    onHit(node);
                }
                afterRead(now);
                return (V) state;
            }
            if (pinExpired(node, state)) {
                break;
            }
            // A write superseded the node between our two reads of it: look at its successor, with
            // a fresh reading of the ticker (the successor may have been written after ours).
            now = now();
        }
        if (record) {
            stats.recordMiss();
        }
        afterRead(now);
        return null;
    }

    /** Records that a reader saw {@code node}, holding {@code value}, past its deadline. */
    @SuppressWarnings("unchecked")
    private static <K, V> boolean pinExpired(Node<K, V> node, Object value) {
        return node.casState(value, new Node.Expired<>(node, (V) value));
    }

    @Override
    public CacheEntry<K, V> getEntryIfPresent(K key) {
        CacheEntry<K, V> entry = liveEntry(table.get(key, NodeTable.hash(key)), true);
        if (entry == null) {
            stats.recordMiss();
        } else {
            stats.recordHit();
        }
        afterRead(now());
        return entry;
    }

    /** As {@link #read}, but returns a snapshot with the remaining time to live. */
    @SuppressWarnings("unchecked")
    private CacheEntry<K, V> liveEntry(Node<K, V> node, boolean touch) {
        while (node != null) {
            Object state = node.state();
            if (state instanceof Node) {
                if (state == Node.REMOVED || state instanceof Node.Expired) {
                    return null;
                }
                node = (Node<K, V>) state;
                continue;
            }
            long now = now();
            if (now < node.deadline) {
                if (touch && policy != null) {
                    ((BoundedNode<K, V>) node).recordAccess();
                }
                long left = node.deadline == Ttl.NEVER_NANOS ? Long.MAX_VALUE : node.deadline - now;
                return new CacheEntry<>(node.key, (V) state, left);
            }
            if (pinExpired(node, state)) {
                return null;
            }
        }
        return null;
    }

    @Override
    public V get(K key, Function<? super K, ? extends V> loader) {
        Objects.requireNonNull(loader, "loader");
        V present = getIfPresent(key);
        if (present != null) {
            return present;
        }
        Loading<V> mine = new Loading<>();
        Loading<V> theirs = loading.putIfAbsent(key, mine);
        if (theirs != null) {
            return theirs.await();
        }
        try {
            V value = load(key, loader);
            mine.complete(value);
            return value;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(key, mine);
        }
    }

    /** Runs the loader for an absent key, as the one caller that owns its in-flight load. */
    private V load(K key, Function<? super K, ? extends V> loader) {
        V present = getQuietly(key); // a load that finished just before ours took over
        if (present != null) {
            return present;
        }
        long start = ticker.read();
        V loaded;
        try {
            loaded = loader.apply(key);
        } catch (RuntimeException | Error e) {
            stats.recordLoad(false, ticker.read() - start);
            throw e;
        }
        stats.recordLoad(loaded != null, ticker.read() - start);
        if (loaded == null) {
            return null;
        }
        // A value written by someone else while we loaded wins, as it would had it come just after.
        V raced = putIfAbsent(key, loaded, defaultTtlNanos);
        return raced != null ? raced : loaded;
    }

    /** An in-flight load that other callers for the same key wait on. */
    private static final class Loading<V> extends CompletableFuture<V> {
        private final Thread loader = Thread.currentThread();

        V await() {
            if (loader == Thread.currentThread()) {
                throw new IllegalStateException("recursive load: the loader called get() for its own key");
            }
            try {
                return join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        }
    }

    private void onHit(Node<K, V> node) {
        if (policy != null) {
            ((BoundedNode<K, V>) node).recordAccess();
        }
        stats.recordHit();
    }

    private void afterRead(long now) {
        if (now >= (long) NEXT_MAINTENANCE.getOpaque(this)) {
            maintainIfIdle();
        }
    }

    // ---------------------------------------------------------------- writes
    //
    // Every write locks the key's table segment, reads the clock under that lock, decides, and links
    // or unlinks one node. Reading the clock inside the atomic step matters: a writer descheduled
    // between an earlier clock read and its write would otherwise act on an entry that had expired
    // meanwhile (and that a completed read had already seen as absent). Everything else (retiring the
    // displaced node, notifications, scheduling, maintenance) happens after the unlock.

    @Override
    public void put(K key, V value) {
        put(key, value, defaultTtlNanos);
    }

    @Override
    public void put(K key, V value, Duration ttl) {
        put(key, value, Ttl.toNanos(ttl));
    }

    /** Stores a value; returns the previous live value or {@code null}. */
    V put(K key, V value, long ttlNanos) {
        int hash = NodeTable.hash(key);
        int weight = weigh(key, Objects.requireNonNull(value, "value"));
        NodeTable.Segment<K, V> segment = table.segmentFor(hash);
        Node<K, V> created;
        Node<K, V> replaced;
        Object previous = null;
        long now;
        segment.lock();
        try {
            now = now();
            created = newNode(hash, key, value, Ttl.deadline(now, ttlNanos), weight);
            replaced = segment.find(key, hash);
            if (replaced != null) {
                previous = replaced.supersede(created);
            }
            link(segment, created, replaced);
        } finally {
            segment.unlock();
        }
        stats.recordPut();
        afterWrite(created, replaced, previous, now);
        return replaced == null || isExpired(replaced, previous, now) ? null : Node.valueOf(previous);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return putIfAbsent(key, value, defaultTtlNanos);
    }

    @Override
    public V putIfAbsent(K key, V value, Duration ttl) {
        return putIfAbsent(key, value, Ttl.toNanos(ttl));
    }

    @SuppressWarnings("unchecked")
    private V putIfAbsent(K key, V value, long ttlNanos) {
        int hash = NodeTable.hash(key);
        int weight = weigh(key, Objects.requireNonNull(value, "value"));
        NodeTable.Segment<K, V> segment = table.segmentFor(hash);
        Node<K, V> created;
        Node<K, V> current;
        Object previous = null;
        long now;
        segment.lock();
        try {
            now = now();
            current = segment.find(key, hash);
            created = newNode(hash, key, value, Ttl.deadline(now, ttlNanos), weight);
            if (current != null) {
                Object state = current.state();
                if (!isExpired(current, state, now)) {
                    return (V) state; // live when read, after our ticker reading: nothing to do
                }
                previous = current.supersede(created);
            }
            link(segment, created, current);
        } finally {
            segment.unlock();
        }
        stats.recordPut();
        afterWrite(created, current, previous, now);
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V replace(K key, V value) {
        return (V) replaceLive(key, null, value, defaultTtlNanos);
    }

    @Override
    public boolean replace(K key, V expected, V value) {
        return replace(key, expected, value, defaultTtlNanos);
    }

    @Override
    public boolean replace(K key, V expected, V value, Duration ttl) {
        return replace(key, expected, value, Ttl.toNanos(ttl));
    }

    private boolean replace(K key, V expected, V value, long ttlNanos) {
        return replaceLive(key, Objects.requireNonNull(expected, "expected"), value, ttlNanos) != null;
    }

    /**
     * Replaces the key's live value, if it equals {@code expected} (any value when that is null);
     * returns the value replaced, or null if nothing was.
     */
    private Object replaceLive(K key, V expected, V value, long ttlNanos) {
        int hash = NodeTable.hash(key);
        int weight = weigh(key, Objects.requireNonNull(value, "value"));
        NodeTable.Segment<K, V> segment = table.segmentFor(hash);
        Node<K, V> created;
        Node<K, V> current;
        Object previous;
        long now;
        segment.lock();
        try {
            now = now();
            current = segment.find(key, hash);
            if (current == null) {
                return null;
            }
            previous = current.state();
            if (isExpired(current, previous, now) || (expected != null && !previous.equals(expected))) {
                return null;
            }
            created = newNode(hash, key, value, Ttl.deadline(now, ttlNanos), weight);
            if (!current.casState(previous, created)) {
                return null; // a reader pinned its expiry meanwhile
            }
            link(segment, created, current);
        } finally {
            segment.unlock();
        }
        stats.recordPut();
        afterWrite(created, current, previous, now);
        return previous;
    }

    @Override
    public V remove(K key) {
        return removeLive(key, null);
    }

    @Override
    public boolean remove(K key, V expected) {
        return removeLive(key, Objects.requireNonNull(expected, "expected")) != null;
    }

    /**
     * Removes the key's entry: whatever it holds when {@code expected} is null (an expired entry is
     * removed too, reported {@link RemovalCause#EXPIRED}), else only a live value equal to it.
     * Returns the live value removed, or null.
     */
    private V removeLive(K key, V expected) {
        int hash = NodeTable.hash(key);
        NodeTable.Segment<K, V> segment = table.segmentFor(hash);
        Node<K, V> removed;
        Object previous;
        long now;
        segment.lock();
        try {
            now = now();
            removed = segment.find(key, hash);
            if (removed == null) {
                return null;
            }
            if (expected == null) {
                previous = removed.supersede(Node.REMOVED);
            } else {
                previous = removed.state();
                if (isExpired(removed, previous, now) || !previous.equals(expected)
                        || !removed.casState(previous, Node.REMOVED)) {
                    return null; // absent, expired, another value, or pinned expired meanwhile
                }
            }
            segment.unlink(removed);
        } finally {
            segment.unlock();
        }
        boolean expired = isExpired(removed, previous, now);
        V value = Node.valueOf(previous);
        notifyRemoval(removed.key, value, expired ? RemovalCause.EXPIRED : RemovalCause.EXPLICIT);
        afterRemove(removed, now);
        return expired ? null : value;
    }

    @Override
    public void invalidateAll() {
        for (int i = 0; i < table.segmentCount(); i++) {
            for (Node<K, V> node : table.snapshot(i)) {
                long now = now();
                Object previous = unlinkIfCurrent(node);
                if (previous != null) {
                    boolean expired = isExpired(node, previous, now);
                    notifyRemoval(node.key, Node.valueOf(previous), expired ? RemovalCause.EXPIRED : RemovalCause.EXPLICIT);
                    afterRemove(node, now);
                }
            }
        }
    }

    /**
     * Removes {@code node} from the table if it is still its key's node; returns the state taken out of
     * it (its value, or the pinned {@link Node.Expired}), or null if another write got there first.
     */
    private Object unlinkIfCurrent(Node<K, V> node) {
        NodeTable.Segment<K, V> segment = table.segmentFor(node.hash);
        segment.lock();
        try {
            if (segment.find(node.key, node.hash) != node) {
                return null;
            }
            Object previous = node.supersede(Node.REMOVED);
            segment.unlink(node);
            return previous;
        } finally {
            segment.unlock();
        }
    }

    /** Whether a node with this state is expired at {@code now}: past its deadline, or pinned so. */
    private static boolean isExpired(Node<?, ?> node, Object state, long now) {
        return now >= node.deadline || state instanceof Node.Expired;
    }

    /**
     * Links {@code created} in place of {@code current} (or of nothing). Segment lock held: a bounded
     * node records what it replaced here, under the lock, so the chain of a key's writes is complete
     * for the policy however their buffer pushes interleave (see {@link S3FifoPolicy}).
     */
    private void link(NodeTable.Segment<K, V> segment, Node<K, V> created, Node<K, V> current) {
        if (policy != null) {
            ((BoundedNode<K, V>) created).replaced = (BoundedNode<K, V>) current;
        }
        segment.link(created, current);
    }

    /** The weight of a new entry: 1 unless a weigher is set. Runs before any lock is taken. */
    private int weigh(K key, V value) {
        if (policy == null || weigher == null) {
            return 1;
        }
        int weight = weigher.weigh(key, value);
        if (weight < 0) {
            throw new IllegalArgumentException("weigher returned a negative weight " + weight + " for key " + key);
        }
        return weight;
    }

    private Node<K, V> newNode(int hash, K key, V value, long deadline, int weight) {
        return policy == null
                ? new Node<>(hash, key, value, deadline)
                : new BoundedNode<>(hash, key, value, deadline, weight);
    }

    /**
     * Completes a write that put {@code created} into the table in place of {@code replaced} (or of
     * nothing), whose state was {@code previous}: reports the old node, schedules the new one, and
     * runs maintenance if due.
     */
    private void afterWrite(Node<K, V> created, Node<K, V> replaced, Object previous, long now) {
        if (replaced != null) {
            notifyRemoval(replaced.key, Node.valueOf(previous),
                    isExpired(replaced, previous, now) ? RemovalCause.EXPIRED : RemovalCause.REPLACED);
        }
        if (created.deadline != Ttl.NEVER_NANOS) {
            wheel.schedule(created, now);
        }
        if (policy != null) {
            writeBuffer.push((BoundedNode<K, V>) created);
            maintainIfIdle();
        } else if (now >= (long) NEXT_MAINTENANCE.getOpaque(this)) {
            maintainIfIdle();
        }
    }

    /**
     * Completes a removal. A bounded cache tells the policy through the write buffer (with a tombstone
     * that carries the removed node), so that the removed entry's weight is released at once instead
     * of when the policy happens to meet the node.
     */
    private void afterRemove(Node<K, V> removed, long now) {
        if (policy != null) {
            writeBuffer.push(BoundedNode.tombstone((BoundedNode<K, V>) removed));
            maintainIfIdle();
        } else if (now >= (long) NEXT_MAINTENANCE.getOpaque(this)) {
            maintainIfIdle();
        }
    }

    // ---------------------------------------------------------------- maintenance

    @Override
    public void cleanUp() {
        List<Removal<K, V>> removals;
        maintenanceLock.lock();
        try {
            maintain(true);
            removals = takePendingRemovals();
        } finally {
            maintenanceLock.unlock();
        }
        deliver(removals);
    }

    /**
     * Runs maintenance unless another thread is: never waits. A writer whose {@code tryLock} fails
     * leaves its node to the holder, who re-checks the write buffer after unlocking; the re-checks are
     * capped so that a thread cannot be kept here indefinitely by other threads' writes (their own
     * writes then do the work).
     */
    void maintainIfIdle() {
        int passes = 0;
        do {
            if (!maintenanceLock.tryLock()) {
                return;
            }
            List<Removal<K, V>> removals;
            try {
                maintain(false);
                removals = takePendingRemovals();
            } finally {
                maintenanceLock.unlock();
            }
            deliver(removals);
        } while (writeBuffer != null && ++passes < MAX_MAINTENANCE_PASSES && !writeBuffer.isEmpty());
    }

    /** Drains the write buffer, reclaims expired nodes and evicts to the bound. Lock held. */
    private void maintain(boolean exact) {
        long now = now();
        if (writeBuffer != null) {
            BoundedNode<K, V> node = writeBuffer.takeAll();
            while (node != null) {
                BoundedNode<K, V> next = node.queueNext;
                node.queueNext = null;
                policy.onWrite(node);
                node = next;
            }
        }
        if (exact) {
            wheel.advanceExactly(now, node -> expire(node, now));
        } else {
            wheel.advance(now, node -> expire(node, now));
        }
        if (wheel.size() > 2 * table.size() + SWEEP_SLACK) {
            wheel.sweep(); // superseded nodes outnumber live ones: drop them now, not at their deadlines
        }
        if (policy != null) {
            policy.evictExcess(node -> evict(node, now));
        }
        // Opaque: operations poll it; a stale value only makes one of them try the lock needlessly.
        NEXT_MAINTENANCE.setOpaque(this, wheel.nextTick(now));
    }

    /** The wheel found {@code node} due or retired. Lock held. */
    private void expire(Node<K, V> node, long now) {
        Object previous = node.isRetired() ? null : unlinkIfCurrent(node);
        if (previous != null) {
            pendRemoval(node.key, Node.valueOf(previous), RemovalCause.EXPIRED);
        }
        if (policy != null) {
            policy.onDead((BoundedNode<K, V>) node);
        }
    }

    /** The policy chose {@code node} to evict. Lock held. */
    private boolean evict(BoundedNode<K, V> node, long now) {
        Object previous = unlinkIfCurrent(node);
        if (previous == null) {
            return false; // replaced or removed meanwhile: that thread reports it
        }
        pendRemoval(node.key, Node.valueOf(previous), isExpired(node, previous, now) ? RemovalCause.EXPIRED : RemovalCause.SIZE);
        return true;
    }

    private void pendRemoval(K key, V value, RemovalCause cause) {
        stats.recordRemoval(cause);
        if (listener != null) {
            pendingRemovals.add(new Removal<>(key, value, cause));
        }
    }

    private List<Removal<K, V>> takePendingRemovals() {
        if (pendingRemovals.isEmpty()) {
            return List.of();
        }
        List<Removal<K, V>> taken = pendingRemovals;
        pendingRemovals = new ArrayList<>();
        return taken;
    }

    private void deliver(List<Removal<K, V>> removals) {
        for (Removal<K, V> r : removals) {
            dispatch(r.key, r.value, r.cause);
        }
    }

    private void notifyRemoval(K key, V value, RemovalCause cause) {
        stats.recordRemoval(cause);
        if (listener != null) {
            dispatch(key, value, cause);
        }
    }

    private void dispatch(K key, V value, RemovalCause cause) {
        if (executor == null) {
            callListener(key, value, cause);
            return;
        }
        try {
            executor.execute(() -> callListener(key, value, cause));
        } catch (RejectedExecutionException e) {
            callListener(key, value, cause); // never lose a notification
        }
    }

    private void callListener(K key, V value, RemovalCause cause) {
        try {
            listener.onRemoval(key, value, cause);
        } catch (Exception e) {
            // Documented: a listener's exception never reaches the cache's caller. The JDK's platform
            // logger keeps kv-core free of dependencies and routes to whatever logging the app uses.
            LOGGER.log(System.Logger.Level.WARNING, "removal listener threw for key " + key + " (" + cause + ")", e);
        }
    }

    private record Removal<K, V>(K key, V value, RemovalCause cause) {}

    // ---------------------------------------------------------------- views and state

    @Override
    public long estimatedSize() {
        return table.size();
    }

    @Override
    public CacheStats stats() {
        return stats.snapshot();
    }

    @Override
    public ConcurrentMap<K, V> asMap() {
        return mapView;
    }

    @Override
    public Policy<K, V> policy() {
        return policyView;
    }

    @Override
    public void close() {
        if (scheduledCleanUp != null) {
            scheduledCleanUp.cancel(false);
        }
    }

    long now() {
        return ticker.read() - origin;
    }

    /**
     * Iterates the live entries as snapshots, skipping expired ones. Weakly consistent: each table
     * segment is copied under its lock when the iteration reaches it.
     */
    Iterator<CacheEntry<K, V>> liveEntries() {
        return new Iterator<>() {
            private int segment;
            private Iterator<Node<K, V>> nodes = List.<Node<K, V>>of().iterator();
            private CacheEntry<K, V> next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    while (!nodes.hasNext()) {
                        if (segment == table.segmentCount()) {
                            return false;
                        }
                        nodes = table.snapshot(segment++).iterator();
                    }
                    next = liveEntry(nodes.next(), false); // follows a node superseded since the copy
                }
                return true;
            }

            @Override
            public CacheEntry<K, V> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                CacheEntry<K, V> e = next;
                next = null;
                return e;
            }
        };
    }

    /** Whether some key maps to a live entry; for views, which take untyped keys. */
    boolean containsKeyQuietly(Object key) {
        return getQuietly(key) != null;
    }

    /** The live value of an untyped key, without counting stats; for views. */
    V getQuietly(Object key) {
        return read(key, false);
    }

    long defaultTtlNanos() {
        return defaultTtlNanos;
    }

    @Override
    public String toString() {
        return "KvCache[size~" + estimatedSize() + ", ttl=" + (defaultTtlNanos == Ttl.NEVER_NANOS ? "never"
                : Duration.ofNanos(defaultTtlNanos)) + (policy == null ? "" : ", bounded") + "]";
    }

    /**
     * The scheduler's periodic task. Holds the cache weakly so that a cache its owner dropped without
     * closing can still be collected; the task then cancels itself.
     */
    private static final class ScheduledCleanUp implements Runnable {
        private final java.lang.ref.WeakReference<ExpiringCache<?, ?>> cache;

        ScheduledCleanUp(ExpiringCache<?, ?> cache) {
            this.cache = new java.lang.ref.WeakReference<>(cache);
        }

        @Override
        public void run() {
            ExpiringCache<?, ?> c = cache.get();
            if (c == null) {
                throw new IllegalStateException("cache collected"); // ends a fixed-delay schedule
            }
            c.maintainIfIdle();
        }
    }
}
