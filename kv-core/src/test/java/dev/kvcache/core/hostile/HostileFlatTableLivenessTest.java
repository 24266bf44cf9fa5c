package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.Expiry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.RemovalCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Deadlock and liveness around the whole-table resize (every segment lock, taken in order by the
 * inserting writer after it released its own). Every test runs under assertTimeoutPreemptively: a
 * hang is a finding.
 */
class HostileFlatTableLivenessTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /**
     * A compute function holds its segment lock while another thread's inserts ask for a resize. The
     * docs: the resize (and writers behind it) waits, reads do not. The function itself reads many keys
     * while the resize waits for it; a third thread's reads finish meanwhile; then everything completes.
     */
    @Test
    void aComputeFunctionStallsAResizeButNotReadsAndTheResizeThenCompletes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            KvCache<Integer, Integer> cache = KvCache.builder().build();
            for (int k = 0; k < 40; k++) {
                cache.put(k, k);
            }
            CountDownLatch inFunction = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger readsInFunction = new AtomicInteger();
            Thread computer = new Thread(() -> cache.asMap().compute(1, (k, v) -> {
                inFunction.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (int i = 0; i < 40; i++) {
                    if (cache.getIfPresent(i) != null) {
                        readsInFunction.incrementAndGet();
                    }
                }
                return v + 1000;
            }));
            computer.start();
            inFunction.await();
            Thread inserter = new Thread(() -> {
                for (int k = 1000; k < 5000; k++) {
                    cache.put(k, k);
                }
            });
            inserter.start();
            // wait until the inserter is stuck (behind the resize that waits for the function)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (inserter.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Thread reader = new Thread(() -> {
                for (int r = 0; r < 1000; r++) {
                    for (int k = 0; k < 40; k++) {
                        assertEquals(k, cache.getIfPresent(k));
                    }
                }
            });
            reader.start();
            reader.join(5_000);
            assertTrue(!reader.isAlive(), "reads must not wait for the resize or the compute");
            release.countDown();
            computer.join();
            inserter.join();
            assertEquals(40, readsInFunction.get());
            assertEquals(1001, cache.getIfPresent(1));
            assertEquals(4040, cache.estimatedSize());
            assertTrue(HostileFlatTableProbe.tableLength(cache) >= 4040 * 4 / 3);
        });
    }

    /** Computes on two threads while a third inserts through many doublings: no deadlock, exact results. */
    @Test
    void concurrentComputesAndGrowthFinish() {
        assertTimeoutPreemptively(LIMIT, () -> {
            KvCache<Integer, Integer> cache = KvCache.builder().build();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int key = -1 - t;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 100_000; i++) {
                        cache.asMap().merge(key, 1, Integer::sum);
                        cache.asMap().computeIfAbsent(-100 - (i % 64) * 2 - key, k -> cache.getIfPresent(key));
                    }
                }));
            }
            threads.add(new Thread(() -> {
                for (int k = 0; k < 200_000; k++) {
                    cache.put(k, k);
                }
            }));
            threads.forEach(t -> {
                t.setUncaughtExceptionHandler((th, e) -> errors.add(e));
                t.start();
            });
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(errors.isEmpty(), errors.toString());
            assertEquals(100_000, cache.getIfPresent(-1));
            assertEquals(100_000, cache.getIfPresent(-2));
        });
    }

    /** A removal listener that writes to the cache (so its writes resize too), on two writer threads. */
    @Test
    void aListenerThatWritesDuringGrowthFinishes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            AtomicInteger notified = new AtomicInteger();
            KvCache<Integer, Integer>[] holder = new KvCache[1];
            KvCache<Integer, Integer> cache = KvCache.<Integer, Integer>builder()
                    .removalListener((Integer k, Integer v, RemovalCause cause) -> {
                        notified.incrementAndGet();
                        if (k >= 0) {
                            holder[0].put(-k - 1, v); // a new key: inserts, and may resize
                        }
                    })
                    .build();
            holder[0] = cache;
            onTwoThreads(base -> {
                for (int k = base; k < base + 60_000; k++) {
                    cache.put(k, 1);
                    cache.put(k, 2); // REPLACED: the listener inserts -k-1
                }
            });
            assertEquals(120_000, notified.get());
            assertEquals(240_000, cache.estimatedSize());
            assertEquals(1, cache.getIfPresent(-1));
        });
    }

    /** Loaders that write other keys (growing the table) while other threads load and write. */
    @Test
    void loadersThatWriteDuringGrowthFinish() {
        assertTimeoutPreemptively(LIMIT, () -> {
            LoadingCache<Integer, Integer>[] holder = new LoadingCache[1];
            LoadingCache<Integer, Integer> cache = KvCache.builder().build((Integer k) -> {
                holder[0].put(k + 10_000_000, k); // a write from the loader: allowed, and it may resize
                return k;
            });
            holder[0] = cache;
            onTwoThreads(base -> {
                for (int k = base; k < base + 50_000; k++) {
                    assertEquals(k, cache.get(k));
                    assertEquals(k, cache.get(k + 500_000, kk -> kk - 500_000));
                }
            });
            assertEquals(300_000, cache.estimatedSize());
        });
    }

    /** An expiry function (run under the segment lock) that reads the cache, while it grows. */
    @Test
    void anExpiryFunctionThatReadsDuringGrowthFinishes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            KvCache<Integer, Integer>[] holder = new KvCache[1];
            KvCache<Integer, Integer> cache = KvCache.<Integer, Integer>builder().expiry(new Expiry<Integer, Integer>() {
                @Override
                public long afterCreateNanos(Integer key, Integer value) {
                    holder[0].getIfPresent(key - 1);
                    holder[0].asMap().containsKey(key - 2);
                    return TimeUnit.HOURS.toNanos(1);
                }
            }).build();
            holder[0] = cache;
            onTwoThreads(base -> {
                for (int k = base; k < base + 100_000; k++) {
                    cache.put(k, k);
                }
            });
            assertEquals(200_000, cache.estimatedSize());
        });
    }

    /** Bounded caches (count and weight) and a time-to-idle cache under growth on two threads. */
    @Test
    void boundedAndIdleCachesUnderGrowthFinishAndKeepTheirBounds() {
        assertTimeoutPreemptively(LIMIT, () -> {
            List<KvCache<Integer, Integer>> caches = List.of(
                    KvCache.builder().maximumSize(5_000).build(),
                    KvCache.<Integer, Integer>builder().maximumWeight(20_000, (Integer k, Integer v) -> 1 + (k & 7)).build(),
                    KvCache.builder().timeToIdle(Duration.ofMinutes(5)).build());
            for (KvCache<Integer, Integer> cache : caches) {
                onTwoThreads(base -> {
                    for (int k = base; k < base + 100_000; k++) {
                        cache.put(k, k);
                        cache.getIfPresent(k - 3);
                        if ((k & 15) == 0) {
                            cache.remove(k - 5);
                        }
                    }
                });
                cache.cleanUp();
                if (cache.policy().maximum().isPresent()) {
                    assertTrue(cache.policy().weightedSize() <= cache.policy().maximum().getAsLong());
                } else {
                    assertEquals(200_000 - 2 * (100_000 / 16 - 1), cache.estimatedSize()); // the first removal of each thread finds nothing
                }
            }
        });
    }

    /**
     * A bounded cache keeps a table sized for its bound, filled by one writer or by two. (Before writers
     * waited for eviction once they had left it 32 writes, two writers outran it and the table, which
     * never shrinks, grew to 131 072 bins for a bound of 5 000.)
     */
    @Test
    void aBoundedCacheKeepsATableSizedForItsBound() throws Throwable {
        KvCache<Integer, Integer> alone = KvCache.builder().maximumSize(5_000).build();
        for (int k = 0; k < 200_000; k++) {
            alone.put(k, k);
        }
        KvCache<Integer, Integer> shared = KvCache.builder().maximumSize(5_000).build();
        onTwoThreads(base -> {
            for (int k = base; k < base + 200_000; k++) {
                shared.put(k, k);
            }
        });
        for (KvCache<Integer, Integer> cache : List.of(alone, shared)) {
            cache.cleanUp();
            assertTrue(cache.policy().weightedSize() <= 5_000);
            assertTrue(HostileFlatTableProbe.tableLength(cache) <= 16_384,
                    "a bounded cache's table: " + HostileFlatTableProbe.tableLength(cache));
        }
    }

    /**
     * Runs {@code body} on two threads at once, with key bases 0 and 1 000 000, waits for both, and
     * rethrows the first failure of either (an assertion in a thread fails the test).
     */
    private static void onTwoThreads(java.util.function.IntConsumer body) throws Throwable {
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int t = 0; t < 2; t++) {
            int base = t * 1_000_000;
            threads.add(new Thread(() -> {
                try {
                    body.accept(base);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
