package dev.kvcache.bench.jmh;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Measures the loading cache on hits, on one shared cache of 1e6 {@code Long -> Long} entries, all
 * present and loaded during setup: {@code get(k)} of a {@code LoadingCache} against
 * {@code getIfPresent(k)} of the same cache, and {@code getAll} of 100 present keys. The peers are
 * kvcache's {@code LoadingCache} (default coarse ticker, TTL) and Caffeine 3.3.1's
 * {@code LoadingCache} with {@code expireAfterWrite}.
 *
 * <p>Expect kvcache's {@code get} within 10 % of its {@code getIfPresent} (a hit is the same lookup
 * plus a null check; the loader function is a field, so nothing is allocated), and its {@code getAll}
 * of 100 present keys above Caffeine's, each key being one lock-free hit; both peers allocate the
 * result map and the set of distinct keys there ({@code -prof gc} shows how much).
 *
 * <p>Keys, each thread's key sequence and the 100-key batches are built before the measurement. The
 * trial fails if any entry expired or was loaded again during it (then "hits" were partly loads).
 *
 * <pre>
 * java -jar kv-bench/target/benchmarks.jar LoadingBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class LoadingBenchmark {
    static final int KEY_COUNT = 1_000_000;
    static final int SEQUENCE_LENGTH = 1 << 20;
    static final int BATCH_SIZE = 100;
    static final int BATCHES = 1 << 12;

    /** One of the peers behind a common face. */
    interface Loading {
        Long get(Long key);

        Long getIfPresent(Long key);

        Map<Long, Long> getAll(List<Long> keys);

        long loads();
    }

    /** The cache, its keys and batches, shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class SharedCache {
        @Param({"kvcache", "Caffeine"})
        public String peer;

        @Param("30")
        public int ttlSeconds;

        Loading cache;
        Long[] keys;
        List<List<Long>> batches;
        private long loadsAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            cache = create(peer, Duration.ofSeconds(ttlSeconds));
            keys = new Long[KEY_COUNT];
            for (int i = 0; i < KEY_COUNT; i++) {
                keys[i] = (long) i;
                cache.get(keys[i]); // loads it
            }
            SplittableRandom random = new SplittableRandom(42);
            batches = new ArrayList<>(BATCHES);
            for (int b = 0; b < BATCHES; b++) {
                List<Long> batch = new ArrayList<>(BATCH_SIZE);
                for (int i = 0; i < BATCH_SIZE; i++) {
                    batch.add(keys[random.nextInt(KEY_COUNT)]);
                }
                batches.add(List.copyOf(batch));
            }
            loadsAfterSetup = cache.loads();
        }

        /** Fails the trial if a hit turned into a load (an entry expired or was evicted). */
        @TearDown(Level.Trial)
        public void checkNoLoads() {
            long extra = cache.loads() - loadsAfterSetup;
            if (extra != 0) {
                throw new IllegalStateException(extra + " loads of " + peer + " during the trial: keep warmup"
                        + " plus measurement under ttlSeconds=" + ttlSeconds);
            }
        }

        static Loading create(String peer, Duration ttl) {
            long[] loads = new long[1]; // written by the setup thread only: the trial must not load
            return switch (peer) {
                case "kvcache" -> {
                    LoadingCache<Long, Long> c = KvCache.builder().timeToLive(ttl).initialCapacity(KEY_COUNT)
                            .build(k -> {
                                loads[0]++;
                                return k;
                            });
                    yield new Loading() {
                        public Long get(Long key) {
                            return c.get(key);
                        }

                        public Long getIfPresent(Long key) {
                            return c.getIfPresent(key);
                        }

                        public Map<Long, Long> getAll(List<Long> keys) {
                            return c.getAll(keys);
                        }

                        public long loads() {
                            return loads[0];
                        }
                    };
                }
                case "Caffeine" -> {
                    com.github.benmanes.caffeine.cache.LoadingCache<Long, Long> c = Caffeine.newBuilder()
                            .expireAfterWrite(ttl).initialCapacity(KEY_COUNT)
                            .build(k -> {
                                loads[0]++;
                                return k;
                            });
                    yield new Loading() {
                        public Long get(Long key) {
                            return c.get(key);
                        }

                        public Long getIfPresent(Long key) {
                            return c.getIfPresent(key);
                        }

                        public Map<Long, Long> getAll(List<Long> keys) {
                            return c.getAll(keys);
                        }

                        public long loads() {
                            return loads[0];
                        }
                    };
                }
                default -> throw new IllegalArgumentException("unknown peer " + peer);
            };
        }
    }

    /** Each thread's own walk through the keys and batches, from its own seed. */
    @State(Scope.Thread)
    public static class ThreadKeys {
        int[] sequence;
        int next;
        int nextBatch;

        @Setup(Level.Trial)
        public void setUp(ThreadParams params) {
            SplittableRandom random = new SplittableRandom(7 + params.getThreadIndex());
            sequence = new int[SEQUENCE_LENGTH];
            for (int i = 0; i < SEQUENCE_LENGTH; i++) {
                sequence[i] = random.nextInt(KEY_COUNT);
            }
            nextBatch = params.getThreadIndex() * 97;
        }

        int nextIndex() {
            return sequence[next++ & (SEQUENCE_LENGTH - 1)];
        }

        int nextBatch() {
            return nextBatch++ & (BATCHES - 1);
        }
    }

    @Benchmark
    public Long loadingGetHit_shared(SharedCache shared, ThreadKeys thread) {
        return shared.cache.get(shared.keys[thread.nextIndex()]);
    }

    @Benchmark
    public Long getIfPresentHit_shared(SharedCache shared, ThreadKeys thread) {
        return shared.cache.getIfPresent(shared.keys[thread.nextIndex()]);
    }

    @Benchmark
    public Map<Long, Long> getAll100Present_shared(SharedCache shared, ThreadKeys thread) {
        return shared.cache.getAll(shared.batches.get(thread.nextBatch()));
    }
}
