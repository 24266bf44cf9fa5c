package dev.kvcache.bench.sim;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kvcache.core.KvCache;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.cache2k.Cache2kBuilder;

/**
 * Measures the hit ratio of the bounded caches on synthetic traces: kvcache with
 * {@code maximumSize} (S3-FIFO) against Caffeine 3.3.1 with {@code maximumSize} (W-TinyLFU) and
 * cache2k 2.6.1 with {@code entryCapacity} (Clock-Pro+), with a plain LRU
 * ({@link LinkedHashMap} in access order) for reference. Each request is a {@code get(key, loader)}
 * ({@code computeIfAbsent} in cache2k): a hit if the key is present, otherwise the loader runs (a miss)
 * and the cache stores its value. Nothing expires; only the eviction policy decides.
 *
 * <p>Traces: Zipf with exponent 0.9 and 0.99 over 1e6 keys, 2e6 requests, caches of 1 % and 10 % of the
 * key space; then a scan-resistance case, in which a Zipf 0.99 stream is interleaved one-for-one with
 * a single sequential pass over 1e6 keys never seen before (counted: hits among the Zipf requests,
 * compared with the same Zipf stream without the scan).
 *
 * <p>Expect Caffeine slightly above kvcache on pure Zipf (TinyLFU's frequency sketch admits by
 * long-term popularity; S3-FIFO only by "read again while in the small queue"), both well above LRU,
 * and cache2k in the same range (Clock-Pro+ also keeps ghost entries of recent evictions); and, with
 * the scan, the three near their scan-free ratio while LRU loses a large part of its hits.
 * Both caches run their maintenance on the calling thread ({@code executor(Runnable::run)} for
 * Caffeine; cache2k evicts on the calling thread too), so the traces and kvcache's result are
 * deterministic for the fixed seeds; Caffeine's can move by a few hundredths of a point between runs,
 * as its admission draws a random number against hash flooding.
 *
 * <pre>
 * java -cp kv-bench/target/benchmarks.jar dev.kvcache.bench.sim.HitRatioSimulation
 * </pre>
 */
public final class HitRatioSimulation {
    private static final int KEY_COUNT = 1_000_000;
    private static final int REQUESTS = 2_000_000;
    private static final long SEED = 42;

    /** How often the simulation checks that a cache holds no more than its bound. */
    private static final int SIZE_CHECK_INTERVAL = 1024;

    private static final String HEADER = "| trace | cache size | kvcache (S3-FIFO) | Caffeine (W-TinyLFU) |"
            + " cache2k (Clock-Pro+) | LRU | kvcache - Caffeine | kvcache - cache2k |";
    private static final String RULE = "|---|---:|---:|---:|---:|---:|---:|---:|";

    /** A bounded cache under simulation. */
    private interface Policy {
        Long get(Long key, Function<Long, Long> loader);

        /** The number of entries held now. */
        long size();

        /** Releases the cache's resources once its run is over. */
        default void close() {}
    }

    /** Counts its calls: each is a miss. */
    private static final class CountingLoader implements Function<Long, Long> {
        long loads;

        @Override
        public Long apply(Long key) {
            loads++;
            return key;
        }
    }

    private final Long[] keys;
    /** Bound violations seen, reported after the tables: a policy over its bound would inflate its ratio. */
    private final StringBuilder oversized = new StringBuilder();

