package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The cache engine behind {@link KvCache}: its state, its reads, and the entry point of every other
 * operation. Each other job has its own class: {@link Writes} (the per-key write protocol),
 * {@link Loads} (single-flight loading), {@link Maintenance} (draining, expiry, eviction),
 * {@link RemovalNotifier} (notifications outside locks), {@link NodeTable} (the hash table),
 * {@link TimerWheel} (finding expired nodes), {@link S3FifoPolicy} (choosing what to evict).
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
 * so every removal is reported exactly once. The compute family runs its function under the segment
 * lock, as {@code ConcurrentHashMap} does under its bin lock.
 *
 * <h2>Expiration</h2>
 * Time is the ticker's reading minus the cache's origin, so it starts near zero and a deadline of
 * {@link Long#MAX_VALUE} means "never". Reads compare the deadline themselves, which makes expiry exact;
 * the {@link TimerWheel} only reclaims memory. Writers push their node onto the wheel with a CAS; the
 * wheel is advanced under the maintenance lock, taken with {@code tryLock} by whichever operation
 * notices that a wheel tick has passed, so no operation ever waits for it.
 *
 * <h2>Eviction</h2>
 * A bounded cache also pushes each new node onto a lock-free {@link WriteBuffer} (and a removal's
 * marker, under the segment lock, so the next write of the key finds it there); the maintenance lock
 * holder drains it into the {@link S3FifoPolicy} queues and evicts down to the bound. Writers try the
 * lock after every write; a writer that fails leaves its node to the holder, who re-checks the buffer
 * after unlocking, so the bound is restored before the last concurrent write returns.
 *
 * <h2>How they interact</h2>
 * Expiry and eviction both end in the same step: maintenance unlinks a node only if it is still its
 * key's node (under the key's segment lock), so a concurrent write always wins and the node it
 * displaced is reported once, by that writer. A node superseded by a write stays in the wheel and in
 * the policy's queues until they meet it; the policy hands a replaced node's place to its successor
 * (so an overwrite keeps the key's popularity) and the wheel drops it, or a sweep does (bounded by
 * {@link #retentionBound}). An expired node is never returned by a read, whatever the state of the
 * wheel or the queues; an evicted one never again either, since unlinking happens before reporting.
 */
final class ExpiringCache<K, V> implements KvCache<K, V> {
    private static final VarHandle NEXT_MAINTENANCE;

    static {
        try {
            NEXT_MAINTENANCE = MethodHandles.lookup()
                    .findVarHandle(ExpiringCache.class, "nextMaintenance", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final NodeTable<K, V> table;
    final Ticker ticker;
    private final long origin;
    final long defaultTtlNanos;
    final Weigher<? super K, ? super V> weigher;
    final TimerWheel<K, V> wheel;
    final S3FifoPolicy<K, V> policy;
    final WriteBuffer<K, V> writeBuffer;
    final StatsCounter stats;
    final RemovalNotifier<K, V> notifier;
    final Writes<K, V> writes;
    final Loads<K, V> loads;
    final Maintenance<K, V> maintenance;
    private final ScheduledFuture<?> scheduledCleanUp;
    private final MapView<K, V> mapView = new MapView<>(this);
    private final PolicyView<K, V> policyView;

    /*
     * Cache time at which maintenance is next due; read with getOpaque by every operation. Kept here,
     * beside the table, so that a read touches no other engine object.
     */
    @SuppressWarnings("unused") // accessed through NEXT_MAINTENANCE
    private long nextMaintenance;

    ExpiringCache(KvCacheBuilder<K, V> builder) {
        this.ticker = builder.ticker;
        if (ticker instanceof CoarseTicker coarse) {
            coarse.register(this); // its clock thread runs while some cache uses it
        }
        this.origin = ticker.read();
        this.defaultTtlNanos = builder.ttlNanos;
        this.table = new NodeTable<>(builder.initialCapacity);
        this.wheel = new TimerWheel<>(0);
        this.nextMaintenance = wheel.nextTick(0);
        boolean bounded = builder.maximumWeight != KvCacheBuilder.UNSET;
        this.weigher = bounded && builder.weighted ? builder.weigher : null;
        this.policy = bounded ? new S3FifoPolicy<>(builder.maximumWeight, builder.weighted) : null;
        this.writeBuffer = bounded ? new WriteBuffer<>() : null;
        this.stats = StatsCounters.of(builder);
        this.notifier = new RemovalNotifier<>(stats, builder.removalListener, builder.executor);
        this.writes = new Writes<>(this);
        this.loads = new Loads<>(this);
        this.maintenance = new Maintenance<>(this, builder.executor);
        this.policyView = new PolicyView<>(defaultTtlNanos, builder.weighted, policy, maintenance, table);
        this.scheduledCleanUp = builder.scheduler == null ? null
                : builder.scheduler.scheduleWithFixedDelay(new Maintenance.ScheduledCleanUp(this),
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

    private void onHit(Node<K, V> node) {
        if (policy != null) {
            ((BoundedNode<K, V>) node).recordAccess();
        }
        stats.recordHit();
    }

    private void afterRead(long now) {
        if (isMaintenanceDue(now)) {
            maintenance.afterReadDue();
        }
    }

    boolean isMaintenanceDue(long now) {
        return now >= (long) NEXT_MAINTENANCE.getOpaque(this);
    }

    void setNextMaintenance(long time) {
        // Opaque: operations poll it; a stale value only makes one of them try the lock needlessly.
        NEXT_MAINTENANCE.setOpaque(this, time);
    }

    @Override
    public V get(K key, Function<? super K, ? extends V> loader) {
        Objects.requireNonNull(loader, "loader");
        V present = getIfPresent(key);
        return present != null ? present : loads.get(key, loader);
    }

    // ---------------------------------------------------------------- writes (see Writes)

    @Override
    public void put(K key, V value) {
        writes.put(key, value, defaultTtlNanos);
    }

    @Override
    public void put(K key, V value, Duration ttl) {
        writes.put(key, value, Ttl.toNanos(ttl));
    }

    /** Stores a value; returns the previous live value or {@code null}. For the map view. */
    V put(K key, V value, long ttlNanos) {
        return writes.put(key, value, ttlNanos);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return writes.putIfAbsent(key, value, defaultTtlNanos);
    }

    @Override
    public V putIfAbsent(K key, V value, Duration ttl) {
        return writes.putIfAbsent(key, value, Ttl.toNanos(ttl));
    }

    @Override
    public V replace(K key, V value) {
        return writes.replace(key, null, value, defaultTtlNanos);
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
        return writes.replace(key, Objects.requireNonNull(expected, "expected"), value, ttlNanos) != null;
    }

    @Override
    public V remove(K key) {
        return writes.remove(key, null);
    }

    @Override
    public boolean remove(K key, V expected) {
        return writes.remove(key, Objects.requireNonNull(expected, "expected")) != null;
    }

    @Override
    public void invalidateAll() {
        writes.invalidateAll();
    }

    /** {@code asMap().compute}: see {@link MapView} for the contract. */
    V compute(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        return writes.compute(key, remapping);
    }

    V computeIfAbsent(K key, Function<? super K, ? extends V> mapping) {
        Objects.requireNonNull(mapping, "mappingFunction");
        V present = getQuietly(Objects.requireNonNull(key)); // a hit needs no lock, as in ConcurrentHashMap
        return present != null ? present : writes.computeIfAbsent(key, mapping);
    }

    V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        return writes.computeIfPresent(key, remapping);
    }

    V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remapping) {
        return writes.merge(key, value, remapping);
    }

    // ---------------------------------------------------------------- maintenance, views and state

    @Override
    public void cleanUp() {
        maintenance.cleanUp();
    }

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
        if (ticker instanceof CoarseTicker coarse) {
            coarse.deregister(this);
        }
    }

    long now() {
        return ticker.read() - origin;
    }

    /**
     * The nodes held by the timer wheel, live or superseded: what overwrites retain until a sweep.
     * Exact when no write is in flight. A test hook for {@link #retentionBound}.
     */
    long retainedNodes() {
        return wheel.size();
    }

    /**
     * The most nodes the timer wheel holds between sweeps while {@code live} entries are held and no
     * thread is stalled inside maintenance: twice the live entries plus {@link Maintenance#SWEEP_SLACK},
     * plus the pushes that can go unchecked ({@link StripedCounter#CHECK_INTERVAL} per stripe). On a
     * machine with {@code p} processors, {@code 2 * live + 1024 + 256 * s} with {@code s} the next power
     * of two at or above {@code 2p}, at most 64; for one key on 2 processors, 2 050 nodes.
     */
    static long retentionBound(long live) {
        return 2 * live + Maintenance.SWEEP_SLACK + (long) StripedCounter.CHECK_INTERVAL * StripedCounter.STRIPES;
    }

    /**
     * Iterates the live entries as snapshots, skipping expired ones. Weakly consistent: each table
     * segment is copied, by a lock-free walk, when the iteration reaches it. For {@link MapView}.
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

    /**
     * The live entries, counted up to {@code limit} at one reading of the ticker by a lock-free walk
     * of the table: O(entries held), no lock, no allocation per entry. Exact when no write is in
     * flight; for the map view's {@code size()} and {@code isEmpty()}.
     */
    long countLive(long limit) {
        long now = now();
        return table.count(node -> isLive(node, now), limit);
    }

    /**
     * Whether the key of a linked node has a live entry: follows successors as reads do, so a key
     * whose overwrite has taken effect but is not relinked yet still counts (once: its replacement
     * takes the same place in the chain, so a walk meets one or the other).
     */
    @SuppressWarnings("unchecked")
    private static <K, V> boolean isLive(Node<K, V> node, long now) {
        for (;;) {
            Object state = node.state();
            if (!(state instanceof Node)) {
                return now < node.deadline;
            }
            if (state == Node.REMOVED || state instanceof Node.Expired) {
                return false;
            }
            node = (Node<K, V>) state;
        }
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
}
