package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.KvCacheBuilder;
import dev.kvcache.core.LoadingCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review of b95d82a's back-pressure (a bounded cache's writer may now WAIT for the maintenance
 * lock): every documented use below must finish. Each scenario runs its threads to completion under a
 * preemptive timeout; a timeout is a hang, reported with the threads' stacks.
 */
class HostileBackPressureLivenessTest {

    /** Runs {@code body(threadIndex)} on n daemon threads plus an optional side loop; fails with stacks if any hangs. */
    static void race(String what, int n, Consumer<Integer> body, Runnable side) {
        assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                int index = t;
                threads.add(new Thread(() -> {
                    try {
                        body.accept(index);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, what + "-" + t));
            }
            if (side != null) {
                threads.add(new Thread(() -> {
                    try {
                        while (!done.get()) {
                            side.run();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, what + "-side"));
            }
            threads.forEach(t -> {
                t.setDaemon(true);
                t.start();
            });
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            for (int i = 0; i < n; i++) {
                threads.get(i).join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            }
            done.set(true);
            if (side != null) {
                threads.get(n).join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            }
            StringBuilder hung = new StringBuilder();
            for (Thread t : threads) {
                if (t.isAlive()) {
                    hung.append('\n').append(t.getName()).append(' ').append(t.getState());
                    for (StackTraceElement e : t.getStackTrace()) {
                        if (e.getClassName().startsWith("dev.kvcache")) {
                            hung.append("\n    at ").append(e);
                        }
                    }
                }
            }
            if (hung.length() > 0) {
                throw new AssertionError(what + " hung:" + hung);
            }
            if (failure.get() != null) {
                throw new AssertionError(what + " failed", failure.get());
            }
        });
    }

    private static KvCache<Integer, Integer> sized(long max) {
        return KvCache.builder().maximumSize(max).build();
    }

    @ParameterizedTest(name = "max={0} writers={1}")
    @CsvSource({"0, 4", "1, 4", "1, 8", "100, 4", "100, 8"})
    void listenerWritingTheSameCacheOnTheWritersThread(long max, int writers) {
        KvCache<Integer, Integer>[] self = new KvCache[1];
        self[0] = KvCache.builder().maximumSize(max).<Integer, Integer>removalListener((k, v, c) -> {
            if (k >= 0 && k % 3 == 0) {
                self[0].put(-1 - k, v); // re-insert under a negative key: more evictions, more listener writes
            }
        }).build();
        race("listener-writes", writers, t -> {
            for (int i = 0; i < 30_000; i++) {
                self[0].put(t * 1_000_000 + i, i);
            }
        }, null);
    }

    @ParameterizedTest(name = "max={0} writers={1}")
    @CsvSource({"0, 4", "1, 8", "100, 4", "100, 8"})
    void listenerWritingTheSameCacheOnAnExecutor(long max, int writers) {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            KvCache<Integer, Integer>[] self = new KvCache[1];
            self[0] = KvCache.builder().maximumSize(max).executor(pool).<Integer, Integer>removalListener((k, v, c) -> {
                if (k >= 0 && k % 3 == 0) {
                    self[0].put(-1 - k, v);
                }
            }).build();
            race("executor-listener-writes", writers, t -> {
                for (int i = 0; i < 30_000; i++) {
                    self[0].put(t * 1_000_000 + i, i);
                }
            }, null);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "writers={0}")
    @ValueSource(ints = {4, 8})
    void listenerThatBlocksForAWhile(int writers) {
        KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(10).<Integer, Integer>removalListener((k, v, c) -> {
            try {
                Thread.sleep(0, 200_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).build();
        race("blocking-listener", writers, t -> {
            for (int i = 0; i < 1_000; i++) {
                cache.put(t * 1_000_000 + i, i);
            }
        }, () -> cache.policy().weightedSize());
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {4, 8})
    void loadersThatWriteOtherKeys(int threads) {
        LoadingCache<Integer, Integer>[] self = new LoadingCache[1];
        self[0] = KvCache.builder().maximumSize(50).<Integer, Integer>build(k -> {
            if (k < 1_000_000) {
                self[0].put(k + 7_000_000, k); // another key
                self[0].get(k + 1_000_000); // a nested load of another key, which loads no further
            }
            return k;
        });
        race("loaders", threads, t -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < 5_000; i++) {
                int k = r.nextInt(2_000);
                if (i % 50 == 0) {
                    List<Integer> keys = List.of(k, k + 1, k + 2, k + 3);
                    self[0].getAll(keys);
                } else {
                    self[0].get(k);
                }
            }
        }, null);
    }

    @ParameterizedTest(name = "threads={0} max={1}")
    @CsvSource({"4, 0", "8, 1", "8, 100"})
    void computeAndMergeOnManyThreads(int threads, long max) {
        KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(max).<Integer, Integer>removalListener((k, v, c) -> { }).build();
        race("compute", threads, t -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < 40_000; i++) {
                int k = r.nextInt(1_000);
                switch (i % 4) {
                    case 0 -> cache.asMap().compute(k, (kk, v) -> v == null ? 1 : v + 1);
                    case 1 -> cache.asMap().merge(k, 1, Integer::sum);
                    case 2 -> cache.asMap().computeIfAbsent(k + 1_000, kk -> kk);
                    default -> cache.asMap().computeIfPresent(k, (kk, v) -> r.nextBoolean() ? null : v);
                }
            }
        }, null);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"setMaximum", "cleanUp", "hottest", "coldest", "weightedSize", "invalidateAll",
        "putAll", "replaceAll", "removeIf", "clear", "iterate"})
    void policyAndBulkCallsRacingWriters(String call) {
        KvCache<Integer, Integer> cache = sized(200);
        Runnable side = switch (call) {
            case "setMaximum" -> () -> cache.policy().setMaximum(ThreadLocalRandom.current().nextInt(0, 300));
            case "cleanUp" -> cache::cleanUp;
            case "hottest" -> () -> cache.policy().hottest(50);
            case "coldest" -> () -> cache.policy().coldest(50);
            case "weightedSize" -> () -> cache.policy().weightedSize();
            case "invalidateAll" -> cache::invalidateAll;
            case "putAll" -> () -> {
                Map<Integer, Integer> m = new HashMap<>();
                for (int i = 0; i < 100; i++) {
                    m.put(5_000_000 + ThreadLocalRandom.current().nextInt(10_000), i);
                }
                cache.asMap().putAll(m);
            };
            case "replaceAll" -> () -> cache.asMap().replaceAll((k, v) -> v + 1);
            case "removeIf" -> () -> cache.asMap().entrySet().removeIf(e -> e.getKey() % 2 == 0);
            case "clear" -> () -> cache.asMap().clear();
            default -> () -> cache.asMap().forEach((k, v) -> { });
        };
        race(call, 4, t -> {
            for (int i = 0; i < 50_000; i++) {
                cache.put(t * 1_000_000 + i % 20_000, i);
            }
        }, side);
    }