    private HitRatioSimulation() {
        // The Zipf keys and, above them, the scan's keys, boxed once.
        keys = new Long[2 * KEY_COUNT];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (long) i;
        }
    }

    /**
     * Prints the hit ratios as Markdown tables.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        HitRatioSimulation simulation = new HitRatioSimulation();
        System.out.printf(Locale.ROOT, "Hit ratio, get(key, loader), %,d keys, %,d requests, no expiry:%n%n",
                KEY_COUNT, REQUESTS);
        System.out.println(HEADER);
        System.out.println(RULE);
        for (double exponent : new double[] {0.9, 0.99}) {
            Zipf zipf = new Zipf(KEY_COUNT, exponent, SEED);
            int[] trace = new int[REQUESTS];
            Arrays.setAll(trace, i -> zipf.next());
            for (int size : new int[] {KEY_COUNT / 100, KEY_COUNT / 10}) {
                simulation.printRow(String.format(Locale.ROOT, "Zipf %.2f", exponent), size, trace, null);
            }
        }
        simulation.scanResistance();
        System.out.println();
        System.out.println(simulation.oversized.length() == 0
                ? "Bound check: no cache held more entries than its maximum size at any check (every "
                        + SIZE_CHECK_INTERVAL + " requests)."
                : "BOUND EXCEEDED:\n" + simulation.oversized);
    }

    private void scanResistance() {
        int size = KEY_COUNT / 10;
        // Half a trace of warm-up, then Zipf requests alternating with a one-pass scan of new keys.
        Zipf zipf = new Zipf(KEY_COUNT, 0.99, SEED + 1);
        int warmup = REQUESTS / 2;
        int scanned = KEY_COUNT;
        int[] withScan = new int[warmup + 2 * scanned];
        boolean[] counted = new boolean[withScan.length];
        int[] withoutScan = new int[warmup + scanned];
        boolean[] countedWithoutScan = new boolean[withoutScan.length];
        for (int i = 0; i < warmup; i++) {
            withScan[i] = zipf.next();
            withoutScan[i] = withScan[i];
        }
        for (int i = 0; i < scanned; i++) {
            int zipfKey = zipf.next();
            withScan[warmup + 2 * i] = zipfKey;
            counted[warmup + 2 * i] = true;
            withScan[warmup + 2 * i + 1] = KEY_COUNT + i;
            withoutScan[warmup + i] = zipfKey;
            countedWithoutScan[warmup + i] = true;
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Scan resistance: cache of %,d, Zipf 0.99 after %,d warm-up requests;"
                + " hit ratio of %,d Zipf requests, alone and interleaved with a scan of %,d new keys:%n%n",
                size, warmup, scanned, scanned);
        System.out.println(HEADER);
        System.out.println(RULE);
        printRow("Zipf 0.99 alone", size, withoutScan, countedWithoutScan);
        printRow("Zipf 0.99 + scan", size, withScan, counted);
    }

    private void printRow(String trace, int size, int[] requests, boolean[] counted) {
        double kvcache = hitRatio("kvcache " + trace, size, kvcache(size), requests, counted);
        double caffeine = hitRatio("Caffeine " + trace, size, caffeine(size), requests, counted);
        double cache2k = hitRatio("cache2k " + trace, size, cache2k(size), requests, counted);
        double lru = hitRatio("LRU " + trace, size, lru(size), requests, counted);
        System.out.printf(Locale.ROOT,
                "| %s | %,d | %.2f %% | %.2f %% | %.2f %% | %.2f %% | %+.2f points | %+.2f points |%n",
                trace, size, 100 * kvcache, 100 * caffeine, 100 * cache2k, 100 * lru,
                100 * (kvcache - caffeine), 100 * (kvcache - cache2k));
    }

    /** The share of the counted requests (all when {@code counted} is null) that hit. */
    private double hitRatio(String name, int maximumSize, Policy policy, int[] requests, boolean[] counted) {
        CountingLoader loader = new CountingLoader();
        long hits = 0;
        long total = 0;
        long largest = 0;
        for (int i = 0; i < requests.length; i++) {
            if (i % SIZE_CHECK_INTERVAL == 0) {
                largest = Math.max(largest, policy.size());
            }
            long loadsBefore = loader.loads;
            policy.get(keys[requests[i]], loader);
            if (counted == null || counted[i]) {
                total++;
                if (loader.loads == loadsBefore) {
                    hits++;
                }
            }
        }
        largest = Math.max(largest, policy.size());
        policy.close();
        if (largest > maximumSize) {
            oversized.append(String.format(Locale.ROOT, "- %s: held %,d entries, bound %,d%n",
                    name, largest, maximumSize));
        }
        return (double) hits / total;
    }

    private static Policy kvcache(int size) {
        KvCache<Long, Long> cache = KvCache.builder().maximumSize(size).build();
        return new Policy() {
            @Override
            public Long get(Long key, Function<Long, Long> loader) {
                return cache.get(key, loader);
            }

            @Override
            public long size() {
                return cache.estimatedSize();
            }
        };
    }

    private static Policy caffeine(int size) {
        Cache<Long, Long> cache = Caffeine.newBuilder().maximumSize(size).executor(Runnable::run).build();
        return new Policy() {
            @Override
            public Long get(Long key, Function<Long, Long> loader) {
                return cache.get(key, loader);
            }

            @Override
            public long size() {
                return cache.estimatedSize();
            }
        };
    }

    private static Policy cache2k(int size) {
        // No expiry is cache2k's default. Each run builds an unnamed cache, which cache2k's default
        // manager holds until it is closed.
        org.cache2k.Cache<Long, Long> cache =
                Cache2kBuilder.of(Long.class, Long.class).entryCapacity(size).build();
        return new Policy() {
            @Override
            public Long get(Long key, Function<Long, Long> loader) {
                return cache.computeIfAbsent(key, loader);
            }

            @Override
            public long size() {
                return cache.asMap().size();
            }

            @Override
            public void close() {
                cache.close();
            }
        };
    }

    private static Policy lru(int size) {
        Map<Long, Long> map = new LinkedHashMap<>(2 * size, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
                return size() > size;
            }
        };
        return new Policy() {
            @Override
            public Long get(Long key, Function<Long, Long> loader) {
                return map.computeIfAbsent(key, loader);
            }

            @Override
            public long size() {
                return map.size();
            }
        };
    }
}
