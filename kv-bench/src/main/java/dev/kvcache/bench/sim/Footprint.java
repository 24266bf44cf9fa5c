package dev.kvcache.bench.sim;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.Ticker;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.cache2k.Cache2kBuilder;
import org.openjdk.jol.info.GraphStats;
import org.openjdk.jol.vm.VM;

/**
 * Measures the memory each entry costs beyond its key and value, in ConcurrentHashMap, Caffeine 3.3.1
 * with {@code expireAfterWrite} (alone and with {@code maximumSize}), cache2k 2.6.1 with
 * {@code expireAfterWrite} (unbounded, and with {@code entryCapacity}) and kvcache with a TTL (alone
 * and with {@code maximumSize}), by walking the object graph of each filled with 1e6
 * {@code Long -> Long} entries with JOL.
 *
 * <p>Expect about 40 B for ConcurrentHashMap (node and table slot), about 80 B for Caffeine with
 * {@code expireAfterWrite} (a node carrying its write time and two queue links) and about 100 B with
 * a bound (frequency sketch and policy links); cache2k near Caffeine (an entry object with its own
 * hash chain, eviction links and timer links); kvcache should stay at or below both.
 *
 * <p>Per entry = (retained size of the filled cache - retained size of the keys and values it holds) /
 * the entries it holds, after {@code cleanUp()} (1e6 of each, unless a bound evicted some). The
 * figure therefore includes the table at its load factor and every per-capacity structure (sketch,
 * ghost list) but also the few fixed kilobytes of an empty cache,
 * which add under 0.01 B per entry; the empty size is printed to show that. cache2k's graph reaches
 * its manager's class loader (about 1 MB shared with the rest of the JVM), so its rows subtract the
 * empty cache too, which leaves out its own fixed structures (tens of kilobytes, under 0.1 B per
 * entry); each cache2k cache is closed once measured, as its manager links the open caches.
 *
 * <pre>
 * java -Xmx4g -Djdk.attach.allowAttachSelf=true -cp kv-bench/target/benchmarks.jar dev.kvcache.bench.sim.Footprint
 * </pre>
 */
public final class Footprint {
    private static final int ENTRIES = 1_000_000;
    private static final Duration TTL = Duration.ofSeconds(10);

    /**
     * Prints bytes per entry for each structure.
     *
     * @param args optional: the number of entries (default 1e6)
     */
    public static void main(String[] args) {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : ENTRIES;
        Long[] keys = new Long[entries];
        Long[] values = new Long[entries];
        long keysAndValuesBytes = 0;
        for (int i = 0; i < entries; i++) {
            keys[i] = (long) i;
            // Distinct objects, outside the Long cache, so every value is a separate 16 B object.
            values[i] = (long) i + Integer.MAX_VALUE;
            keysAndValuesBytes += VM.current().sizeOf(keys[i]) + VM.current().sizeOf(values[i]);
        }
        System.out.printf(Locale.ROOT, "Memory per entry beyond key and value, %,d Long -> Long entries"
                + " (keys and values: %,d B in all), JOL on %s:%n%n", entries, keysAndValuesBytes,
                System.getProperty("java.vm.version"));
        System.out.println("| structure | entries after cleanUp | empty (B) | filled (B) | per entry (B) |");
        System.out.println("|---|---:|---:|---:|---:|");
        Footprint footprint = new Footprint(keys, values, keysAndValuesBytes);
        footprint.measure("ConcurrentHashMap", ConcurrentHashMap<Long, Long>::new,
                ConcurrentHashMap::put, ConcurrentHashMap::mappingCount);
        // Maintenance on the calling thread, so that cleanUp() settles the cache and the graph does
        // not reach into ForkJoinPool.commonPool() and its threads.
        footprint.measure("Caffeine expireAfterWrite",
                () -> Caffeine.newBuilder().expireAfterWrite(TTL).executor(Runnable::run).<Long, Long>build(),
                Cache::put, Footprint::settleCaffeine);
        footprint.measure("Caffeine expireAfterWrite + maximumSize",
                () -> Caffeine.newBuilder().expireAfterWrite(TTL).maximumSize(entries)
                        .executor(Runnable::run).<Long, Long>build(),
                Cache::put, Footprint::settleCaffeine);
        // The system ticker: the default coarse one references its clock thread, through which the
        // graph would reach every thread of the JVM. Entries and table do not depend on the ticker.
        footprint.measure("kvcache timeToLive",
                () -> KvCache.builder().timeToLive(TTL).ticker(Ticker.system()).<Long, Long>build(),
                KvCache::put, Footprint::settleKvCache);
        footprint.measure("kvcache timeToLive + maximumSize",
                () -> KvCache.builder().timeToLive(TTL).maximumSize(entries).ticker(Ticker.system())
                        .<Long, Long>build(),
                KvCache::put, Footprint::settleKvCache);
        // Last: once cache2k has started, the graph of a kvcache built later reaches a JDK-internal
        // hidden class (ProcessHandleImpl's thread factory) that JOL cannot walk. Long.MAX_VALUE is cache2k's "capacity not limited"
        // (its default bound is 1,802 entries). Its graph reaches the class loader through its cache
        // manager, so its rows subtract the empty cache, which holds that shared graph once.
        footprint.measureMinusEmpty("cache2k expireAfterWrite",
                () -> cache2k().entryCapacity(Long.MAX_VALUE).build(),
                org.cache2k.Cache::put, Footprint::settleCache2k);
        footprint.measureMinusEmpty("cache2k expireAfterWrite + entryCapacity",
                () -> cache2k().entryCapacity(entries).build(),
                org.cache2k.Cache::put, Footprint::settleCache2k);
    }