    @Test
    void withAScheduler() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(100).timeToLive(Duration.ofMillis(5))
                    .scheduler(scheduler).<Integer, Integer>removalListener((k, v, c) -> { }).build();
            race("scheduler", 4, t -> {
                for (int i = 0; i < 100_000; i++) {
                    cache.put(t * 1_000_000 + i % 5_000, i);
                    cache.getIfPresent(t * 1_000_000 + (i * 7) % 5_000);
                }
            }, null);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @ParameterizedTest(name = "writers={0}")
    @ValueSource(ints = {4, 8})
    void weightedWithHeavyAndZeroWeights(int writers) {
        KvCache<Integer, Integer> cache = KvCache.builder().<Integer, Integer>maximumWeight(1_000,
                (k, v) -> v % 3 == 0 ? 0 : v % 3 == 1 ? 2_000 : 1).<Integer, Integer>removalListener((k, v, c) -> { }).build();
        race("weighted", writers, t -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < 50_000; i++) {
                cache.put(t * 1_000_000 + r.nextInt(20_000), r.nextInt(1_000));
            }
        }, () -> cache.policy().weightedSize());
        cache.cleanUp();
        assertTrue(cache.policy().weightedSize() <= 1_000, "weightedSize " + cache.policy().weightedSize());
    }

    // Failed on b95d82a (hang; passed on b95d82a~1): the realistic form of HostileBackPressureDeadlockTest.
    @Test
    void twoCachesWhoseComputeFunctionsWriteEachOther() {
        KvCache<Integer, Integer> a = KvCache.builder().maximumSize(64).initialCapacity(1 << 16).build();
        KvCache<Integer, Integer> b = KvCache.builder().maximumSize(64).initialCapacity(1 << 16).build();
        race("cross-cache", 4, t -> {
            KvCache<Integer, Integer> mine = t % 2 == 0 ? a : b;
            KvCache<Integer, Integer> other = t % 2 == 0 ? b : a;
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < 200_000; i++) {
                int k = r.nextInt(4_096);
                if (i % 4 == 0) {
                    mine.asMap().compute(k, (kk, v) -> {
                        other.put(kk + 1, kk); // writes another cache: allowed
                        return kk;
                    });
                } else {
                    mine.put(k, k);
                }
            }
        }, null);
    }
}
