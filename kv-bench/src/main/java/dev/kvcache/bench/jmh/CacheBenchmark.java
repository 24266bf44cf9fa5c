package dev.kvcache.bench.jmh;

import dev.kvcache.bench.sim.Zipf;
import java.time.Duration;
import java.util.Locale;
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
 * Measures single-key operations on one cache of {@code size} {@code Long -> Long} entries shared by
 * every benchmark thread: {@code getIfPresent} hits and misses, {@code put} of a present key (which
 * restarts its TTL) with its current value and with a new one, and a mix of 80 % gets and 20 % puts.
 * The peers are ConcurrentHashMap (no expiry: the ceiling), {@code chm-deadline} (ConcurrentHashMap of
 * value-and-deadline holders checked against kvcache's clock word: the floor of an expiring hit),
 * Caffeine 3.3.1 and cache2k 2.6.1 with {@code expireAfterWrite}, and kvcache with a TTL (see
 * {@link CacheAdapter#create}); key indices are
 * drawn uniformly or Zipf-distributed (exponent 0.99) over the entries; keys are the indices themselves
 * ({@code sequential}) or a fixed permutation of them spread over the whole {@code long} range
 * ({@code scrambled}).
 *
 * <p>Expect kvcache hits at 0.85x ConcurrentHashMap or better and well above Caffeine, because its
 * default ticker makes a hit a hash lookup plus one volatile load where Caffeine reads
 * {@code System.nanoTime()}; cache2k close to ConcurrentHashMap on hits (its reads check no clock, a
 * timer expires entries) and slower on writes, which reschedule that timer; {@code kvcache-system}
 * shows the cost of the clock call, and {@code kvcache-noTtl} (no expiry) the cost of the table alone.
 * Expect every peer's cost per op to grow with {@code size} as the entries outgrow the CPU caches, and
 * sequential keys to flatter ConcurrentHashMap (they fill its table without a collision); Zipf above
 * uniform, as popular entries stay in the CPU caches; and, with {@code -prof gc}, 0 B/op for hits.
 *
 * <p>Keys, values and the sequences of key indices are built before the measurement: a benchmark op
 * reads one int from a per-thread array and one pre-boxed key, so it measures the cache, not a random
 * number generator or boxing. All entries are written during setup and expire {@code ttlSeconds}
 * after their write, so population plus warmup plus measurement must stay under that: the trial fails
 * at once if population took more than half the TTL, and at its end if any entry expired.
 *
 * <pre>
 * java -jar kv-bench/target/benchmarks.jar CacheBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s -t 1 -prof gc
 * </pre>
 * ({@code kv-bench/jmh.sh} runs the matrix on 1 and 2 threads and prints the ratios.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// 4 GB: 1e7 entries of the largest peer (cache2k) hold about 1.5 GB live, plus keys and sequences.
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class CacheBenchmark {
    /**
     * The shortest per-thread index sequence, a power of two: one pass then touches most of up to 1e6
     * keys, and the sequence repeats only after about a millisecond. Larger caches get the next power
     * of two at or above their size, so that one pass reaches most of their entries too.
     */
    static final int MIN_SEQUENCE_LENGTH = 1 << 20;

    /** The exponent of the Zipf distribution: about 0.99 is the usual skew of web caches. */
    static final double ZIPF_EXPONENT = 0.99;

    /** The seed of the scrambled key set: a fixed permutation, the same in every run. */
    static final long SCRAMBLE_SEED = 0x6B76_6361_6368_6521L;

    /** The cache, its keys and every thread's key sequence, shared by all benchmark threads. */
    @State(Scope.Benchmark)
    public static class SharedCache {
        @Param({"ConcurrentHashMap", "chm-deadline", "Caffeine", "cache2k", "kvcache", "kvcache-system"})
        public String peer;

        @Param({"uniform", "zipf"})
        public String distribution;

        /** {@code sequential}: key i is i; {@code scrambled}: key i is {@link #scramble}(i). */
        @Param({"sequential", "scrambled"})
        public String keys;

        /** The number of entries, all present for the whole trial. */
        @Param("1000000")
        public int size;

        /**
         * Long enough to outlive population (up to a minute for 1e7 entries on a busy 2-core machine),
         * warmup and measurement at every size, and short enough that kvcache's timer wheel files it
         * in the same level as the server's default of 10 s (its level 1 reaches about 4.6 minutes).
         */
        @Param("240")
        public int ttlSeconds;

        CacheAdapter cache;
        /** The keys in the cache, boxed once; also the values {@code putWithTtl} writes. */
        Long[] presentKeys;
        /** Keys never written, from a disjoint set; only for {@code getMiss}. */
        Long[] absentKeys;
        /** A second value per key, a distinct object; only for {@code overwrite}. */
        Long[] alternateValues;
        /**
         * Per thread, a power-of-two length: indices into the key arrays; for the mix, a non-negative
         * entry {@code i} means get key i, a negative one put key ~i; for {@code overwrite}, a
         * non-negative entry {@code i} means write key i's own value, a negative one its alternate value.
         */
        int[][] sequences;

        @Setup(Level.Trial)
        public void fill(BenchmarkParams params) {
            if (size <= 0) {
                throw new IllegalArgumentException("-p size must be positive, was " + size);
            }
            String benchmark = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            // The sequences first, the cache last: the TTL clock starts as late as possible.
            int threads = params.getThreads();
            sequences = new int[threads][];
            for (int thread = 0; thread < threads; thread++) {
                sequences[thread] = generate(thread, benchmark);
            }
            presentKeys = new Long[size];
            for (int i = 0; i < size; i++) {
                presentKeys[i] = key(i);
            }
            if (benchmark.equals("getMiss")) {
                absentKeys = new Long[size];
                for (int i = 0; i < size; i++) {
                    absentKeys[i] = key((long) size + i);
                }
            }
            if (benchmark.equals("overwrite")) {
                alternateValues = new Long[size];
                for (int i = 0; i < size; i++) {
                    // Another value, so another object than the key (which is its first value).
                    alternateValues[i] = ~presentKeys[i];
                }
            }
            long started = System.nanoTime();
            cache = CacheAdapter.create(peer, Duration.ofSeconds(ttlSeconds));
            for (Long key : presentKeys) {
                cache.put(key, key);
            }
            cache.cleanUp();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "%n%s: populated %,d entries in %.1f s%n", peer, size, seconds);
            if (seconds > ttlSeconds / 2.0) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "populating %,d entries of %s took %.1f s, more than half of -p ttlSeconds=%d:"
                                + " entries would expire during the trial; raise -p ttlSeconds",
                        size, peer, seconds, ttlSeconds));
            }
        }

        private Long key(long index) {
            switch (keys) {
                case "sequential":
                    return index;
                case "scrambled":
                    return scramble(index);
                default:
                    throw new IllegalArgumentException(
                            "-p keys must be sequential or scrambled, was " + keys);
            }
        }

        private int[] generate(int thread, String benchmark) {
            // A fixed seed per thread: runs are repeatable, threads do not walk in lockstep.
            long seed = 0x1234_5678L + thread;
            int[] sequence = indices(distribution, size, seed);
            switch (benchmark) {
                case "mixGet80Put20":
                    SplittableRandom choice = new SplittableRandom(~seed);
                    for (int i = 0; i < sequence.length; i++) {
                        if (choice.nextInt(5) == 0) {
                            sequence[i] = ~sequence[i];
                        }
                    }
                    return sequence;
                case "overwrite":
                    return alternating(sequence, size);
                default:
                    return sequence;
            }
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
            if (LayoutProbe.enabled()) {
                LayoutProbe.report(peer, cache, presentKeys, sequences[0]);
            }
            cache.close();
            if (expired != 0) {
                throw new IllegalStateException(expired + " of " + size + " entries of " + peer
                        + " expired during the trial: keep population, warmup and measurement under "
                        + ttlSeconds + " s, or raise -p ttlSeconds");
            }
        }
    }

    /**
     * The sequence twice over, each write marked to store the value its key does not hold at that
     * point (keys start with their own value). Twice over, every key occurs an even number of times,
     * so the marks still alternate when the sequence wraps around.
     */
    static int[] alternating(int[] sequence, int size) {
        boolean[] holdsAlternate = new boolean[size];
        int[] ops = new int[2 * sequence.length];
        for (int i = 0; i < ops.length; i++) {
            int index = sequence[i & (sequence.length - 1)];
            holdsAlternate[index] = !holdsAlternate[index];
            ops[i] = holdsAlternate[index] ? ~index : index;
        }
        return ops;
    }

    /**
     * The length of each thread's index sequence for a cache of {@code size} entries: a power of two,
     * at least {@link #MIN_SEQUENCE_LENGTH} and at least {@code size}.
     */
    /**
     * The key indices one thread walks: {@code sequenceLength(size)} draws from [0, size), uniform or
     * Zipf ({@link #ZIPF_EXPONENT}), from {@code seed}; {@code CpuTimeHits} draws thread 0's the same way.
     */
    static int[] indices(String distribution, int size, long seed) {
        int[] sequence = new int[sequenceLength(size)];
        switch (distribution) {
            case "uniform":
                SplittableRandom uniform = new SplittableRandom(seed);
                for (int i = 0; i < sequence.length; i++) {
                    sequence[i] = uniform.nextInt(size);
                }
                return sequence;
            case "zipf":
                Zipf zipf = new Zipf(size, ZIPF_EXPONENT, seed);
                for (int i = 0; i < sequence.length; i++) {
                    sequence[i] = zipf.next();
                }
                return sequence;
            default:
                throw new IllegalArgumentException("the distribution must be uniform or zipf, was " + distribution);
        }
    }

    static int sequenceLength(int size) {
        int atLeastSize = size <= 1 ? 1 : Integer.highestOneBit(size - 1) << 1;
        return Math.max(MIN_SEQUENCE_LENGTH, atLeastSize);
    }

    /**
     * The scrambled key of index {@code i}: a bijective 64-bit mix (the finalizer of SplitMix64, whose
     * xor-shifts and odd multipliers are each invertible) of {@code i} plus a fixed seed. Distinct
     * indices give distinct keys spread over the whole {@code long} range, so neighbouring indices share
     * no hash bin in any peer's table.
     */
    static long scramble(long i) {
        long z = i + SCRAMBLE_SEED;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** One thread's position in its key sequence, walked in order and wrapped around. */
    @State(Scope.Thread)
    public static class ThreadKeys {
        int[] sequence;
        int mask;
        int position;

        @Setup(Level.Trial)
        public void pick(SharedCache shared, ThreadParams thread) {
            sequence = shared.sequences[thread.getThreadIndex()];
            mask = sequence.length - 1;
        }

        int next() {
            return sequence[position++ & mask];
        }
    }

    /** {@code getIfPresent} of a present key, on the shared cache. */
    @Benchmark
    public Long getHit(SharedCache shared, ThreadKeys thread) {
        return shared.cache.get(shared.presentKeys[thread.next()]);
    }

    /** {@code getIfPresent} of an absent key, on the shared (full) cache. */
    @Benchmark
    public Long getMiss(SharedCache shared, ThreadKeys thread) {
        return shared.cache.get(shared.absentKeys[thread.next()]);
    }

    /**
     * {@code put(key, key)} over a present key with the default TTL, on the shared cache: the value
     * written is the very object stored, so only the deadline changes.
     */
    @Benchmark
    public void putWithTtl(SharedCache shared, ThreadKeys thread) {
        Long key = shared.presentKeys[thread.next()];
        shared.cache.put(key, key);
    }

    /**
     * {@code put} over a present key of a value other than the one it holds (each key has two
     * pre-boxed values, and the sequence alternates them), on the shared cache: an update in place. On
     * one thread every write changes the value; on two, whose writes to a key interleave, most do.
     */
    @Benchmark
    public void overwrite(SharedCache shared, ThreadKeys thread) {
        int op = thread.next();
        if (op >= 0) {
            shared.cache.put(shared.presentKeys[op], shared.presentKeys[op]);
        } else {
            shared.cache.put(shared.presentKeys[~op], shared.alternateValues[~op]);
        }
    }

    /** 80 % {@code getIfPresent}, 20 % {@code put}, on the shared cache. */
    @Benchmark
    public Long mixGet80Put20(SharedCache shared, ThreadKeys thread) {
        int op = thread.next();
        if (op >= 0) {
            return shared.cache.get(shared.presentKeys[op]);
        }
        Long key = shared.presentKeys[~op];
        shared.cache.put(key, key);
        return key;
    }
}
