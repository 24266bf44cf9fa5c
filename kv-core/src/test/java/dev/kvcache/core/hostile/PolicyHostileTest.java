package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.Policy;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Policy at run time and the bulk methods' argument checking. */
class PolicyHostileTest {

    @Test
    void setMaximumShrinksBeforeReturningAndReportsSize() {
        List<RemovalCause> causes = new CopyOnWriteArrayList<>();
        KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(100).recordStats()
                .<Integer, Integer>removalListener((k, v, c) -> causes.add(c)).build();
        for (int i = 0; i < 100; i++) {
            cache.put(i, i);
        }
        Policy<Integer, Integer> p = cache.policy();
        p.setMaximum(10);
        assertEquals(OptionalLong.of(10), p.maximum());
        assertTrue(p.weightedSize() <= 10, "weightedSize " + p.weightedSize());
        assertTrue(cache.estimatedSize() <= 10);
        assertEquals(90, causes.size());
        assertTrue(causes.stream().allMatch(c -> c == RemovalCause.SIZE));
        CacheStats s = cache.stats();
        assertEquals(90, s.evictionCount());
        assertEquals(90, s.evictionWeight());
        p.setMaximum(0);
        assertEquals(0, cache.estimatedSize());
        p.setMaximum(1_000);
        cache.put(1, 1);
        assertEquals(1, cache.getIfPresent(1));
        assertThrows(IllegalArgumentException.class, () -> p.setMaximum(-1));
        assertEquals(OptionalLong.of(1_000), p.maximum());
    }

    @Test
    void weightedSetMaximum() {
        KvCache<String, String> cache = KvCache.builder().<String, String>maximumWeight(100, (k, v) -> v.length()).build();
        cache.put("a", "x".repeat(30));
        cache.put("b", "x".repeat(30));
        cache.put("c", "x".repeat(30));
        Policy<String, String> p = cache.policy();
        assertTrue(p.isWeighted());
        assertEquals(90, p.weightedSize());
        cache.put("a", "x".repeat(5)); // an in-place overwrite reweighs
        assertEquals(65, p.weightedSize());
        p.setMaximum(40);
        assertTrue(p.weightedSize() <= 40, "" + p.weightedSize());
    }

    @Test
    void unboundedPolicyRefusesBoundedOperations() {
        KvCache<String, String> cache = KvCache.builder().build();
        cache.put("a", "b");
        Policy<String, String> p = cache.policy();
        assertEquals(OptionalLong.empty(), p.maximum());
        assertFalse(p.isWeighted());
        assertEquals(1, p.weightedSize());
        assertThrows(UnsupportedOperationException.class, () -> p.setMaximum(5));
        assertThrows(UnsupportedOperationException.class, () -> p.hottest(1));
        assertThrows(UnsupportedOperationException.class, () -> p.coldest(1));
        assertEquals(KvCache.NEVER, p.timeToLive());
    }

    @Test
    void hottestAndColdestBoundsOrderAndLiveness() {
        FakeTicker ticker = new FakeTicker();
        KvCache<Integer, Integer> cache = KvCache.builder().ticker(ticker).maximumSize(100).build();
        for (int i = 0; i < 20; i++) {
            cache.put(i, i);
        }
        cache.put(99, 99, Duration.ofNanos(10));
        cache.put(98, 98);
        cache.remove(98);
        for (int r = 0; r < 3; r++) {
            cache.getIfPresent(5);
        }
        ticker.advance(10);
        Policy<Integer, Integer> p = cache.policy();
        assertThrows(IllegalArgumentException.class, () -> p.hottest(-1));
        assertThrows(IllegalArgumentException.class, () -> p.coldest(-1));
        assertEquals(List.of(), p.hottest(0));
        List<Integer> hot = p.hottest(Integer.MAX_VALUE);
        List<Integer> cold = p.coldest(1_000);
        assertEquals(20, hot.size(), "only live entries: " + hot);
        assertEquals(20, new HashSet<>(hot).size());
        assertFalse(hot.contains(99));
        assertFalse(hot.contains(98));
        List<Integer> reversed = new ArrayList<>(cold);
        Collections.reverse(reversed);
        assertEquals(hot, reversed);
        assertEquals(5, hot.get(0), "the most read entry first: " + hot);
        assertEquals(hot.subList(0, 3), p.hottest(3));
        assertThrows(UnsupportedOperationException.class, () -> hot.add(1));
    }

