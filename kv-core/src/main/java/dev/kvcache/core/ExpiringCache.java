package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
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
 * A {@link ConcurrentHashMap} maps each key to an immutable {@link Node} per write (value and deadline
 * together). Every single-key operation is one atomic map operation on the node reference (put,
 * putIfAbsent, replace or remove with the expected node, or compute), so it is linearizable per key
 * and serializes only with writes to the same hash bin. Reads are a map get plus a deadline check: no
 * lock, no allocation. The thread whose map operation takes a node out of the map retires it (clears
 * its value) and reports the removal, so every removal is reported exactly once.
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

    /** How many times one call drains the write buffer before leaving the rest to later operations. */
    private static final int MAX_MAINTENANCE_PASSES = 8;

    static {
        try {
            NEXT_MAINTENANCE = MethodHandles.lookup()
                    .findVarHandle(ExpiringCache.class, "nextMaintenance", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentHashMap<K, Node<K, V>> map;
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

    /** Removals found during maintenance, reported after the lock is released; maintenance-owned. */
    private List<Removal<K, V>> pendingRemovals = new ArrayList<>();

    /** Cache time at which maintenance is next due; read with getOpaque by every operation. */
    @SuppressWarnings("unused") // accessed through NEXT_MAINTENANCE
    private long nextMaintenance;

    ExpiringCache(KvCacheBuilder<K, V> builder) {
        this.ticker = builder.ticker;
        this.origin = ticker.read();
        this.defaultTtlNanos = builder.ttlNanos;
        this.map = new ConcurrentHashMap<>(builder.initialCapacity);
        this.wheel = new TimerWheel<>(0);
        this.nextMaintenance = wheel.nextTick(0);
        boolean bounded = builder.maximumWeight != KvCacheBuilder.UNSET;
        this.weigher = bounded && builder.weighted ? builder.weigher : null;
        this.policy = bounded ? new S3FifoPolicy<>(builder.maximumWeight, builder.weighted) : null;
        this.writeBuffer = bounded ? new WriteBuffer<>() : null;
        this.stats = builder.recordStats ? StatsCounter.concurrent() : StatsCounter.DISABLED;
        this.listener = builder.removalListener;
        this.executor = builder.executor;
        this.scheduledCleanUp = builder.scheduler == null ? null
                : builder.scheduler.scheduleWithFixedDelay(new ScheduledCleanUp(this),
                        TimerWheel.RESOLUTION_NANOS, TimerWheel.RESOLUTION_NANOS, TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public V getIfPresent(K key) {
        Node<K, V> node = map.get(key);
        for (;;) {
            if (node == null) {
                stats.recordMiss();
                return null;
            }
            long now = now();
            V value = node.value;
            if (value != null) {
                if (now < node.deadline) {
                    onHit(node, now);
                    return value;
                }
                stats.recordMiss();
                afterRead(now);
                return null;
            }
            node = map.get(key); // retired by a concurrent write: look again
        }
    }

    @Override
    public CacheEntry<K, V> getEntryIfPresent(K key) {
        Node<K, V> node = map.get(key);
        for (;;) {
            if (node == null) {
                stats.recordMiss();
                return null;
            }
            long now = now();
            V value = node.value;
            if (value != null) {
                if (now < node.deadline) {
                    onHit(node, now);
                    long left = node.deadline == Ttl.NEVER_NANOS ? Long.MAX_VALUE : node.deadline - now;
                    return new CacheEntry<>(node.key, value, left);
                }
                stats.recordMiss();
                afterRead(now);
                return null;
            }
            node = map.get(key);
        }
    }

    @Override
    public V get(K key, Function<? super K, ? extends V> loader) {
        Objects.requireNonNull(loader, "loader");
        V present = getIfPresent(key);
        if (present != null) {
            return present;
        }
        Load<K, V> load = new Load<>();
        map.compute(key, (k, current) -> {
            long now = now();
            if (current != null) {
                V value = current.value;
                if (value != null && now < current.deadline) {
                    load.value = value; // loaded by a racing caller meanwhile
                    return current;
                }
            }
            long start = ticker.read();
            V loaded;
            try {
                loaded = loader.apply(k);
            } catch (RuntimeException | Error e) {
                stats.recordLoad(false, ticker.read() - start);
                throw e;
            }
            stats.recordLoad(loaded != null, ticker.read() - start);
            if (loaded == null) {
                return current; // leaves an expired node to maintenance
            }
            load.value = loaded;
            load.created = newNode(k, loaded, now, defaultTtlNanos);
            load.replaced = current;
            load.now = now;
            return load.created;
        });
        if (load.created != null) {
            stats.recordPut();
            afterWrite(load.created, load.replaced, load.now);
        }
        return load.value;
    }

    /** What a {@code get(key, loader)} compute did; written inside the compute, read after it. */
    private static final class Load<K, V> {
        V value;
        Node<K, V> created;
        Node<K, V> replaced;
        long now;
    }

    private void onHit(Node<K, V> node, long now) {
        if (policy != null) {
            ((BoundedNode<K, V>) node).recordAccess();
        }
        stats.recordHit();
        afterRead(now);
    }

    private void afterRead(long now) {
        if (now >= (long) NEXT_MAINTENANCE.getOpaque(this)) {
            maintainIfIdle();
        }
    }

    // ---------------------------------------------------------------- writes

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
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        long now = now();
        Node<K, V> created = newNode(key, value, now, ttlNanos);
        Node<K, V> replaced = map.put(key, created);
        stats.recordPut();
        V previous = replaced == null || now >= replaced.deadline ? null : replaced.value;
        afterWrite(created, replaced, now);
        return previous;
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return putIfAbsent(key, value, defaultTtlNanos);
    }

    @Override
    public V putIfAbsent(K key, V value, Duration ttl) {
        return putIfAbsent(key, value, Ttl.toNanos(ttl));
    }

    private V putIfAbsent(K key, V value, long ttlNanos) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        for (;;) {
            long now = now();
            Node<K, V> current = map.get(key);
            if (current != null) {
                V currentValue = current.value;
                if (currentValue == null) {
                    continue; // retired meanwhile
                }
                if (now < current.deadline) {
                    return currentValue;
                }
            }
            Node<K, V> created = newNode(key, value, now, ttlNanos);
            boolean stored = current == null
                    ? map.putIfAbsent(key, created) == null
                    : map.replace(key, current, created); // the expired node, if still mapped
            if (stored) {
                stats.recordPut();
                afterWrite(created, current, now);
                return null;
            }
        }
    }

    @Override
    public V replace(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        for (;;) {
            long now = now();
            Node<K, V> current = map.get(key);
            if (current == null) {
                return null;
            }
            V currentValue = current.value;
            if (currentValue == null) {
                continue;
            }
            if (now >= current.deadline) {
                return null;
            }
            Node<K, V> created = newNode(key, value, now, defaultTtlNanos);
            if (map.replace(key, current, created)) {
                stats.recordPut();
                afterWrite(created, current, now);
                return currentValue;
            }
        }
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
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(value, "value");
        for (;;) {
            long now = now();
            Node<K, V> current = map.get(key);
            if (current == null) {
                return false;
            }
            V currentValue = current.value;
            if (currentValue == null) {
                continue;
            }
            if (now >= current.deadline || !currentValue.equals(expected)) {
                return false;
            }
            Node<K, V> created = newNode(key, value, now, ttlNanos);
            if (map.replace(key, current, created)) {
                stats.recordPut();
                afterWrite(created, current, now);
                return true;
            }
        }
    }

    @Override
    public V remove(K key) {
        Node<K, V> removed = map.remove(key);
        if (removed == null) {
            return null;
        }
        long now = now();
        V value = removed.retire();
        boolean expired = now >= removed.deadline;
        notifyRemoval(removed.key, value, expired ? RemovalCause.EXPIRED : RemovalCause.EXPLICIT);
        afterRemove(now);
        return expired ? null : value;
    }

    @Override
    public boolean remove(K key, V expected) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(expected, "expected");
        for (;;) {
            long now = now();
            Node<K, V> current = map.get(key);
            if (current == null) {
                return false;
            }
            V currentValue = current.value;
            if (currentValue == null) {
                continue;
            }
            if (now >= current.deadline || !currentValue.equals(expected)) {
                return false;
            }
            if (map.remove(key, current)) {
                notifyRemoval(current.key, current.retire(), RemovalCause.EXPLICIT);
                afterRemove(now);
                return true;
            }
        }
    }

    @Override
    public void invalidateAll() {
        for (Map.Entry<K, Node<K, V>> e : map.entrySet()) {
            Node<K, V> node = e.getValue();
            if (map.remove(e.getKey(), node)) {
                boolean expired = now() >= node.deadline;
                notifyRemoval(node.key, node.retire(), expired ? RemovalCause.EXPIRED : RemovalCause.EXPLICIT);
            }
        }
        afterRemove(now());
    }

    private Node<K, V> newNode(K key, V value, long now, long ttlNanos) {
        long deadline = Ttl.deadline(now, ttlNanos);
        if (policy == null) {
            return new Node<>(key, value, deadline);
        }
        int weight = weigher == null ? 1 : weigher.weigh(key, value);
        if (weight < 0) {
            throw new IllegalArgumentException("weigher returned a negative weight " + weight + " for key " + key);
        }
        return new BoundedNode<>(key, value, deadline, weight);
    }

    /**
     * Completes a write that put {@code created} into the map in place of {@code replaced} (or of
     * nothing): retires and reports the old node, schedules the new one, and runs maintenance if due.
     */
    private void afterWrite(Node<K, V> created, Node<K, V> replaced, long now) {
        if (replaced != null) {
            // Retire before the buffer push below, so maintenance never sees a live predecessor
            // it must keep after draining its replacement.
            V old = replaced.retire();
            notifyRemoval(replaced.key, old, now >= replaced.deadline ? RemovalCause.EXPIRED : RemovalCause.REPLACED);
        }
        if (created.deadline != Ttl.NEVER_NANOS) {
            wheel.schedule(created, now);
        }
        if (policy != null) {
            BoundedNode<K, V> node = (BoundedNode<K, V>) created;
            node.replaced = (BoundedNode<K, V>) replaced;
            writeBuffer.push(node);
            maintainIfIdle();
        } else if (now >= (long) NEXT_MAINTENANCE.getOpaque(this)) {
            maintainIfIdle();
        }
    }

    private void afterRemove(long now) {
        if (now >= (long) NEXT_MAINTENANCE.getOpaque(this)) {
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
                BoundedNode<K, V> next = node.next;
                node.next = null;
                policy.onWrite(node);
                node = next;
            }
        }
        if (exact) {
            wheel.advanceExactly(now, node -> expire(node, now));
        } else {
            wheel.advance(now, node -> expire(node, now));
        }
        if (policy != null) {
            policy.evictExcess(node -> evict(node, now));
        }
        // Opaque: operations poll it; a stale value only makes one of them try the lock needlessly.
        NEXT_MAINTENANCE.setOpaque(this, wheel.nextTick(now));
    }

    /** The wheel found {@code node} due or retired. Lock held. */
    private void expire(Node<K, V> node, long now) {
        if (!node.isRetired() && map.remove(node.key, node)) {
            pendRemoval(node.key, node.retire(), RemovalCause.EXPIRED);
        }
        if (policy != null) {
            policy.onDead((BoundedNode<K, V>) node);
        }
    }

    /** The policy chose {@code node} to evict. Lock held. */
    private boolean evict(BoundedNode<K, V> node, long now) {
        if (!map.remove(node.key, node)) {
            return false; // replaced or removed meanwhile: that thread reports it
        }
        pendRemoval(node.key, node.retire(), now >= node.deadline ? RemovalCause.EXPIRED : RemovalCause.SIZE);
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
        } catch (RuntimeException e) {
            // Documented: a listener's exception never reaches the cache's caller.
        }
    }

    private record Removal<K, V>(K key, V value, RemovalCause cause) {}

    // ---------------------------------------------------------------- views and state

    @Override
    public long estimatedSize() {
        return map.mappingCount();
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
    public void close() {
        if (scheduledCleanUp != null) {
            scheduledCleanUp.cancel(false);
        }
    }

    long now() {
        return ticker.read() - origin;
    }

    /** Iterates the live entries, skipping expired ones, as snapshots; weakly consistent. */
    Iterator<CacheEntry<K, V>> liveEntries() {
        Iterator<Node<K, V>> nodes = map.values().iterator();
        return new Iterator<>() {
            private CacheEntry<K, V> next;

            @Override
            public boolean hasNext() {
                while (next == null && nodes.hasNext()) {
                    Node<K, V> node = nodes.next();
                    V value = node.value;
                    long now = now();
                    if (value != null && now < node.deadline) {
                        long left = node.deadline == Ttl.NEVER_NANOS ? Long.MAX_VALUE : node.deadline - now;
                        next = new CacheEntry<>(node.key, value, left);
                    }
                }
                return next != null;
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
        Node<K, V> node = map.get(key);
        return node != null && !node.isRetired() && now() < node.deadline;
    }

    /** The live value of an untyped key, without counting stats; for views. */
    V getQuietly(Object key) {
        for (;;) {
            Node<K, V> node = map.get(key);
            if (node == null) {
                return null;
            }
            V value = node.value;
            if (value != null) {
                return now() < node.deadline ? value : null;
            }
        }
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
