package dev.kvcache.bench.jmh;

import dev.kvcache.bench.sim.Zipf;
import dev.kvcache.core.HitPathProbe;
import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
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
 * Measures where a kvcache hit spends its time beyond {@code ConcurrentHashMap.get}, by building the
 * hit up one piece at a time on the same keys ({@link HitPathProbe}): {@code chm} is
 * {@code ConcurrentHashMap.get}; {@code table} kvcache's table lookup alone (hash, segment, bin walk,
 * value load); {@code word} adds the plain hit's one load of the node's deadline word (and the value
 * as a hit loads it); {@code clock} adds the clock load and deadline compare; {@code full} is
 * {@code getIfPresent} (adds the maintenance poll and the hit hooks' check). Keys, sequences and population are as in {@link CacheBenchmark} (the same
 * {@code Long} keys, sequential or scrambled, uniform or Zipf indices, a 240 s TTL).
 *
 * <p>Expect each step to cost a little more than the previous one; the step with the largest drop is
 * where the gap to ConcurrentHashMap is. Benchmark-only: the probe is no kv-core API.
 *
 * <pre>
 * java -jar kv-bench/target/benchmarks.jar HitPathBenchmark -f 2 -wi 2 -w 1s -i 2 -r 1s -t 1
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 2, time = 1)
@Threads(1)
public class HitPathBenchmark {

    /** The structure one benchmark reads (only the one it needs is built), its keys and sequences. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"uniform", "zipf"})
        public String distribution;

        @Param({"sequential", "scrambled"})
        public String keys;

        @Param("1000000")
        public int size;

        ConcurrentHashMap<Long, Long> map;
        KvCache<Long, Long> cache;
        HitPathProbe probe;
        Long[] presentKeys;
        int[][] sequences;

        @Setup(Level.Trial)
        public void fill(BenchmarkParams params) {
            int threads = params.getThreads();
            sequences = new int[threads][];
            for (int thread = 0; thread < threads; thread++) {
                sequences[thread] = generate(0x1234_5678L + thread);
            }
            presentKeys = new Long[size];
            for (int i = 0; i < size; i++) {
                presentKeys[i] = keys.equals("scrambled") ? CacheBenchmark.scramble(i) : (long) i;
            }
            if (params.getBenchmark().endsWith(".chm")) {
                map = new ConcurrentHashMap<>();
                for (Long key : presentKeys) {
                    map.put(key, key);
                }
            } else {
                cache = KvCache.builder().timeToLive(Duration.ofSeconds(240)).build();
                for (Long key : presentKeys) {
                    cache.put(key, key);
                }
                cache.cleanUp();
                probe = new HitPathProbe(cache);
            }
        }

        private int[] generate(long seed) {
            int[] sequence = new int[CacheBenchmark.sequenceLength(size)];
            if (distribution.equals("zipf")) {
                Zipf zipf = new Zipf(size, CacheBenchmark.ZIPF_EXPONENT, seed);
                for (int i = 0; i < sequence.length; i++) {
                    sequence[i] = zipf.next();
                }
            } else {
                SplittableRandom uniform = new SplittableRandom(seed);
                for (int i = 0; i < sequence.length; i++) {
                    sequence[i] = uniform.nextInt(size);
                }
            }
            return sequence;
        }

        @TearDown(Level.Trial)
        public void close() {
            if (cache != null) {
                cache.close();
            }
        }
    }

    /** One thread's position in its key sequence. */
    @State(Scope.Thread)
    public static class ThreadKeys {
        int[] sequence;
        int mask;
        int position;

        @Setup(Level.Trial)
        public void pick(Shared shared, ThreadParams thread) {
            sequence = shared.sequences[thread.getThreadIndex()];
            mask = sequence.length - 1;
        }

        int next() {
            return sequence[position++ & mask];
        }
    }

    @Benchmark
    public Long chm(Shared shared, ThreadKeys thread) {
        return shared.map.get(shared.presentKeys[thread.next()]);
    }

    @Benchmark
    public Long table(Shared shared, ThreadKeys thread) {
        return shared.probe.table(shared.presentKeys[thread.next()]);
    }

    @Benchmark
    public Long word(Shared shared, ThreadKeys thread) {
        return shared.probe.word(shared.presentKeys[thread.next()]);
    }

    @Benchmark
    public Long clock(Shared shared, ThreadKeys thread) {
        return shared.probe.clock(shared.presentKeys[thread.next()]);
    }

    @Benchmark
    public Long full(Shared shared, ThreadKeys thread) {
        return shared.probe.full(shared.presentKeys[thread.next()]);
    }
}
