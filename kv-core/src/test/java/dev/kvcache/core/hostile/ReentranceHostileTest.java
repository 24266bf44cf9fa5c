package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.BulkLoadException;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The documented IllegalStateException from inside a compute function, iteration vs timeToIdle, shared failures. */
class ReentranceHostileTest {

    @Test
    void policyAndTtlOperationsRefuseToRunInsideACompute() {
        LoadingCache<String, String> cache = KvCache.builder().maximumSize(10).build(k -> "L");
        cache.put("other", "o");
        List<Consumer<LoadingCache<String, String>>> ops = List.of(
                c -> c.policy().weightedSize(),
                c -> c.policy().setMaximum(5),
                c -> c.policy().hottest(1),
                c -> c.policy().coldest(1),
                c -> c.setTimeToLive("other", Duration.ofSeconds(1)),
                c -> c.touch("other"),
                c -> c.getAll(List.of("absent")),
                c -> c.get("absent"),
                c -> c.refresh("other"));
        for (Consumer<LoadingCache<String, String>> op : ops) {
            assertThrows(IllegalStateException.class, () -> cache.asMap().compute("k", (k, v) -> {
                op.accept(cache);
                return "v";
            }));
            assertNull(cache.getIfPresent("k"));
        }
        assertEquals(Map.of("other", "o"), Map.copyOf(cache.asMap()));
        assertBoundUnchanged(cache);
    }

    private static void assertBoundUnchanged(LoadingCache<String, String> cache) {
        assertEquals(10, cache.policy().maximum().getAsLong(), "a refused setMaximum changed nothing");
    }

    /** timeToIdle: "not iteration": iterating the map view does not extend entries. */
    @Test
    void iterationDoesNotExtendAnIdleEntry() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToIdle(Duration.ofNanos(6_400)).build();
        cache.put("k", "v");
        ticker.advance(6_000);
        assertEquals(1, cache.asMap().entrySet().stream().count());
        cache.asMap().forEach((k, v) -> { });
        ticker.advance(400);
        assertNull(cache.getIfPresent("k"));
    }

    /** A getAll that waits for a get's failing load reports that key's throwable in its BulkLoadException. */
    @Test
    void aSharedFailedLoadReachesTheBulkCaller() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch inLoad = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicInteger loads = new AtomicInteger();
            LoadingCache<String, String> cache = KvCache.builder().build(k -> {
                if (k.equals("a")) {
                    loads.incrementAndGet();
                    inLoad.countDown();
                    release.await();
                    throw boom;
                }
                return "B";
            });
            Future<?> get = pool.submit(() -> cache.get("a"));
            assertTrue(inLoad.await(10, TimeUnit.SECONDS));
            Future<Map<String, String>> all = pool.submit(() -> cache.getAll(List.of("a", "b")));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cache.getIfPresent("b") == null && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            release.countDown();
            Throwable viaGet = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> get.get(10, TimeUnit.SECONDS)).getCause();
            assertSame(boom, viaGet);
            Throwable viaAll = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> all.get(10, TimeUnit.SECONDS)).getCause();
            BulkLoadException b = (BulkLoadException) viaAll;
            assertSame(boom, b.failures().get("a"));
            assertEquals(Map.of("b", "B"), b.loaded());
            assertEquals(1, loads.get());
            assertEquals("B", cache.getIfPresent("b"));
            assertNull(cache.getIfPresent("a"));
        } finally {
            pool.shutdownNow();
        }
    }
}
