package dev.kvcache.bench.jmh;

import dev.kvcache.core.HitPathProbe;
import dev.kvcache.core.KvCache;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Locale;

/**
 * Measures {@code CacheBenchmark.getHit} (one thread, uniform or Zipf indices) in operations per microsecond of
 * this thread's CPU time, for a machine too loaded for wall-clock JMH: time the thread spends
 * descheduled does not count (other processes' cache pollution still does). The set-up is
 * {@link CacheBenchmark}'s: the same keys ({@link CacheBenchmark#scramble} or the indices), thread 0's
 * index sequence (same seed and length), population in key order, {@code cleanUp()}, the same adapters.
 * Expect the same ratios between peers as a quiet-machine JMH run, within a few percent per sample.
 * Diagnostic only; run one JVM per peer (a shared call site would make the adapter call megamorphic),
 * with the benchmark's heap, and compare peers within a round:
 *
 * <pre>
 * java -Xms4g -Xmx4g -cp kv-bench/target/benchmarks.jar dev.kvcache.bench.jmh.CpuTimeHits kvcache 1000000 scrambled 3 [zipf]
 * </pre>
 * Arguments: peer ({@link CacheAdapter#PEERS}, or {@value #CONCRETE}), size, {@code sequential|scrambled}, one-second samples
 * (after two warm-up seconds), and optionally {@code uniform} (the default) or {@code zipf}: thread 0's
 * indices as {@code CacheBenchmark} draws them for {@code -p distribution}. Prints each sample as
 * CPU-time / wall-clock throughput.
 */
public final class CpuTimeHits {
    private final CacheAdapter cache;
    private final Long[] keys;
    private final int[] sequence;
    private int position;
    private long misses;

    private CpuTimeHits(CacheAdapter cache, Long[] keys, int[] sequence) {
        this.cache = cache;
        this.keys = keys;
        this.sequence = sequence;
    }

    /** One chunk of lookups: its own method, so that C2 compiles it whole rather than by OSR only. */
    private int chunk() {
        int mask = sequence.length - 1;
        int p = position;
        int n = 1 << 16;
        for (int i = 0; i < n; i++) {
            if (cache.get(keys[sequence[p++ & mask]]) == null) {
                misses++;
            }
        }
        position = p;
        return n;
    }

    /**
     * A peer only this class knows: {@code kvcache} called through its concrete engine class (a
     * {@link HitPathProbe}), not through the {@link KvCache} interface every user holds; the difference
     * is the interface's type check at the call site.
     */
    static final String CONCRETE = "kvcache-concrete";

    private static CacheAdapter concrete(Duration ttl) {
        KvCache<Long, Long> kv = KvCache.builder().timeToLive(ttl).build();
        HitPathProbe probe = new HitPathProbe(kv);
        return new CacheAdapter() {
            @Override
            public Long get(Long key) {
                return probe.full(key);
            }

            @Override
            public void put(Long key, Long value) {
                kv.put(key, value);
            }

            @Override
            public void cleanUp() {
                kv.cleanUp();
            }

            @Override
            public void close() {
                kv.close();
            }
        };
    }

    public static void main(String[] args) {
        if (args.length != 4 && args.length != 5) {
            throw new IllegalArgumentException(
                    "usage: CpuTimeHits <peer> <size> <sequential|scrambled> <samples> [uniform|zipf]");
        }
        String peer = args[0];
        int size = Integer.parseInt(args[1]);
        boolean scrambled = args[2].equals("scrambled");
        int samples = Integer.parseInt(args[3]);
        String distribution = args.length == 5 ? args[4] : "uniform";
        int[] sequence = CacheBenchmark.indices(distribution, size, 0x1234_5678L); // thread 0's
        Long[] keys = new Long[size];
        for (int i = 0; i < size; i++) {
            keys[i] = scrambled ? CacheBenchmark.scramble(i) : (long) i;
        }
        CacheAdapter cache = peer.equals(CONCRETE) ? concrete(Duration.ofSeconds(240))
                : CacheAdapter.create(peer, Duration.ofSeconds(240));
        for (Long key : keys) {
            cache.put(key, key);
        }
        cache.cleanUp();
        CpuTimeHits run = new CpuTimeHits(cache, keys, sequence);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        StringBuilder out = new StringBuilder(peer + " " + size + " " + args[2] + " " + distribution);
        for (int sample = -2; sample < samples; sample++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            long ops = 0;
            while (threads.getCurrentThreadCpuTime() - cpu0 < 1_000_000_000L) {
                ops += run.chunk();
            }
            double cpuMicros = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3;
            double wallMicros = (System.nanoTime() - wall0) / 1e3;
            if (sample >= 0) {
                out.append(String.format(Locale.ROOT, " %.3f/%.3f", ops / cpuMicros, ops / wallMicros));
            }
        }
        System.out.println(out + " (ops per CPU-us / per wall-us) misses " + run.misses);
        cache.close();
    }
}
