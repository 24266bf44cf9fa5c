package dev.kvcache.bench.sim;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.openjdk.jol.info.GraphStats;
import org.openjdk.jol.vm.VM;

/**
 * Measures the memory each entry costs beyond its key and value, in ConcurrentHashMap, Caffeine 3.3.1
 * with {@code expireAfterWrite} (alone and with {@code maximumSize}) and kvcache with a TTL (alone and
 * with {@code maximumSize}), by walking the object graph of each filled with 1e6
 * {@code Long -> Long} entries with JOL.
 *
 * <p>Expect about 40 B for ConcurrentHashMap (node and table slot), about 80 B for Caffeine with
 * {@code expireAfterWrite} (a node carrying its write time and two queue links) and about 100 B with
 * a bound (frequency sketch and policy links); kvcache should stay at or below Caffeine.
 *
 * <p>Per entry = (retained size of the filled cache - retained size of the 1e6 keys and values) / 1e6,
 * after {@code cleanUp()}. The figure therefore includes the table at its load factor and every
 * per-capacity structure (sketch, ghost list) but also the few fixed kilobytes of an empty cache,
 * which add under 0.01 B per entry; the empty size is printed to show that.
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
        footprint.measure("kvcache timeToLive",
                () -> KvCache.builder().timeToLive(TTL).<Long, Long>build(),
                KvCache::put, Footprint::settleKvCache);
        footprint.measure("kvcache timeToLive + maximumSize",
                () -> KvCache.builder().timeToLive(TTL).maximumSize(entries).<Long, Long>build(),
                KvCache::put, Footprint::settleKvCache);
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
        T empty = factory.get();
        settle.applyAsLong(empty);
        long emptyBytes = GraphStats.parseInstance(empty).totalSize();
        T filled = factory.get();
        for (int i = 0; i < keys.length; i++) {
            put.put(filled, keys[i], values[i]);
        }
        long size = settle.applyAsLong(filled);
        long filledBytes = GraphStats.parseInstance(filled).totalSize();
        System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f |%n", name, size, emptyBytes,
                filledBytes, (double) (filledBytes - keysAndValuesBytes) / keys.length);
    }

    private static long settleCaffeine(Cache<Long, Long> cache) {
        cache.cleanUp();
        return cache.estimatedSize();
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
