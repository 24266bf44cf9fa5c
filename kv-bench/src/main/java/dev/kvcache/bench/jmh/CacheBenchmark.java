package dev.kvcache.bench.jmh;

import dev.kvcache.bench.sim.Zipf;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Measures single-key operations on one cache of 1e6 {@code Long -> Long} entries shared by every
 * benchmark thread: {@code getIfPresent} hits and misses, {@code put} of an existing key (which
 * restarts its TTL), and a mix of 80 % gets and 20 % puts. The peers are ConcurrentHashMap (no expiry:
 * the ceiling), Caffeine 3.3.1 with {@code expireAfterWrite} (the peer) and kvcache with a TTL (see
 * {@link CacheAdapter#create}); keys are drawn uniformly or Zipf-distributed (exponent 0.99) over the
 * 1e6 keys.
 *
 * <p>Expect kvcache hits at 0.85x ConcurrentHashMap or better and well above Caffeine, because its
 * default ticker makes a hit a hash lookup plus one volatile load where Caffeine reads
 * {@code System.nanoTime()}; {@code kvcache-system} shows the cost of that clock call, and
 * {@code kvcache-noTtl} (no expiry) the cost of the table alone. Expect puts
 * above Caffeine, which records every write in a buffer for its policy; Zipf above uniform for every
 * peer, as the popular entries stay in the CPU caches; and, with {@code -prof gc}, 0 B/op for hits.
 *
 * <p>Keys and the sequence of key indices are built before the measurement: a benchmark op reads one
 * int from a per-thread array and one pre-boxed key, so it measures the cache, not a random number
 * generator or boxing. All entries are written during setup and expire {@code ttlSeconds} later, so
 * warmup plus measurement must stay under that; the trial fails if any entry expired.
 *
 * <pre>
 * java -jar kv-bench/target/benchmarks.jar CacheBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s -t 1 -prof gc
 * </pre>
 * ({@code kv-bench/jmh.sh} runs this on 1 and 2 threads and prints the ratios.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class CacheBenchmark {
    /** The number of keys, all present in the cache. */
    static final int KEY_COUNT = 1_000_000;

    /**
     * Length of each thread's pre-generated index sequence, a power of two at least the key count,
     * so that one pass touches most keys and the sequence repeats only after about a millisecond.
     */
    static final int SEQUENCE_LENGTH = 1 << 20;

    /** The exponent of the Zipf distribution: about 0.99 is the usual skew of web caches. */
    static final double ZIPF_EXPONENT = 0.99;

    /** The cache, its keys and every thread's key sequence, shared by all benchmark threads. */
    @State(Scope.Benchmark)
    public static class SharedCache {
        @Param({"ConcurrentHashMap", "Caffeine", "kvcache", "kvcache-system"})
        public String peer;

        @Param({"uniform", "zipf"})
        public String distribution;

        @Param("10")
        public int ttlSeconds;

        CacheAdapter cache;
        /** The keys in the cache, boxed once. */
        Long[] presentKeys;
        /** Keys never written, from a disjoint range. */
        Long[] absentKeys;
        /** Per thread: indices into the key arrays. */
        int[][] indices;
        /** Per thread, for the mix: a non-negative entry {@code i} means get key i, a negative one put key ~i. */
        int[][] mixedOps;

        @Setup(Level.Trial)
        public void fill(BenchmarkParams params) {
            // The sequences first, the cache last: the TTL clock starts as late as possible.
            int threads = params.getThreads();
            indices = new int[threads][];
            mixedOps = new int[threads][];
            for (int thread = 0; thread < threads; thread++) {
                generate(thread);
            }
            presentKeys = new Long[KEY_COUNT];
            absentKeys = new Long[KEY_COUNT];
            for (int i = 0; i < KEY_COUNT; i++) {
                presentKeys[i] = (long) i;
                absentKeys[i] = (long) KEY_COUNT + i;
            }
            cache = CacheAdapter.create(peer, Duration.ofSeconds(ttlSeconds));
            for (Long key : presentKeys) {
                cache.put(key, key);
            }
            cache.cleanUp();
        }

        private void generate(int thread) {
            // A fixed seed per thread: runs are repeatable, threads do not walk in lockstep.
            long seed = 0x1234_5678L + thread;
            int[] sequence = new int[SEQUENCE_LENGTH];
            switch (distribution) {
                case "uniform":
                    SplittableRandom uniform = new SplittableRandom(seed);
                    for (int i = 0; i < SEQUENCE_LENGTH; i++) {
                        sequence[i] = uniform.nextInt(KEY_COUNT);
                    }
                    break;
                case "zipf":
                    Zipf zipf = new Zipf(KEY_COUNT, ZIPF_EXPONENT, seed);
                    for (int i = 0; i < SEQUENCE_LENGTH; i++) {
                        sequence[i] = zipf.next();
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown distribution " + distribution);
            }
            SplittableRandom choice = new SplittableRandom(~seed);
            int[] mixed = new int[SEQUENCE_LENGTH];
            for (int i = 0; i < SEQUENCE_LENGTH; i++) {
                mixed[i] = choice.nextInt(5) == 0 ? ~sequence[i] : sequence[i];
            }
            indices[thread] = sequence;
            mixedOps[thread] = mixed;
        }

        /** Fails the trial if entries expired during it: then "hits" were partly misses. */
        @TearDown(Level.Trial)
        public void checkNothingExpired() {
            int expired = 0;
            for (Long key : presentKeys) {
                if (cache.get(key) == null) {
                    expired++;
                }
            }
            if (expired != 0) {
                throw new IllegalStateException(expired + " of " + KEY_COUNT + " entries of " + peer
                        + " expired during the trial: keep warmup plus measurement under "
                        + ttlSeconds + " s, or raise -p ttlSeconds");
            }
        }
    }

    /** One thread's position in its key sequence, walked in order and wrapped around. */
    @State(Scope.Thread)
    public static class ThreadKeys {
        int[] indices;
        int[] mixedOps;
        int position;

        @Setup(Level.Trial)
        public void pick(SharedCache shared, ThreadParams thread) {
            indices = shared.indices[thread.getThreadIndex()];
            mixedOps = shared.mixedOps[thread.getThreadIndex()];
        }

        int nextIndex() {
            return indices[position++ & (SEQUENCE_LENGTH - 1)];
        }

        int nextMixedOp() {
            return mixedOps[position++ & (SEQUENCE_LENGTH - 1)];
        }
    }

    /** {@code getIfPresent} of a present key, on the shared cache. */
    @Benchmark
    public Long getHit(SharedCache shared, ThreadKeys thread) {
        return shared.cache.get(shared.presentKeys[thread.nextIndex()]);
    }

    /** {@code getIfPresent} of an absent key, on the shared (full) cache. */
    @Benchmark
    public Long getMiss(SharedCache shared, ThreadKeys thread) {
        return shared.cache.get(shared.absentKeys[thread.nextIndex()]);
    }

    /** {@code put} over a present key with the default TTL, on the shared cache. */
    @Benchmark
    public void putWithTtl(SharedCache shared, ThreadKeys thread) {
        Long key = shared.presentKeys[thread.nextIndex()];
        shared.cache.put(key, key);
    }

    /** 80 % {@code getIfPresent}, 20 % {@code put}, on the shared cache. */
    @Benchmark
    public Long mixGet80Put20(SharedCache shared, ThreadKeys thread) {
        int op = thread.nextMixedOp();
        if (op >= 0) {
            return shared.cache.get(shared.presentKeys[op]);
        }
        Long key = shared.presentKeys[~op];
        shared.cache.put(key, key);
        return key;
    }
}
