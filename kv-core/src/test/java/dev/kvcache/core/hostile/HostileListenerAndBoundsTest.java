package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.KvCacheBuilder;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.core.testing.MutedEngineLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Removal notifications, bounds, weighers and builder checks. */
@ExtendWith(MutedEngineLog.class) // some listeners here throw on purpose
class HostileListenerAndBoundsTest {

    /**
     * Four threads race every kind of write, expiry and eviction over 32 keys; each stored value is
     * unique, so "exactly once per removed entry" means: every stored value is notified once, after
     * a final invalidateAll, and no value is notified that was never stored.
     */
    @Test
    void everyStoredValueIsNotifiedExactlyOnce() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Map<Long, RemovalCause> notified = new ConcurrentHashMap<>();
        Set<Long> duplicates = ConcurrentHashMap.newKeySet();
        KvCache<Integer, Long> cache = KvCache.builder().ticker(ticker).maximumSize(16)
                .timeToLive(Duration.ofMillis(50))
                .removalListener((Integer k, Long v, RemovalCause c) -> {
                    if (notified.putIfAbsent(v, c) != null) {
                        duplicates.add(v);
                    }
                }).build();
        Set<Long> stored = ConcurrentHashMap.newKeySet();
        AtomicLong ids = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            fs.add(pool.submit(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    int k = r.nextInt(32);
                    long v = ids.incrementAndGet();
                    switch (r.nextInt(10)) {
                        case 0 -> { cache.put(k, v); stored.add(v); }
                        case 1 -> { if (cache.putIfAbsent(k, v) == null) stored.add(v); }
                        case 2 -> { if (cache.replace(k, v) != null) stored.add(v); }
                        case 3 -> cache.remove(k);
                        case 4 -> cache.asMap().compute(k, (x, old) -> {
                            if (r.nextBoolean()) {
                                return null;
                            }
                            stored.add(v);
                            return v;
                        });
                        case 5 -> { if (cache.get(k, x -> v) == v) stored.add(v); }
                        case 6 -> cache.asMap().entrySet().removeIf(e -> e.getKey() % 7 == 0);
                        case 7 -> { if (thread == 0) ticker.advance(Duration.ofMillis(10)); else cache.getIfPresent(k); }
                        case 8 -> { cache.put(k, v, Duration.ofMillis(1 + r.nextInt(100))); stored.add(v); }
                        default -> { if (r.nextInt(50) == 0) cache.invalidateAll(); else cache.cleanUp(); }
                    }
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();
        cache.invalidateAll();
        cache.cleanUp();
        assertEquals(Set.of(), duplicates, "notified twice");
        Set<Long> missing = new java.util.HashSet<>(stored);
        missing.removeAll(notified.keySet());
        assertEquals(Set.of(), missing, "stored but never notified");
        Set<Long> phantom = new java.util.HashSet<>(notified.keySet());
        phantom.removeAll(stored);
        assertEquals(Set.of(), phantom, "notified but never stored");
        assertEquals(0, cache.estimatedSize());
    }

    /** With an executor, notifications never run on the caller's thread. */
    @Test
    void withAnExecutorTheListenerNeverRunsOnTheCaller() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            FakeTicker ticker = new FakeTicker();
            Set<Thread> threads = ConcurrentHashMap.newKeySet();
            AtomicInteger count = new AtomicInteger();
            KvCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(5).executor(executor)
                    .removalListener((String k, String v, RemovalCause c) -> {
                        threads.add(Thread.currentThread());
                        count.incrementAndGet();
                    }).build();
            for (int i = 0; i < 20; i++) {
                cache.put("k" + i, "v", Duration.ofSeconds(1)); // evictions
            }
            cache.put("k19", "w"); // replaced
            cache.remove("k18"); // explicit
            ticker.advance(Duration.ofSeconds(2));
            for (int i = 0; i < 20; i++) {
                cache.getIfPresent("k" + i); // reads finding maintenance due
            }
            cache.cleanUp();
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertTrue(count.get() >= 20, "notifications: " + count.get());
            assertTrue(!threads.contains(Thread.currentThread()), "listener ran on the caller");
        } finally {
            executor.shutdownNow();
        }
    }

    /** Listener failures of every kind are contained; the bound still holds. */
    @Test
    void throwingListenersChangeNothing() {
        for (Throwable failure : List.of(new RuntimeException("r"), new StackOverflowError(), new AssertionError("a"),
                new OutOfMemoryError("fake"))) {
            FakeTicker ticker = new FakeTicker();
            AtomicInteger calls = new AtomicInteger();
            KvCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(10)
                    .removalListener((String k, String v, RemovalCause c) -> {
                        calls.incrementAndGet();
                        if (failure instanceof RuntimeException re) {
                            throw re;
                        }
                        throw (Error) failure;
                    }).build();
            for (int i = 0; i < 100; i++) {
                cache.put("k" + i, "v", Duration.ofSeconds(1));
            }
            cache.cleanUp();
            assertEquals(10, cache.estimatedSize(), failure.toString());
            assertEquals(90, calls.get(), failure.toString());
            ticker.advance(Duration.ofSeconds(1));
            cache.cleanUp();
            assertEquals(0, cache.estimatedSize(), failure.toString());
            assertEquals(100, calls.get(), failure.toString());
        }
    }

    @Test
    void boundsHoldAfterEveryWriteOfOneThread() {
        KvCache<Integer, Integer> zero = KvCache.builder().ticker(new FakeTicker()).maximumSize(0).build();
        zero.put(1, 1);
        assertNull(zero.getIfPresent(1), "maximumSize(0) keeps nothing");
        assertEquals(0, zero.asMap().size());

        KvCache<Integer, Integer> ten = KvCache.builder().ticker(new FakeTicker()).maximumSize(10).build();
        for (int i = 0; i < 1_000; i++) {
            ten.put(i, i);
            assertTrue(ten.asMap().size() <= 10, "after put " + i + ": " + ten.asMap().size());
            assertTrue(ten.estimatedSize() <= 10, "after put " + i + ": " + ten.estimatedSize());
        }
    }

    @Test
    void weigherEdges() {
        // Huge weights: an entry heavier than the bound cannot stay.
        KvCache<String, Integer> heavy = KvCache.builder().ticker(new FakeTicker())
                .maximumWeight(10, (String k, Integer v) -> v).build();
        heavy.put("huge", Integer.MAX_VALUE);
        heavy.put("small", 1);
        heavy.cleanUp();
        assertNull(heavy.getIfPresent("huge"));
        assertEquals(1, heavy.getIfPresent("small"));

        // Many maximal weights under a Long.MAX_VALUE bound: the total must not overflow.
        KvCache<Integer, Integer> sum = KvCache.builder().ticker(new FakeTicker())
                .maximumWeight(Long.MAX_VALUE, (Integer k, Integer v) -> Integer.MAX_VALUE).build();
        for (int i = 0; i < 1_000; i++) {
            sum.put(i, i);
        }
        sum.cleanUp();
        assertEquals(1_000, sum.estimatedSize());

        // A negative weight breaks the Weigher contract: it must be refused, not subtract from the total.
        KvCache<String, Integer> negative = KvCache.builder().ticker(new FakeTicker())
                .maximumWeight(10, (String k, Integer v) -> v).build();
        assertThrows(IllegalArgumentException.class, () -> negative.put("neg", -1_000_000));
        for (int i = 0; i < 100; i++) {
            negative.put("k" + i, 1);
        }
        negative.cleanUp();
        assertTrue(negative.asMap().size() <= 10, "held " + negative.asMap().size() + " entries of weight 1");

        // A weigher that throws: the write fails, nothing is stored, the cache still works.
        KvCache<String, Integer> throwing = KvCache.builder().ticker(new FakeTicker())
                .maximumWeight(10, (String k, Integer v) -> {
                    if (v == 13) {
                        throw new IllegalStateException("unlucky");
                    }
                    return 1;
                }).build();
        throwing.put("a", 1);
        assertThrows(IllegalStateException.class, () -> throwing.put("a", 13));
        assertEquals(1, throwing.getIfPresent("a"));
        assertThrows(IllegalStateException.class, () -> throwing.put("b", 13));
        assertNull(throwing.getIfPresent("b"));
        for (int i = 0; i < 100; i++) {
            throwing.put("k" + i, 1);
        }
        throwing.cleanUp();
        assertEquals(10, throwing.estimatedSize());
        assertEquals(10, throwing.asMap().size());
    }

    @Test
    void builderChecks() {
        KvCacheBuilder<Object, Object> b = KvCache.builder();
        assertEquals("maximumSize must be >= 0, was -5",
                assertThrows(IllegalArgumentException.class, () -> b.maximumSize(-5)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.timeToLive(Duration.ofSeconds(-3)))
                .getMessage().contains("-3"));
        assertThrows(NullPointerException.class, () -> b.timeToLive(null));
        assertThrows(NullPointerException.class, () -> b.ticker(null));
        assertThrows(NullPointerException.class, () -> b.removalListener(null));
        assertThrows(NullPointerException.class, () -> b.executor(null));
        assertThrows(NullPointerException.class, () -> b.scheduler(null));
        assertThrows(IllegalArgumentException.class, () -> b.initialCapacity(-1));
        assertThrows(NullPointerException.class, () -> KvCache.builder().maximumWeight(1, null));
        assertThrows(IllegalArgumentException.class, () -> KvCache.builder().maximumWeight(-1, (k, v) -> 1));
        b.maximumSize(5);
        assertTrue(assertThrows(IllegalStateException.class, () -> b.maximumWeight(5, (k, v) -> 1))
                .getMessage().contains("size"));
        // Reuse: later settings do not reach a cache already built.
        KvCacheBuilder<Object, Object> reused = KvCache.builder().ticker(new FakeTicker());
        KvCache<Object, Object> first = reused.build();
        reused.maximumSize(0);
        KvCache<Object, Object> second = reused.build();
        assertNotSame(first, second);
        first.put("k", "v");
        assertEquals("v", first.getIfPresent("k"));
    }

    @Test
    void closeIsIdempotentAndTheCacheStaysUsable() throws Exception {
        java.util.concurrent.ScheduledThreadPoolExecutor scheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
        try {
            KvCache<String, String> cache = KvCache.builder().scheduler(scheduler).timeToLive(Duration.ofMinutes(1)).build();
            cache.put("k", "v");
            cache.close();
            cache.close();
            for (Runnable task : scheduler.getQueue()) {
                assertTrue(((Future<?>) task).isCancelled(), "a task still scheduled after close: " + task);
            }
            assertEquals("v", cache.getIfPresent("k"));
            cache.put("k2", "v2");
            assertEquals("v2", cache.getIfPresent("k2"));
            AtomicBoolean coarseMonotonic = new AtomicBoolean(true);
            // The coarse ticker never goes backwards while caches built with it open and close.
            Thread reader = new Thread(() -> {
                long last = dev.kvcache.core.Ticker.coarse().read();
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                while (System.nanoTime() < end) {
                    long now = dev.kvcache.core.Ticker.coarse().read();
                    if (now < last) {
                        coarseMonotonic.set(false);
                    }
                    last = now;
                }
            });
            reader.start();
            while (reader.isAlive()) {
                KvCache.builder().build().close();
            }
            assertTrue(coarseMonotonic.get(), "Ticker.coarse() went backwards across a stop/restart");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