    @Test
    void bulkArgumentsAreCheckedBeforeAnyChange() {
        AtomicInteger notified = new AtomicInteger();
        KvCache<String, String> cache = KvCache.builder().<String, String>removalListener((k, v, c) -> notified.incrementAndGet())
                .build();
        cache.put("a", "1");
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("b", "2");
        nullValue.put("c", null);
        assertThrows(NullPointerException.class, () -> cache.putAll(nullValue));
        assertThrows(NullPointerException.class, () -> cache.putAll(nullValue, Duration.ofSeconds(1)));
        Map<String, String> nullKey = new LinkedHashMap<>();
        nullKey.put("b", "2");
        nullKey.put(null, "3");
        assertThrows(NullPointerException.class, () -> cache.putAll(nullKey));
        assertThrows(NullPointerException.class, () -> cache.putAll(Map.of("b", "2"), null));
        assertThrows(IllegalArgumentException.class, () -> cache.putAll(Map.of("b", "2"), Duration.ofNanos(-5)));
        assertNull(cache.getIfPresent("b"));
        assertThrows(NullPointerException.class, () -> cache.invalidateAll(Arrays.asList("a", null)));
        assertEquals("1", cache.getIfPresent("a"));
        assertThrows(NullPointerException.class, () -> cache.getAllPresent(Arrays.asList("a", null)));
        assertThrows(NullPointerException.class, () -> cache.invalidateAll((Iterable<String>) null));
        assertEquals(0, notified.get());
        cache.putAll(Map.of("b", "2", "c", "3"), Duration.ofSeconds(5));
        assertEquals(Map.of("a", "1", "b", "2"), cache.getAllPresent(List.of("a", "b", "zz", "a")));
        cache.invalidateAll(List.of("a", "b", "zz", "a"));
        assertEquals(2, notified.get());
        assertEquals(Map.of("c", "3"), cache.getAllPresent(List.of("a", "b", "c")));
    }

    /**
     * invalidateAll(keys) "wins over a load of the key in flight": the value loaded before it is dropped, never stored
     * nor returned (the load runs again after the invalidation, as LoadingCache's linearizability requires).
     */
    @Test
    void bulkInvalidationWinsOverALoadInFlight() throws Exception {
        java.util.concurrent.CountDownLatch inLoad = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        LoadingCache<String, String> cache = KvCache.builder().build(k -> {
            if (calls.incrementAndGet() == 1) {
                inLoad.countDown();
                release.await();
                return "stale";
            }
            return "fresh";
        });
        java.util.concurrent.atomic.AtomicReference<String> got = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> got.set(cache.get("k")));
        t.start();
        assertTrue(inLoad.await(10, java.util.concurrent.TimeUnit.SECONDS));
        cache.invalidateAll(List.of("k"));
        release.countDown();
        t.join(10_000);
        assertEquals("fresh", got.get());
        assertEquals("fresh", cache.getIfPresent("k"));
        assertEquals(2, calls.get());
    }

    @Test
    void statsCountBulkOperationsExactly() {
        KvCache<String, String> cache = KvCache.builder().recordStats().build();
        cache.putAll(Map.of("a", "1", "b", "2"));
        cache.getAllPresent(List.of("a", "b", "c", "a"));
        cache.invalidateAll(List.of("a", "c"));
        CacheStats s = cache.stats();
        assertEquals(2, s.putCount());
        assertEquals(2, s.hitCount());
        assertEquals(1, s.missCount());
        assertEquals(1, s.removalCount());
    }

    /**
     * weightedSize "with no write in flight and after cleanUp() is exact": the sum of the weigher's weights of the values
     * held, after racing in-place overwrites that change weights, removals and a setMaximum that shrinks then grows.
     */
    @Test
    void weightedSizeIsExactAfterRacingReweighs() throws Exception {
        KvCache<Integer, Integer> cache = KvCache.builder().<Integer, Integer>maximumWeight(400, (k, v) -> v).build();
        Policy<Integer, Integer> p = cache.policy();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
        for (int t = 0; t < 3; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    int k = rnd.nextInt(64);
                    switch (rnd.nextInt(10)) {
                        case 0 -> cache.remove(k);
                        case 1 -> cache.asMap().merge(k, 1 + rnd.nextInt(20), (a, b) -> 1 + (a + b) % 20);
                        default -> cache.put(k, 1 + rnd.nextInt(20));
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        Thread tuner = new Thread(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                return;
            }
            while (System.nanoTime() < end) {
                p.setMaximum(50);
                p.setMaximum(400);
            }
        });
        tuner.start();
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        tuner.join();
        cache.cleanUp();
        long sum = 0;
        for (Integer v : cache.asMap().values()) {
            sum += v;
        }
        assertEquals(sum, p.weightedSize());
        assertTrue(sum <= 400, "over the bound: " + sum);
        p.setMaximum(30);
        sum = 0;
        for (Integer v : cache.asMap().values()) {
            sum += v;
        }
        assertEquals(sum, p.weightedSize());
        assertTrue(sum <= 30, "over the lowered bound: " + sum);
    }
}
