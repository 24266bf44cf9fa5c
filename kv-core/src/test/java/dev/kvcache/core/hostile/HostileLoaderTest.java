package dev.kvcache.core.hostile;

import static dev.kvcache.core.testing.LoadingFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** get(k, loader) as its Javadoc states it. */
class HostileLoaderTest {

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /** Whatever the loader throws reaches the owner and every waiter; nothing is stored. */
    @Test
    void everyKindOfThrowableReachesEveryCaller() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            for (Throwable failure : List.of(new IOException("checked"), new OutOfMemoryError("fake"),
                    new IllegalArgumentException("runtime"), new InterruptedException("sneaky interrupt"))) {
                KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).recordStats().build();
                CountDownLatch entered = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                Future<Throwable> owner = pool.submit(() -> catching(() -> cache.get("k", k -> {
                    entered.countDown();
                    await(release);
                    throw sneaky(failure);
                })));
                entered.await();
                List<Future<Throwable>> waiters = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    waiters.add(pool.submit(() -> catching(() -> cache.get("k", k -> "second loader ran"))));
                }
                Thread.sleep(50); // let the waiters reach the in-flight load (not a correctness sleep)
                release.countDown();
                assertSame(failure, owner.get(5, TimeUnit.SECONDS));
                for (Future<Throwable> w : waiters) {
                    Throwable seen = w.get(5, TimeUnit.SECONDS);
                    assertTrue(seen == failure || seen == null, failure + " -> " + seen);
                }
                assertTrue(cache.getIfPresent("k") == null || cache.getIfPresent("k").equals("second loader ran"));
                assertTrue(cache.stats().loadFailureCount() >= 1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A waiter interrupted while it waits: it still gets the loaded value, its interrupt is kept. */
    @Test
    void anInterruptedWaiterGetsTheValueAndKeepsItsInterrupt() throws Exception {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).build();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread owner = new Thread(() -> cache.get("k", k -> {
            entered.countDown();
            await(release);
            return "loaded";
        }));
        owner.start();
        entered.await();
        AtomicReference<Object> waiterSaw = new AtomicReference<>();
        AtomicReference<Boolean> interruptKept = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                waiterSaw.set(cache.get("k", k -> "waiter loaded"));
            } catch (Throwable t) {
                waiterSaw.set(t);
            }
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        waiter.start();
        Thread.sleep(50);
        waiter.interrupt();
        Thread.sleep(50);
        release.countDown();
        owner.join(5_000);
        waiter.join(5_000);
        assertTrue(waiterSaw.get() instanceof String, "waiter saw " + waiterSaw.get());
        assertEquals(Boolean.TRUE, interruptKept.get());
    }

    @Test
    void recursiveLoadsOfTheSameKeyFailInsteadOfHanging() throws Exception {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Throwable> direct = pool.submit(() -> catching(() -> cache.get("a", k -> cache.get("a", j -> "x"))));
            assertTrue(direct.get(5, TimeUnit.SECONDS) instanceof IllegalStateException);
            Future<Throwable> viaOther = pool.submit(() -> catching(() ->
                    cache.get("a", k -> cache.get("b", j -> cache.get("a", i -> "x")))));
            assertTrue(viaOther.get(5, TimeUnit.SECONDS) instanceof IllegalStateException,
                    "a -> b -> a on one thread");
            assertNull(cache.getIfPresent("a"));
            assertNull(cache.getIfPresent("b"));
            assertEquals("ok", cache.get("a", k -> cache.get("b", j -> "o") + "k"), "nested loads of other keys work");
        } finally {
            pool.shutdownNow();
        }
    }

    /** The documented outcome of explicit writes made by the loader itself during its load. */
    @Test
    void explicitWritesDuringALoadWin() throws Exception {
        for (String write : List.of("put", "remove", "invalidateAll", "asMap.put", "compute", "putIfAbsent",
                "remove absent via map", "clear")) {
            KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).recordStats().build();
            AtomicInteger calls = new AtomicInteger();
            String result = cache.get("k", k -> {
                if (calls.incrementAndGet() == 1) {
                    switch (write) {
                        case "put" -> cache.put("k", "written");
                        case "remove" -> cache.remove("k");
                        case "invalidateAll" -> cache.invalidateAll();
                        case "asMap.put" -> cache.asMap().put("k", "written");
                        case "compute" -> cache.asMap().compute("k", (x, v) -> "written");
                        case "putIfAbsent" -> cache.putIfAbsent("k", "written");
                        case "remove absent via map" -> cache.asMap().remove("k");
                        case "clear" -> cache.asMap().clear();
                        default -> throw new AssertionError(write);
                    }
                }
                return "loaded" + calls.get();
            });
            boolean wroteValue = List.of("put", "asMap.put", "compute", "putIfAbsent").contains(write);
            // The loader's own writes: a value it wrote wins; its own removal leaves its load alone
            // (it ran once, its value is stored: LoaderOwnWritesTest; it used to run again).
            String expected = wroteValue ? "written" : "loaded1";
            assertEquals(expected, result, write);
            assertEquals(expected, cache.getIfPresent("k"), write);
            assertEquals(1, calls.get(), write);
        }
    }

    @Test
    void nullLoadsAndStats() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).recordStats().build();
        assertNull(cache.get("k", k -> null));
        assertNull(cache.getIfPresent("k"));
        assertEquals("v", cache.get("k", k -> {
            ticker.advance(100);
            return "v";
        }));
        assertEquals("v", cache.get("k", k -> "other"));
        CacheStats s = cache.stats();
        assertEquals(1, s.loadFailureCount(), s.toString());
        assertEquals(1, s.loadSuccessCount(), s.toString());
        assertEquals(100, s.totalLoadTimeNanos(), s.toString());
        assertEquals(1, s.putCount(), s.toString());
        assertEquals(1, s.hitCount(), s.toString());
        assertEquals(50.0, s.averageLoadPenaltyNanos());
        assertThrows(NullPointerException.class, () -> cache.get(null, k -> "v"));
        assertThrows(NullPointerException.class, () -> cache.get("present? no", null));
        assertThrows(NullPointerException.class, () -> cache.get("k", null), "null loader for a present key");
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static Throwable catching(Call c) {
        try {
            c.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

}
