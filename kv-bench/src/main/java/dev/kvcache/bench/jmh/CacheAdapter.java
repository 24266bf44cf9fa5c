package dev.kvcache.bench.jmh;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.cache2k.Cache2kBuilder;

/**
 * The two operations the benchmarks measure, over each peer. A fork builds exactly one peer, so the
 * interface call stays monomorphic and the JIT inlines it: the adapter costs nothing measurable.
 */
interface CacheAdapter {

    /** The peers, as accepted by {@link #create}; the JMH {@code peer} parameter takes these. */
    List<String> PEERS = List.of(
            "ConcurrentHashMap", "chm-deadline", "Caffeine", "Caffeine-sameThread", "cache2k", "kvcache",
            "kvcache-system", "kvcache-noTtl");

    /** Returns the live value of {@code key}, or null. */
    Long get(Long key);

    /** Stores {@code value} under {@code key} with the peer's default TTL. */
    void put(Long key, Long value);

    /** Runs pending maintenance, so that a later check sees a settled cache. */
    void cleanUp();

    /** Releases the peer's threads and timers, if it has any; the adapter is unusable afterwards. */
    default void close() {}

    /**
     * Builds one peer, unbounded, with every written entry living {@code ttl} (except in
     * ConcurrentHashMap, which has no expiry and is the ceiling):
     * <ul>
     *   <li>{@code ConcurrentHashMap}: {@code new ConcurrentHashMap<>()}.
     *   <li>{@code chm-deadline}: a {@code ConcurrentHashMap} of value-and-deadline holders whose get
     *       reads {@link Ticker#coarse()} (kvcache's default clock word) and returns the value if the
     *       reading is below the deadline; a put allocates a holder. The least an expiring map on
     *       ConcurrentHashMap can do per hit; a benchmark peer only (see {@link DeadlineMapAdapter}).
     *   <li>{@code Caffeine}: {@code Caffeine.newBuilder().expireAfterWrite(ttl).build()}, all other
     *       settings default (maintenance on {@code ForkJoinPool.commonPool()}).
     *   <li>{@code Caffeine-sameThread}: the same with {@code .executor(Runnable::run)}, maintenance on
     *       the calling thread as kvcache does it.
     *   <li>{@code cache2k}: {@code Cache2kBuilder.of(Long.class, Long.class).expireAfterWrite(ttl)
     *       .entryCapacity(Long.MAX_VALUE).build()}: cache2k's documented "capacity not limited" (its
     *       default capacity is 1,802 entries), all other settings default, so expiry is lenient (a timer
     *       removes an entry up to about a second after its deadline; reads check no clock). Reads use
     *       {@code peek}, which never calls a loader, like {@code getIfPresent}.
     *   <li>{@code kvcache}: {@code KvCache.builder().timeToLive(ttl).build()}, the default coarse ticker.
     *   <li>{@code kvcache-system}: the same with {@code .ticker(Ticker.system())}, a clock call per read
     *       as Caffeine makes it.
     *   <li>{@code kvcache-noTtl}: {@code KvCache.builder().build()}, entries never expire: a diagnostic
     *       that separates the cost of the table from the cost of expiry.
     * </ul>
     *
     * @throws IllegalArgumentException for an unknown peer
     */
    static CacheAdapter create(String peer, Duration ttl) {
        switch (peer) {
            case "ConcurrentHashMap":
                return new MapAdapter(new ConcurrentHashMap<>());
            case "chm-deadline":
                return new DeadlineMapAdapter(ttl);
            case "Caffeine":
                return new CaffeineAdapter(Caffeine.newBuilder().expireAfterWrite(ttl).build());
            case "Caffeine-sameThread":
                return new CaffeineAdapter(
                        Caffeine.newBuilder().expireAfterWrite(ttl).executor(Runnable::run).build());
            case "cache2k":
                return new Cache2kAdapter(Cache2kBuilder.of(Long.class, Long.class)
                        .expireAfterWrite(ttl).entryCapacity(Long.MAX_VALUE).build());
            case "kvcache":
                return new KvCacheAdapter(KvCache.builder().timeToLive(ttl).build());
            case "kvcache-system":
                return new KvCacheAdapter(
                        KvCache.builder().timeToLive(ttl).ticker(Ticker.system()).build());
            case "kvcache-noTtl":
                return new KvCacheAdapter(KvCache.builder().build());
            default:
                throw new IllegalArgumentException("unknown peer " + peer + ", expected one of " + PEERS);
        }
    }

