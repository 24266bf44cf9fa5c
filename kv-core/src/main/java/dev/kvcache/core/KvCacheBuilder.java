package dev.kvcache.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * Configures and builds a {@link KvCache}. Obtain one with {@link KvCache#builder()}; every setting is
 * optional and has the default its method states. A builder is not thread-safe; the caches it builds
 * are independent of it and of each other.
 *
 * <pre>{@code
 * KvCache<String, byte[]> cache = KvCache.builder()
 *         .timeToLive(Duration.ofSeconds(10))
 *         .maximumSize(100_000)
 *         .build();
 * }</pre>
 *
 * @param <K> the key type the cache will take
 * @param <V> the value type the cache will take
 */
public final class KvCacheBuilder<K, V> {
    static final long UNSET = -1;

    long ttlNanos = Long.MAX_VALUE;
    long maximumWeight = UNSET;
    boolean weighted;
    Weigher<? super K, ? super V> weigher;
    Ticker ticker = Ticker.coarse();
    RemovalListener<? super K, ? super V> removalListener;
    Executor executor;
    ScheduledExecutorService scheduler;
    /** Makes each cache's statistics counter; null: no statistics. */
    Supplier<? extends StatsCounter> statsCounters;
    int initialCapacity = 16;
    // ---- per-entry expiry (issue 10; core-inplace)
    Expiry<? super K, ? super V> expiry;
    boolean ttlSet;
    long idleNanos; // 0: no time-to-idle
    // ----

    KvCacheBuilder() {}

    /**
     * Sets the time-to-live of entries written without their own (default: entries never expire).
     *
     * @param ttl a positive duration; {@link KvCache#NEVER} (or anything of {@link Long#MAX_VALUE}
     *     nanoseconds or more) for no expiry
     * @return this builder
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    public KvCacheBuilder<K, V> timeToLive(Duration ttl) {
        ttlNanos = Ttl.toNanos(ttl);
        ttlSet = true;
        return this;
    }

    /**
     * Bounds the cache to about {@code maximumSize} entries, evicting with the S3-FIFO policy when it
     * grows beyond (see {@link #maximumWeight}). Cannot be combined with {@code maximumWeight}.
     *
     * @param maximumSize the most entries to keep, zero or more
     * @return this builder
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     * @throws IllegalStateException if a maximum size or weight was already set
     */
    public KvCacheBuilder<K, V> maximumSize(long maximumSize) {
        requireBoundUnset();
        if (maximumSize < 0) {
            throw new IllegalArgumentException("maximumSize must be >= 0, was " + maximumSize);
        }
        this.maximumWeight = maximumSize;
        return this;
    }

    /**
     * Bounds the total weight of the entries, as computed by {@code weigher} when each is written.
     *
     * <p>When a write takes the cache over the bound, entries are evicted ({@link RemovalCause#SIZE})
     * until it is within again, by S3-FIFO: new entries enter a small FIFO queue (a tenth of the
     * weight); those read again before they reach its end (by a call that {@link #timeToIdle} lists as
     * an access, {@code asMap().get} included; {@code containsKey} and the map views' operations are
     * not reads here either) move to the main queue, the others are
     * evicted and remembered in a ghost list so that a quick re-insert goes straight to the main queue;
     * the main queue gives every entry that was read one more round (a CLOCK). Scans and one-hit
     * wonders so pass through without flushing the popular entries. The bound is restored by the
     * writing thread before its write returns, unless another thread is doing the maintenance at that
     * moment, in which case that thread restores it as it finishes (or, under a continuous stream of
     * writes from other threads, their next write does). Writers cannot outrun eviction: once 32 writes
     * have been left to the thread doing maintenance, the next writer waits for it and evicts itself, so
     * under any number of concurrent writers the cache holds at most about 64 entries (their weight, if
     * weighted) beyond the bound, plus the writes in flight. Maintenance never waits for a compute
     * function ({@code asMap().compute} and its kin): while one holds the lock of a victim's table
     * segment, it evicts other entries and leaves that one for a later pass, so a compute function
     * that writes another cache cannot deadlock with eviction. {@link KvCache#cleanUp()} always
     * restores the bound (waiting for compute functions if it must). Each entry keeps the weight its value was
     * given, so that the weigher runs once per write (see {@link Weigher}): 8 bytes more per entry
     * than a {@link #maximumSize} cache's.
     *
     * @param maximumWeight the bound, zero or more
     * @param weigher computes each entry's weight
     * @param <K1> the key type
     * @param <V1> the value type
     * @return this builder, typed for the weigher
     * @throws NullPointerException if {@code weigher} is null
     * @throws IllegalArgumentException if {@code maximumWeight} is negative
     * @throws IllegalStateException if a maximum size or weight was already set
     */
    public <K1 extends K, V1 extends V> KvCacheBuilder<K1, V1> maximumWeight(
            long maximumWeight, Weigher<? super K1, ? super V1> weigher) {
        requireBoundUnset();
        Objects.requireNonNull(weigher, "weigher");
        if (maximumWeight < 0) {
            throw new IllegalArgumentException("maximumWeight must be >= 0, was " + maximumWeight);
        }
        @SuppressWarnings("unchecked")
        KvCacheBuilder<K1, V1> self = (KvCacheBuilder<K1, V1>) this;
        self.maximumWeight = maximumWeight;
        self.weighted = true;
        self.weigher = weigher;
        return self;
    }

    /**
     * Sets the time source for expiry (default: {@link Ticker#coarse()}, whose clock thread runs only
     * while a cache built with it is open; choosing another ticker never starts that thread).
     *
     * @param ticker the ticker
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     */
    public KvCacheBuilder<K, V> ticker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        return this;
    }

    /**
     * Sets the listener told of every removal (default: none).
     *
     * @param listener the listener
     * @param <K1> the key type
     * @param <V1> the value type
     * @return this builder, typed for the listener
     * @throws NullPointerException if {@code listener} is null
     */
    public <K1 extends K, V1 extends V> KvCacheBuilder<K1, V1> removalListener(
            RemovalListener<? super K1, ? super V1> listener) {
        Objects.requireNonNull(listener, "listener");
        @SuppressWarnings("unchecked")
        KvCacheBuilder<K1, V1> self = (KvCacheBuilder<K1, V1>) this;
        self.removalListener = listener;
        return self;
    }

    /**
     * Sets the executor that runs a {@link LoadingCache}'s {@link LoadingCache#refresh refreshes}
     * (default: {@link ForkJoinPool#commonPool()}), removal notifications (default: the thread that
     * caused the removal, after the cache has released every lock), and the maintenance that reads find due: with an
     * executor, a read that finds a wheel tick has passed hands maintenance to it (at most one task
     * queued at a time) instead of running it, so reads take no lock. Writes still run maintenance on
     * their own thread, in small amortized steps, as does the {@link #scheduler scheduler}. If the
     * executor refuses a notification (or throws), the notification runs on the calling thread.
     *
     * @param executor the executor
     * @return this builder
     * @throws NullPointerException if {@code executor} is null
     */
    public KvCacheBuilder<K, V> executor(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * Has the cache reclaim expired entries periodically on {@code scheduler}, so that memory is
     * released even when no thread touches the cache (default: maintenance happens only during
     * operations). The task runs about every 67 ms (one tick of the timer wheel), and is cancelled by {@link KvCache#close()}. The
     * scheduler is not shut down by the cache.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     */
    public KvCacheBuilder<K, V> scheduler(ScheduledExecutorService scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        return this;
    }

    /**
     * Enables {@link KvCache#stats()} (default: off, and {@code stats()} returns
     * {@link CacheStats#empty()}). Counting costs a few nanoseconds per operation.
     *
     * @return this builder
     */
    public KvCacheBuilder<K, V> recordStats() {
        this.statsCounters = StatsCounter::striped;
        return this;
    }

    /**
     * Enables statistics, recorded by a counter of the caller's ({@link StatsCounter}), for example
     * one that feeds a metrics library's meters as operations happen; {@link KvCache#stats()} then
     * returns its {@link StatsCounter#snapshot() snapshot}. The supplier is called once by each
     * {@link #build()}, so that caches built from one builder do not share a counter unless it returns
     * the same one. Replaces an earlier {@link #recordStats()}.
     *
     * @param counters makes the counter of each cache built; must not return null
     * @return this builder
     * @throws NullPointerException if {@code counters} is null (and at {@code build()}, if it returns null)
     */
    public KvCacheBuilder<K, V> recordStats(Supplier<? extends StatsCounter> counters) {
        this.statsCounters = Objects.requireNonNull(counters, "counters");
        return this;
    }

    /**
     * Sizes the internal table for this many entries (default: 16), to avoid resizing while filling:
     * the table doubles when 3/4 of its slots are used, and the write that starts a doubling splits
     * every slot's chain while other writers wait (readers do not), much as a {@code ConcurrentHashMap}
     * writer that starts a resize transfers every bin itself.
     * The table is allocated when the cache is built, about 4 to 8 bytes per slot and up to 2.7 slots
     * per entry; the hint is capped at 2<sup>30</sup> slots in all, as {@code ConcurrentHashMap} caps
     * its own table, so a huge value costs gigabytes at {@link #build()}.
     *
     * @param initialCapacity the expected number of entries, zero or more
     * @return this builder
     * @throws IllegalArgumentException if {@code initialCapacity} is negative
     */
    public KvCacheBuilder<K, V> initialCapacity(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity must be >= 0, was " + initialCapacity);
        }
        this.initialCapacity = initialCapacity;
        return this;
    }

    // ---------------------------------------------------------------- per-entry expiry (issue 10)

    /**
     * Gives each entry written without a TTL of its own the TTL that {@code expiry} computes when the
     * entry is created or updated (default: none; every such entry gets {@link #timeToLive}), and,
     * if it overrides {@link Expiry#afterReadNanos}, the TTL a read hit gives a live entry. See
     * {@link Expiry} for when it is consulted, what a bad TTL or an exception does, and what its read
     * hook costs (without one, hits are as cheap as without a function). Cannot be combined with
     * {@link #timeToLive}, nor a read hook with {@link #timeToIdle}. Costs no memory per entry (8 bytes
     * with a time-to-idle, see there).
     *
     * @param expiry the expiry function
     * @param <K1> the key type
     * @param <V1> the value type
     * @return this builder, typed for the function
     * @throws NullPointerException if {@code expiry} is null
     */
    public <K1 extends K, V1 extends V> KvCacheBuilder<K1, V1> expiry(Expiry<? super K1, ? super V1> expiry) {
        Objects.requireNonNull(expiry, "expiry");
        @SuppressWarnings("unchecked")
        KvCacheBuilder<K1, V1> self = (KvCacheBuilder<K1, V1>) this;
        self.expiry = expiry;
        return self;
    }

    /**
     * Makes entries expire once they have been neither read nor written for {@code idle}
     * (expire-after-access; default: off). A write gives the entry the deadline {@code now + idle}
     * (or its own TTL, for {@code put(k, v, ttl)}); a read hit (exactly the reads that consult
     * {@link Expiry#afterReadNanos}: {@code getIfPresent}, {@code getEntryIfPresent},
     * {@code getAllPresent}, {@code get(k, loader)}, a loading cache's {@code get} and {@code getAll},
     * {@code asMap().get}, {@code getOrDefault} and {@code computeIfAbsent} of a live key) moves it to
     * {@code now + idle}. As Guava and Caffeine specify, {@code asMap().containsKey} and the
     * operations of the map's collection views (their {@code contains}, iteration, {@code removeIf},
     * {@code equals}, {@code hashCode}), the map's {@code containsValue}, {@code equals},
     * {@code hashCode} and {@code forEach}, and {@link Policy}'s quiet reads are not accesses: they
     * move no deadline and count no hit. Precision: a read moves the deadline only when that moves it by
     * more than {@code idle / 64}, so an entry expires between {@code idle - idle/64} and {@code idle}
     * after its last read, measured by the cache's ticker (whose own precision, about a millisecond
     * for the default {@link Ticker#coarse()}, adds to it); exactly {@code idle} after its last write.
     * Reads stay lock-free and allocation-free; a read that moves the deadline makes one CAS on the
     * entry. Alone it costs no memory per entry.
     *
     * <p>With {@link #timeToLive} or an {@link #expiry} function (one without a read hook), an entry
     * expires when idle for {@code idle}, or at the end of its TTL at the latest: every write (and
     * {@link KvCache#touch}, {@link KvCache#setTimeToLive}) sets the TTL's end from its own TTL, the
     * default or the function's, and the deadline {@code min(now + idle, that end)}; reads never move
     * the deadline past that end. This costs 8 bytes per entry (the TTL's end, in a node subclass),
     * only in caches configured so. Cannot be combined with an expiry function that overrides
     * {@link Expiry#afterReadNanos}.
     *
     * @param idle a positive duration, below {@link Long#MAX_VALUE} nanoseconds
     * @return this builder
     * @throws NullPointerException if {@code idle} is null
     * @throws IllegalArgumentException if {@code idle} is zero, negative or {@link KvCache#NEVER}
     */
    public KvCacheBuilder<K, V> timeToIdle(Duration idle) {
        Objects.requireNonNull(idle, "idle");
        if (idle.isZero() || idle.isNegative()) { // named here: Ttl's message would speak of a ttl
            throw new IllegalArgumentException("timeToIdle must be positive, was " + idle);
        }
        long nanos = Ttl.toNanos(idle);
        if (nanos == Ttl.NEVER_NANOS) {
            throw new IllegalArgumentException("timeToIdle must be below 292 years, was " + idle
                    + "; leave it unset for entries that never idle out");
        }
        idleNanos = nanos;
        return this;
    }

    // ----------------------------------------------------------------

    /**
     * Builds a cache with this configuration. The builder may be reused.
     *
     * @param <K1> the key type
     * @param <V1> the value type
     * @return a new, empty cache
     * @throws IllegalStateException if both {@link #timeToLive} and {@link #expiry} were set, or
     *     {@link #timeToIdle} with an expiry function that has a read hook
     */
    public <K1 extends K, V1 extends V> KvCache<K1, V1> build() {
        validate();
        @SuppressWarnings("unchecked")
        KvCacheBuilder<K1, V1> self = (KvCacheBuilder<K1, V1>) this;
        return new ExpiringCache<>(self);
    }

    /**
     * Builds a {@link LoadingCache} with this configuration that computes missing values with
     * {@code loader}. The builder may be reused.
     *
     * @param loader computes the values of absent keys
     * @param <K1> the key type
     * @param <V1> the value type
     * @return a new, empty loading cache
     * @throws NullPointerException if {@code loader} is null
     * @throws IllegalStateException for the configurations {@link #build()} refuses
     */
    public <K1 extends K, V1 extends V> LoadingCache<K1, V1> build(CacheLoader<? super K1, V1> loader) {
        Objects.requireNonNull(loader, "loader");
        validate();
        @SuppressWarnings("unchecked")
        KvCacheBuilder<K1, V1> self = (KvCacheBuilder<K1, V1>) this;
        return new LoadingKvCache<>(new ExpiringCache<>(self), loader,
                executor != null ? executor : ForkJoinPool.commonPool());
    }

    /** The checks of combined settings that both build methods make. */
    private void validate() {
        if (idleNanos != 0 && ExpiringCache.hasReadHook(expiry)) {
            throw new IllegalStateException("timeToIdle(" + java.time.Duration.ofNanos(idleNanos) + ") cannot be"
                    + " combined with expiry(" + expiry + "), which has a read hook: both would move deadlines on reads");
        }
        if (expiry != null && ttlSet) {
            throw new IllegalStateException("timeToLive(" + java.time.Duration.ofNanos(ttlNanos)
                    + ") and expiry(" + expiry + ") cannot both be set: the expiry function gives every entry its TTL");
        }
    }

    private void requireBoundUnset() {
        if (maximumWeight != UNSET) {
            throw new IllegalStateException("a maximum " + (weighted ? "weight" : "size")
                    + " was already set: " + maximumWeight);
        }
    }
}
