package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.KvCacheBuilder;
import dev.kvcache.core.RemovalListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile review of the bound claims of KvCacheBuilder#maximumWeight after b95d82a: "The bound is
 * restored by the writing thread before its write returns, unless another thread is doing the
 * maintenance at that moment, in which case that thread restores it as it finishes" and "under any
 * number of concurrent writers the cache holds at most about 64 entries (their weight, if weighted)
 * beyond the bound, plus the writes in flight".
 */
@Tag("heavy") // 40 s of rounds whose outcome does not depend on the JDK: JDK 17 only in .ci/run
class HostileBackPressureBoundTest {
    private static final int BOUND = 2_000;

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** Runs writers to completion with an optional side thread; returns the largest sampled size. */
    private static long run(KvCache<Object, Object> cache, int writers, int writesEach, IntFunction<Object> keyOf,
            boolean mixed, Consumer<KvCache<Object, Object>> side, boolean sample) throws InterruptedException {
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong largest = new AtomicLong();
        Thread sideThread = null;
        if (side != null || sample) {
            sideThread = new Thread(() -> {
                while (!done.get()) {
                    if (side != null) {
                        side.accept(cache);
                    }
                    if (sample) {
                        long n = cache.estimatedSize();
                        if (n < 0) {
                            throw new AssertionError("estimatedSize negative: " + n);
                        }
                        largest.accumulateAndGet(n, Math::max);
                    }
                }
            }, "side");
            sideThread.setDaemon(true);
            sideThread.start();
        }
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            int base = t * 10_000_000;
            Thread w = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < writesEach; i++) {
                    Object key = keyOf.apply(base + i);
                    if (mixed) {
                        int op = r.nextInt(10);
                        if (op == 0 && i > 0) {
                            cache.remove(keyOf.apply(base + r.nextInt(i)));
                            continue;
                        } else if (op == 1 && i > 0) {
                            cache.put(keyOf.apply(base + r.nextInt(i)), i); // overwrite (or re-insert)
                            continue;
                        }
                    }
                    cache.put(key, i);
                }
            }, "writer-" + t);
            w.setDaemon(true);
            threads.add(w);
            w.start();
        }
        for (Thread w : threads) {
            w.join();
        }
        done.set(true);
        if (sideThread != null) {
            sideThread.join();
        }
        return largest.get();
    }

    // ---------------------------------------------------------------- the overshoot during writes

    @ParameterizedTest(name = "writers={0} weighted={1} listener={2} mixed={3}")
    @CsvSource({
        "2, false, false, false", "4, false, false, false", "8, false, false, false",
        "2, true, false, false", "4, true, true, false", "8, true, false, true",
        "4, false, true, true", "8, false, true, true"
    })
    void overshootStaysWithinTheClaim(int writers, boolean weighted, boolean listener, boolean mixed) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int w = 7;
            KvCacheBuilder<Object, Object> b = KvCache.builder();
            KvCacheBuilder<Object, Object> builder = weighted
                    ? b.<Object, Object>maximumWeight((long) BOUND * w, (k, v) -> w)
                    : b.<Object, Object>maximumSize(BOUND).removalListener((k, v, c) -> { });
            if (listener) {
                builder = builder.removalListener((k, v, c) -> spin(2_000));
            }
            KvCache<Object, Object> cache = builder.build();
            long largest = run(cache, writers, 200_000, i -> i, mixed, null, true);
            // 64 beyond the bound, plus the writes in flight (one per writer), plus 64 for the sampler's race
            long allowed = BOUND + 64 + writers + 64;
            assertTrue(largest <= allowed, largest + " entries sampled, bound " + BOUND + ", claim about " + allowed);
        });
    }

    @Test
    void overshootStaysWithinTheClaimForHashFloodedKeys() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            KvCache<Object, Object> cache = KvCache.<Object, Object>builder().maximumSize(BOUND).build();
            long largest = run(cache, 4, 20_000, HostileFlatTableKeys.SAME_HASH_COMPARABLE::key, false, null, true);
            long allowed = BOUND + 64 + 4 + 64;
            assertTrue(largest <= allowed, largest + " entries sampled, bound " + BOUND + ", claim about " + allowed);
        });
    }

    // ---------------------------------------------------------------- the bound once writers have returned

    private static void boundHoldsAfterReturn(String what, int writers, int writesEach, int rounds,
            Consumer<KvCache<Object, Object>> side, RemovalListener<Object, Object> listener, IntFunction<Object> keys) {
        boundHoldsAfterReturn(what, 100, writers, writesEach, rounds, side, listener, keys);
    }

    private static void boundHoldsAfterReturn(String what, int bound, int writers, int writesEach, int rounds,
            Consumer<KvCache<Object, Object>> side, RemovalListener<Object, Object> listener, IntFunction<Object> keys) {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            List<String> over = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                KvCacheBuilder<Object, Object> b = KvCache.<Object, Object>builder().maximumSize(bound);
                if (listener != null) {
                    b = b.removalListener(listener);
                }
                KvCache<Object, Object> cache = b.build();
                run(cache, writers, writesEach, keys, false, side, false);
                long n = cache.estimatedSize();
                if (n > bound) {
                    over.add("round " + round + ": " + n);
                }
            }
            assertTrue(over.isEmpty(), what + ": bound " + bound + ", every writer returned, no cleanUp, yet " + over.size()
                    + " of " + rounds + " rounds over it: " + over.subList(0, Math.min(5, over.size())));
        });
    }

    // Failed (about 1 round in 15) on b95d82a and on b95d82a~1: weightedSize() holds the maintenance lock
    // without draining, so a write whose tryLock it defeats is left to no one.
    @Test
    void boundHoldsAfterWritersReturnWhileAMetricsThreadReadsWeightedSize() {
        boundHoldsAfterReturn("weightedSize() poller", 1, 300, 3_000, c -> c.policy().weightedSize(), null, i -> i);
    }

    // Failed (about 1 round in 500) on b95d82a and on b95d82a~1: cleanUp drains once and does not re-check after unlocking.
    @Test
    void boundHoldsAfterWritersReturnWhileAnotherThreadCallsCleanUp() {
        boundHoldsAfterReturn("cleanUp() caller", 1, 300, 3_000, KvCache::cleanUp, null, i -> i);
    }

    // Failed (about 1 round in 400) on b95d82a and on b95d82a~1: ranked() drains once, no re-check after unlocking.
    @Test
    void boundHoldsAfterWritersReturnWhileAnAdminPageListsColdest() {
        boundHoldsAfterReturn("coldest(5) caller", 1, 300, 3_000, c -> c.policy().coldest(5), null, i -> i);
    }

    // Failed (about 1 round in 400) on b95d82a and on b95d82a~1: setMaximum drains once, no re-check after unlocking.
    @Test
    void boundHoldsAfterWritersReturnWhileABoundIsReSet() {
        boundHoldsAfterReturn("setMaximum(100) caller", 1, 300, 3_000, c -> c.policy().setMaximum(100), null, i -> i);
    }

    @Test
    void boundHoldsAfterEightWritersReturn() {
        boundHoldsAfterReturn("8 writers", 8, 5_000, 40, null, null, i -> i);
    }

    @Test
    void boundHoldsAfterEightWritersWithASlowListenerReturn() {
        boundHoldsAfterReturn("8 writers, slow listener", 8, 2_000, 40, null, (k, v, c) -> spin(20_000), i -> i);
    }

    @Test
    void boundHoldsAfterFourWritersOfHashFloodedKeysReturn() {
        boundHoldsAfterReturn("4 writers, one hash", 4, 1_000, 20, null, null,
                HostileFlatTableKeys.SAME_HASH_COMPARABLE::key);
    }

    // The same with a larger cache, so that the lock holder's drain-then-rank window is wider.
    @Test
    void boundHoldsAfterWritersReturnWhileAnAdminPageListsColdestOfALargerCache() {
        boundHoldsAfterReturn("coldest(5) caller", 5_000, 1, 6_000, 100, c -> c.policy().coldest(5), null, i -> i);
    }

    @Test
    void boundHoldsAfterWritersReturnWhileAnotherThreadCallsCleanUpOnALargerCache() {
        boundHoldsAfterReturn("cleanUp() caller", 5_000, 1, 6_000, 100, KvCache::cleanUp, null, i -> i);
    }

    @Test
    void boundHoldsAfterWritersReturnWhileABoundIsReSetOnALargerCache() {
        boundHoldsAfterReturn("setMaximum(5000) caller", 5_000, 1, 6_000, 100, c -> c.policy().setMaximum(5_000), null, i -> i);
    }

    @ParameterizedTest(name = "writers={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {2, 8})
    void overshootStaysWithinTheClaimWhileAMetricsThreadReadsWeightedSize(int writers) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            KvCache<Object, Object> cache = KvCache.<Object, Object>builder().maximumSize(BOUND).build();
            long largest = run(cache, writers, 200_000, i -> i, true, c -> c.policy().weightedSize(), true);
            long allowed = BOUND + 64 + writers + 64;
            assertTrue(largest <= allowed, largest + " entries sampled, bound " + BOUND + ", claim about " + allowed);
        });
    }
}