    /** ConcurrentHashMap: no expiry, no maintenance. */
    final class MapAdapter implements CacheAdapter {
        private final ConcurrentHashMap<Long, Long> map;

        MapAdapter(ConcurrentHashMap<Long, Long> map) {
            this.map = map;
        }

        @Override
        public Long get(Long key) {
            return map.get(key);
        }

        @Override
        public void put(Long key, Long value) {
            map.put(key, value);
        }

        @Override
        public void cleanUp() {}
    }

    /**
     * The floor of an expiring hit on ConcurrentHashMap: the map's get, one load of the holder's
     * deadline, one reading of the coarse clock (kvcache's: a volatile load and its "ticking" bit test,
     * through a constant, as {@code ExpiringCache} reads it) and a compare. No removal of expired
     * entries, no maintenance, no per-key atomicity of value and deadline beyond the holder's final
     * fields: it is the per-hit work of expiry and nothing else, for comparison only.
     */
    final class DeadlineMapAdapter implements CacheAdapter {
        /** A constant to the JIT: the read compiles to the clock word's load, as in kvcache. */
        private static final Ticker CLOCK = Ticker.coarse();

        /** An entry: its value and the clock reading from which it is expired. */
        private static final class Holder {
            final Long value;
            final long deadline;

            Holder(Long value, long deadline) {
                this.value = value;
                this.deadline = deadline;
            }
        }

        private final ConcurrentHashMap<Long, Holder> map = new ConcurrentHashMap<>();
        private final long ttlNanos;
        /*
         * Keeps the shared clock thread ticking: the coarse ticker runs its thread only while some cache
         * built with it is open, and reads System.nanoTime() itself otherwise.
         */
        private final KvCache<Long, Long> clockUser = KvCache.builder().build();

        DeadlineMapAdapter(Duration ttl) {
            this.ttlNanos = ttl.toNanos();
        }

        @Override
        public Long get(Long key) {
            Holder holder = map.get(key);
            return holder != null && CLOCK.read() < holder.deadline ? holder.value : null;
        }

        @Override
        public void put(Long key, Long value) {
            map.put(key, new Holder(value, CLOCK.read() + ttlNanos));
        }

        @Override
        public void cleanUp() {}

        @Override
        public void close() {
            clockUser.close();
        }
    }

    /** Caffeine's {@link Cache}: {@code getIfPresent} and {@code put}. */
    final class CaffeineAdapter implements CacheAdapter {
        private final Cache<Long, Long> cache;

        CaffeineAdapter(Cache<Long, Long> cache) {
            this.cache = cache;
        }

        @Override
        public Long get(Long key) {
            return cache.getIfPresent(key);
        }

        @Override
        public void put(Long key, Long value) {
            cache.put(key, value);
        }

        @Override
        public void cleanUp() {
            cache.cleanUp();
        }
    }

    /** kvcache: {@code getIfPresent} and {@code put} with the default TTL. */
    final class KvCacheAdapter implements CacheAdapter {
        private final KvCache<Long, Long> cache;

        KvCacheAdapter(KvCache<Long, Long> cache) {
            this.cache = cache;
        }

        @Override
        public Long get(Long key) {
            return cache.getIfPresent(key);
        }

        @Override
        public void put(Long key, Long value) {
            cache.put(key, value);
        }

        @Override
        public void cleanUp() {
            cache.cleanUp();
        }
    }

    /** cache2k's {@link org.cache2k.Cache}: {@code peek} and {@code put}. */
    final class Cache2kAdapter implements CacheAdapter {
        private final org.cache2k.Cache<Long, Long> cache;

        Cache2kAdapter(org.cache2k.Cache<Long, Long> cache) {
            this.cache = cache;
        }

        @Override
        public Long get(Long key) {
            return cache.peek(key);
        }

        @Override
        public void put(Long key, Long value) {
            cache.put(key, value);
        }

        /** Nothing to run: cache2k expires by timer events and has no pending work to drain. */
        @Override
        public void cleanUp() {}

        @Override
        public void close() {
            cache.close();
        }
    }
}
