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
 * A {@link NodeTable} maps each key to one {@link Node} for as long as the key stays live: a write of a
 * live key updates that node in place, so only an insert allocates. A write locks the key's table
 * segment, reads the ticker, decides, and takes effect with one CAS on the node's deadline word (to
 * {@code LOCKED} for an in-place update of value and deadline, to {@code REMOVED} for a removal, or to
 * {@code REPLACED} when a new node takes its place); it serializes only with writes to the same
 * segment and with a resize of the table (which holds every segment). A read is a lock-free table
 * lookup followed by a seqlock read of the node: deadline word, value, fence, deadline word again,
 * retried if they disagree (a plain hit, which returns only the
 * value, loads the word once; {@link Node} says why that suffices). It allocates nothing and takes no lock;
 * it spins only while a writer is inside its two stores. Why no separate sequence counter is needed,
 * and why a read is still linearizable when a later write stores an equal deadline, is in
 * {@link Node}: in short, any value a reader can pair with a deadline it saw twice was stored, live,
 * during the read. A read that finds a live entry past its deadline pins that with a CAS to
 * {@code EXPIRED}, so a write that read the ticker earlier cannot take effect as if the entry were
 * still live. The thread that moves a node to {@code REMOVED} or {@code REPLACED} reports its removal,
 * so every removal is reported exactly once. The compute family runs its function under the segment
 * lock, as {@code ConcurrentHashMap} does under its bin lock.
 *
 * <p>Why this design and not the alternatives: an immutable node per write (this engine's previous
 * design) made every overwrite allocate 40 bytes and promote old-to-young references; a seqlock with
 * its own stamp field would have grown the node from 40 to 48 bytes (8 more per entry, as objects are
 * 8-byte aligned) for nothing the deadline word cannot carry itself.
 *
 * <h2>Expiration</h2>
 * Time is the ticker's reading minus the cache's origin, so it starts near zero and a deadline of
 * {@link Long#MAX_VALUE} means "never". Reads compare the deadline themselves, which makes expiry exact;
 * the {@link TimerWheel} only reclaims memory. An inserting writer pushes its node onto the wheel with
 * a CAS, once: the wheel holds each node once, filed at or before its deadline, and files a node again
 * when it finds that an overwrite moved the deadline later (an overwrite that would move it earlier
 * gets a new node instead). The wheel is advanced under the maintenance lock, taken with
 * {@code tryLock} by whichever operation notices that a wheel tick has passed, so no read ever waits
 * for it (a bounded cache's writer may, once others have left it 32 writes: see {@link Maintenance}).
 *
 * <h2>Eviction</h2>
 * A bounded cache's writer pushes each new node onto a lock-free {@link WriteBuffer}, and a removed
 * node's tombstone and a weighted overwrite's new weight, all under the segment lock, so that each
 * key's events reach the policy in the order they took effect; the maintenance lock holder drains the
 * buffer into the {@link S3FifoPolicy} queues and evicts down to the bound. An overwrite keeps the node,
 * and so the key's place and popularity. Writers try the lock after every write; a writer that fails
 * leaves its events to the holder, who re-checks the buffer after unlocking, so the bound is restored
 * before the last concurrent write returns.
 *
 * <h2>How they interact</h2>
 * Expiry and eviction both end in the same step: maintenance unlinks a node only if it is still its
 * key's node (under the key's segment lock), and expires it only if it is still due then, so a
 * concurrent write always wins and the value it displaced is reported once, by that writer. A removed
 * or replaced node stays in the wheel until the wheel meets it or a sweep drops it (bounded by
 * {@link #retentionBound}); it keeps no value alive. An expired node is never returned by a read,
 * whatever the state of the wheel or the queues; an evicted one never again either, since unlinking
 * happens before reporting.
 */
final class ExpiringCache<K, V> implements KvCache<K, V> {
    private static final VarHandle NEXT_MAINTENANCE;
    private static final VarHandle HIT_FENCE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NEXT_MAINTENANCE = lookup.findVarHandle(ExpiringCache.class, "nextMaintenance", long.class);
            HIT_FENCE = lookup.findVarHandle(ExpiringCache.class, "hitFence", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final NodeTable<K, V> table;
    final Ticker ticker;
    /** Whether {@link #ticker} is {@link CoarseTicker#INSTANCE}, the default. */
    private final boolean sharedCoarse;
    private final long origin;
    final long defaultTtlNanos;
    final Weigher<? super K, ? super V> weigher;
    /** The builder's expiry function, or null. */
    final Expiry<? super K, ? super V> expiry;
    /** The time-to-idle, or 0; see {@link #extendOnRead}. */
    final long idleNanos;
    /** A time-to-idle with a TTL (or expiry function) that caps it: nodes carry a hard deadline. */
    final boolean capped;
    /** Whether a read hit may move the deadline: a time-to-idle, or an expiry function with a read hook. */
    private final boolean extendsOnRead;
    /** Whether a hit does more than return: {@link #extendsOnRead}, a bounded cache, or statistics (see hitFence). */
    private final boolean hitHooks;
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

    /*
     * The cache time from which a live hit leaves its fast path: nextMaintenance when a hit has no
     * hooks (so the hit's one compare is also the maintenance poll), Long.MIN_VALUE (every hit) when it
     * has some. Read with getOpaque by every hit, written with nextMaintenance; a stale value delays a
     * poll or makes one hit check needlessly, as a stale nextMaintenance would.
     */
    @SuppressWarnings("unused") // accessed through HIT_FENCE
    private long hitFence;

    ExpiringCache(KvCacheBuilder<K, V> builder) {
        this.ticker = builder.ticker;
        this.sharedCoarse = ticker == CoarseTicker.INSTANCE;
        if (ticker instanceof CoarseTicker coarse) {
            coarse.register(this); // its clock thread runs while some cache uses it
        }
        this.origin = ticker.read();
        this.idleNanos = builder.idleNanos;
        this.capped = idleNanos != 0 && (builder.ttlSet || builder.expiry != null);
        // alone, a write starts the idle time; with a TTL, writes set the hard deadline (see Writes)
        this.defaultTtlNanos = idleNanos != 0 && !capped ? idleNanos : builder.ttlNanos;
        this.expiry = builder.expiry;
        this.extendsOnRead = idleNanos != 0 || hasReadHook(expiry);
        this.table = new NodeTable<>(builder.initialCapacity);
        this.wheel = new TimerWheel<>(0);
        this.nextMaintenance = wheel.nextTick(0);
        boolean bounded = builder.maximumWeight != KvCacheBuilder.UNSET;
        this.weigher = bounded && builder.weighted ? builder.weigher : null;
        this.policy = bounded ? new S3FifoPolicy<>(builder.maximumWeight, builder.weighted) : null;
        this.writeBuffer = bounded ? new WriteBuffer<>() : null;
        this.stats = StatsCounters.of(builder);
        this.hitHooks = extendsOnRead || policy != null || stats != StatsCounters.DISABLED;
        this.hitFence = hitHooks ? Long.MIN_VALUE : nextMaintenance;
        this.notifier = new RemovalNotifier<>(stats, builder.removalListener, builder.executor);
        this.writes = new Writes<>(this);
        this.loads = new Loads<>(this);
        this.maintenance = new Maintenance<>(this, builder.executor);
        // the builder's TTL: with a time-to-idle alone, defaultTtlNanos is the idle time, which is no TTL
        this.policyView = new PolicyView<>(builder.ttlNanos, builder.weighted, policy, maintenance, table, this);
        this.scheduledCleanUp = builder.scheduler == null ? null
                : builder.scheduler.scheduleWithFixedDelay(new Maintenance.ScheduledCleanUp(this),
                        TimerWheel.RESOLUTION_NANOS, TimerWheel.RESOLUTION_NANOS, TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public V getIfPresent(K key) {
        return read(key, true, true);
    }

    /**
     * The value of the key's live node, or null. A read of the node's deadline word and value (see
     * {@link Node}; a plain hit loads the word once, a hit that moves the deadline checks it again):
     * lock-free, allocation-free; it spins only while a writer is inside its two stores, and its only
     * CAS is the one pinning an observed expiry (or moving an idle deadline).
     *
     * @param record whether a hit or miss counts in the statistics (an access feeds a bound's policy either way)
     * @param access whether the read is an access at all: {@code false} for a peek, which runs no hit hook
     *     (no statistic, no idle restart, no read hook) and polls no maintenance; constant at every call site,
     *     so each compiles to its own path
     */
    private V read(Object key, boolean record, boolean access) {
        int hash = NodeTable.hash(key);
        Node<K, V> node = table.get(key, hash);
        long now = now();
        while (node != null) {
            long d = node.deadlineAcquire();
            V value = node.valueAcquire();
            if (now < d && value != null) { // live (every marker is below every clock reading)
                if (access && now >= (long) HIT_FENCE.getOpaque(this)) { // hit hooks, or maintenance due: one compare
                    if (hitHooks) {
                        if (extendsOnRead) {
                            VarHandle.acquireFence(); // keeps the value load before the second load of the word
                            if (d != node.deadlineOpaque()) {
                                continue; // a write came between: the hook needs the pair, read again
                            }
                            extendOnRead(node, value, d, now);
                        }
                        if (record) {
                            onHit(node);
                        } else if (policy != null) {
                            // asMap().get and its kin: not a hit, but an access for eviction as for idling
                            ((BoundedNode<K, V>) node).recordAccess();
                        }
                    }
                    afterRead(now);
                }
                return value;
            }
            if (now < d) {
                continue; // a removal cleared the value after our load of the word: read the marker
            }
            if (d == Node.EXPIRED || d == Node.REMOVED) {
                break;
            }
            if (d == Node.LOCKED || d == Node.REPLACED) {
                Thread.onSpinWait(); // a writer is inside its two stores, or relinking a new node
                if (d == Node.REPLACED) {
                    node = table.get(key, hash);
                }
                continue;
            }
            if (node.casDeadline(d, Node.EXPIRED)) {
                break; // pinned: no write that read the ticker earlier can now treat it as live
            }
            // A write changed the entry between our loads and the CAS: read it again, with a fresh
            // reading of the ticker (the write may have come after ours).
            now = now();
        }
        if (record) {
            stats.recordMiss();
        }
        if (access) {
            afterRead(now);
        }
        return null;
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

    /** {@link Policy#getEntryIfPresentQuietly}: the live entry with no hook, access or statistic. */
    CacheEntry<K, V> peekEntry(K key) {
        java.util.Objects.requireNonNull(key, "key");
        return liveEntry(table.get(key, NodeTable.hash(key)), false);
    }

    /** As {@link #read}, but returns a snapshot with the remaining time to live. */
    private CacheEntry<K, V> liveEntry(Node<K, V> node, boolean touch) {
        while (node != null) {
            long d = node.deadlineAcquire();
            V value = node.valueOpaque();
            VarHandle.acquireFence();
            if (d != node.deadlineOpaque()) {
                continue;
            }
            long now = now();
            if (now < d) {
                if (touch && extendsOnRead) {
                    d = extendOnRead(node, value, d, now);
                }
                if (touch && policy != null) {
                    ((BoundedNode<K, V>) node).recordAccess();
                }
                long left = d == Ttl.NEVER_NANOS ? Long.MAX_VALUE : d - now;
                return new CacheEntry<>(node.key, value, left);
            }
            if (d == Node.EXPIRED || d == Node.REMOVED) {
                return null;
            }
            if (d == Node.LOCKED || d == Node.REPLACED) {
                Thread.onSpinWait();
                if (d == Node.REPLACED) {
                    node = table.get(node.key, node.hash);
                }
                continue;
            }
            if (node.casDeadline(d, Node.EXPIRED)) {
                return null;
            }
        }
        return null;
    }

    /**
     * A read hit of a time-to-idle cache, or of one whose expiry function has a read hook: moves the
     * deadline to {@code now + ttl} (the idle time, or the hook's TTL) if that moves it later by more
     * than ttl/64, so a hot key's line is written at most that often. Lock-free: a CAS that loses to
     * a writer or another reader changes nothing, and either left a deadline at least as recent. A
     * deadline only moves later in place, so the timer wheel files the node again when it reaches it
     * (see {@link TimerWheel}); a hook's shorter TTL therefore leaves the deadline where it is. A
     * reader delayed between its clock reading and this CAS cannot revive an entry someone saw
     * expire: that observer changed the word, so the CAS fails. Returns the deadline now in effect.
     * A hook that throws, or returns a TTL of zero or less, fails the read before any CAS.
     */
    private long extendOnRead(Node<K, V> node, V value, long deadline, long now) {
        long ttl = idleNanos != 0 ? idleNanos : ttlOnRead(node.key, value, deadline, now);
        long target = Ttl.deadline(now, ttl);
        if (capped) {
            target = Math.min(target, node.hardDeadline());
        }
        return target - deadline > (ttl >>> 6) && node.casDeadline(deadline, target) ? target : deadline;
    }

    private long ttlOnRead(K key, V value, long deadline, long now) {
        @SuppressWarnings("unchecked")
        Expiry<K, V> hook = (Expiry<K, V>) expiry;
        long ttl = hook.afterReadNanos(key, value, deadline == Ttl.NEVER_NANOS ? Long.MAX_VALUE : deadline - now);
        if (ttl <= 0) {
            throw new IllegalArgumentException("expiry.afterReadNanos returned a TTL of " + ttl + " ns for key "
                    + key + "; a TTL must be positive (Long.MAX_VALUE for never)");
        }
        return ttl;
    }

    /** Whether {@code expiry} overrides {@link Expiry#afterReadNanos}; decided once, at build time. */
    static boolean hasReadHook(Expiry<?, ?> expiry) {
        if (expiry == null) {
            return false;
        }
        try {
            return expiry.getClass().getMethod("afterReadNanos", Object.class, Object.class, long.class)
                    .getDeclaringClass() != Expiry.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e); // a public interface method: always found
        }
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
        if (!hitHooks) {
            HIT_FENCE.setOpaque(this, time);
        }
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
        writes.put(key, value, Ttl.DEFAULT_NANOS);
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
        return writes.putIfAbsent(key, value, Ttl.DEFAULT_NANOS);
    }

    @Override
    public V putIfAbsent(K key, V value, Duration ttl) {
        return writes.putIfAbsent(key, value, Ttl.toNanos(ttl));
    }

    @Override
    public V replace(K key, V value) {
        return writes.replace(key, null, value, Ttl.DEFAULT_NANOS);
    }

    @Override
    public boolean replace(K key, V expected, V value) {
        return replace(key, expected, value, Ttl.DEFAULT_NANOS);
    }

    @Override
    public boolean replace(K key, V expected, V value, Duration ttl) {
        return replace(key, expected, value, Ttl.toNanos(ttl));
    }

    private boolean replace(K key, V expected, V value, long ttlNanos) {
        return writes.replace(key, Objects.requireNonNull(expected, "expected"), value, ttlNanos) != null;
    }

    // ---- per-entry TTL (issue 10)

    @Override
    public boolean setTimeToLive(K key, Duration ttl) {
        Objects.requireNonNull(key, "key");
        return writes.setTimeToLive(key, Ttl.toNanos(ttl));
    }

    @Override
    public boolean touch(K key) {
        Objects.requireNonNull(key, "key");
        return writes.setTimeToLive(key, Ttl.DEFAULT_NANOS);
    }

    // ----

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
        // The shared coarse ticker through its constant: one flag test instead of a field load and a
        // type check of the ticker on every read.
        return (sharedCoarse ? CoarseTicker.INSTANCE.read() : ticker.read()) - origin;
    }

    /**
     * The nodes held by the timer wheel, live or removed: what remove-and-reinsert cycles retain until
     * a sweep (an overwrite of a live entry adds none). Exact when no write is in flight. A test hook
     * for {@link #retentionBound}.
     */
    long retainedNodes() {
        return wheel.size();
    }

    /**
     * The most nodes the timer wheel holds between sweeps while {@code live} entries are held and no
     * thread is stalled inside maintenance. Overwrites of live entries add none (the wheel holds each
     * live node once); removed and replaced nodes are swept once they would exceed twice the live
     * entries plus {@link Maintenance#SWEEP_SLACK},
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
                    next = liveEntry(nodes.next(), false); // follows a node replaced since the copy
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
     * Whether the key of a linked node has a live entry. A node replaced by a new one in its place
     * counts as its key's current node (a walk meets one or the other, so each key counts once).
     */
    private boolean isLive(Node<K, V> node, long now) {
        for (;;) {
            long d = node.stableDeadline();
            if (d != Node.REPLACED) {
                return now < d;
            }
            node = table.get(node.key, node.hash);
            if (node == null) {
                return false;
            }
        }
    }

    /** Whether some key maps to a live entry, with no access (see {@link #peekQuietly}); for views. */
    boolean containsKeyQuietly(Object key) {
        return peekQuietly(key) != null;
    }

    /**
     * The live value of an untyped key, without counting stats but as an access otherwise (it moves
     * an idle deadline, runs a read hook and counts for eviction): {@code asMap().get}, and a load's
     * check for a value stored just before it.
     */
    V getQuietly(Object key) {
        return read(key, false, true);
    }

    /**
     * The live value of an untyped key with no access at all: no statistic, no read hook, no idle
     * restart, no eviction access count. For {@code containsKey} and the views' {@code contains} and
     * {@code equals}, which Guava's and Caffeine's contract does not count as accesses. The plain hit
     * of {@link #read} (one load of the word, see {@link Node}): lock-free, allocation-free; it pins
     * an expiry it observes, as every read does, so expiry stays linearizable.
     */
    V peekQuietly(Object key) {
        return read(key, false, false);
    }

    /** The TTL a view's write passes: the cache's default, or its expiry function's. */
    long defaultTtlNanos() {
        return Ttl.DEFAULT_NANOS;
    }

    @Override
    public String toString() {
        Duration ttl = policyView.timeToLive();
        return "KvCache[size~" + estimatedSize() + ", ttl=" + (ttl.equals(NEVER) ? "never" : ttl)
                + (idleNanos == 0 ? "" : ", idle=" + Duration.ofNanos(idleNanos))
                + (policy == null ? "" : ", bounded") + "]";
    }
}