    private final Long[] keys;
    private final Long[] values;
    private final long keysAndValuesBytes;

    private Footprint(Long[] keys, Long[] values, long keysAndValuesBytes) {
        this.keys = keys;
        this.values = values;
        this.keysAndValuesBytes = keysAndValuesBytes;
    }

    private <T> void measure(String name, Supplier<T> factory, Put<T> put,
            ToLongFunction<T> settle) {
        fillAndPrint(name, factory, put, settle, false);
    }

    /** Like {@link #measure}, with the empty structure's size subtracted from the filled one's. */
    private <T> void measureMinusEmpty(String name, Supplier<T> factory, Put<T> put,
            ToLongFunction<T> settle) {
        fillAndPrint(name + " (minus empty)", factory, put, settle, true);
    }

    private <T> void fillAndPrint(String name, Supplier<T> factory, Put<T> put,
            ToLongFunction<T> settle, boolean minusEmpty) {
        T empty = factory.get();
        settle.applyAsLong(empty);
        long emptyBytes = GraphStats.parseInstance(empty).totalSize();
        close(empty);
        T filled = factory.get();
        for (int i = 0; i < keys.length; i++) {
            put.put(filled, keys[i], values[i]);
        }
        long size = settle.applyAsLong(filled);
        long filledBytes = GraphStats.parseInstance(filled).totalSize();
        close(filled);
        // A bounded cache may hold fewer entries than were written: count only the keys and values it
        // holds (all the same size), and divide by the entries it holds.
        double heldKeysAndValuesBytes = (double) keysAndValuesBytes * size / keys.length;
        double entriesBytes = filledBytes - heldKeysAndValuesBytes - (minusEmpty ? emptyBytes : 0);
        System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f |%n", name, size, emptyBytes,
                filledBytes, entriesBytes / size);
    }

    private static long settleCaffeine(Cache<Long, Long> cache) {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /**
     * cache2k with {@code expireAfterWrite}, its timer and tasks kept off shared threads (as Caffeine's
     * maintenance is above), so that the graph does not reach into the JVM's threads: the per-entry
     * structures (entry, hash table, eviction and timer links) are the same.
     */
    private static Cache2kBuilder<Long, Long> cache2k() {
        return Cache2kBuilder.of(Long.class, Long.class).expireAfterWrite(TTL)
                .executor(Runnable::run).scheduler(new IdleScheduler());
    }

    /** Runs tasks at once and never runs a timed one: nothing is due while a footprint is measured. */
    private static final class IdleScheduler implements org.cache2k.operation.Scheduler {
        @Override
        public void schedule(Runnable task, long delayMillis) {}

        @Override
        public void execute(Runnable task) {
            task.run();
        }
    }

    /** cache2k has no maintenance to run: its timer expires entries, and it evicts on insert. */
    private static long settleCache2k(org.cache2k.Cache<Long, Long> cache) {
        return cache.asMap().size();
    }

    private static void close(Object structure) {
        if (structure instanceof org.cache2k.Cache) {
            ((org.cache2k.Cache<?, ?>) structure).close();
        }
    }

    private static long settleKvCache(KvCache<Long, Long> cache) {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** Writes one entry into a structure. */
    @FunctionalInterface
    private interface Put<T> {
        void put(T structure, Long key, Long value);
    }
}
