package dev.kvcache.core;

import static dev.kvcache.core.testing.LoadingFixture.awaitALoadWaiter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LoadingCache#get}: loading, sharing a load, "no value", and how loader failures surface. */
class LoadingCacheTest {
    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger loads = new AtomicInteger();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    private LoadingCache<String, String> cache(CacheLoader<String, String> loader) {
        return KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10)).recordStats().build(loader);
    }

    @Test
    void getLoadsStoresWithTheDefaultTtlAndThenHits() {
        LoadingCache<String, String> cache = cache(k -> {
            loads.incrementAndGet();
            return "v" + k;
        });
        assertEquals("v1", cache.get("1"));
        assertEquals("v1", cache.get("1"));
        assertEquals(1, loads.get());
        assertEquals("v1", cache.getIfPresent("1"));
        assertEquals(Duration.ofSeconds(10), cache.getEntryIfPresent("1").expiresIn());
        ticker.advance(Duration.ofSeconds(10));
        assertNull(cache.getIfPresent("1"), "expired at its deadline");
        assertEquals("v1", cache.get("1"));
        assertEquals(2, loads.get(), "an expired key loads again");
        CacheStats stats = cache.stats();
        assertEquals(2, stats.loadSuccessCount());
        assertEquals(2, stats.putCount());
    }

    @Test
    void aNullFromTheLoaderStoresNothingAndIsNotRemembered() {
        LoadingCache<String, String> cache = cache(k -> {
            loads.incrementAndGet();
            return null;
        });
        assertNull(cache.get("k"));
        assertNull(cache.get("k"));
        assertEquals(2, loads.get(), "no negative caching: each get loads again");
        assertEquals(0, cache.estimatedSize());
        assertEquals(2, cache.stats().loadFailureCount());
    }

    @Test
    void aCheckedExceptionIsWrappedInALoadExceptionAndNothingIsStored() {
        IOException io = new IOException("disk");
        LoadingCache<String, String> cache = cache(k -> {
            throw io;
        });
        LoadException e = assertThrows(LoadException.class, () -> cache.get("k"));
        assertSame(io, e.getCause());
        assertTrue(e.getMessage().contains("k"), e.getMessage());
        assertFalse(e instanceof BulkLoadException);
        assertNull(cache.getIfPresent("k"));
        assertEquals(1, cache.stats().loadFailureCount());
    }

    @Test
    void uncheckedExceptionsAndErrorsReachTheCallerUnchanged() {
        IllegalStateException ise = new IllegalStateException("x");
        assertSame(ise, assertThrows(IllegalStateException.class, () -> cache(k -> {
            throw ise;
        }).get("k")));
        StackOverflowError error = new StackOverflowError();
        assertSame(error, assertThrows(StackOverflowError.class, () -> cache(k -> {
            throw error;
        }).get("k")));
    }

    @Test
    void anInterruptedLoaderIsWrappedAndTheInterruptStatusRestored() {
        LoadingCache<String, String> cache = cache(k -> {
            throw new InterruptedException();
        });
        LoadException e = assertThrows(LoadException.class, () -> cache.get("k"));
        assertInstanceOf(InterruptedException.class, e.getCause());
        assertTrue(Thread.interrupted(), "the interrupt status is set again (and cleared here)");
    }

    @Test
    void concurrentGetsShareOneLoadAndItsFailure() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(k -> {
            loads.incrementAndGet();
            loading.countDown();
            release.await();
            throw new IOException("shared");
        });
        Future<Throwable> first = pool.submit(() -> assertThrows(LoadException.class, () -> cache.get("k")));
        assertTrue(loading.await(10, TimeUnit.SECONDS));
        Future<Throwable> second = pool.submit(() -> assertThrows(LoadException.class, () -> cache.get("k")));
        awaitALoadWaiter(second);
        release.countDown();
        assertSame(first.get(10, TimeUnit.SECONDS), second.get(10, TimeUnit.SECONDS), "one load, one failure");
        assertEquals(1, loads.get());
    }

    @Test
    void getWithItsOwnLoaderSharesTheLoadingCachesLoad() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(k -> {
            loading.countDown();
            release.await();
            return "from the cache loader";
        });
        Future<String> first = pool.submit(() -> cache.get("k"));
        assertTrue(loading.await(10, TimeUnit.SECONDS));
        Future<String> second = pool.submit(() -> cache.get("k", k -> "never run"));
        awaitALoadWaiter(second);
        release.countDown();
        assertEquals("from the cache loader", first.get(10, TimeUnit.SECONDS));
        assertEquals("from the cache loader", second.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aLoaderThatGetsItsOwnKeyFails() {
        LoadingCache<String, String>[] self = new LoadingCache[1];
        self[0] = cache(k -> self[0].get(k));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> self[0].get("k"));
        assertTrue(e.getMessage().contains("recursive"), e.getMessage());
    }

    @Test
    void getOfAnAbsentKeyFromInsideAComputeFunctionIsRefused() {
        LoadingCache<String, String> cache = cache(k -> "v");
        cache.put("present", "p");
        assertThrows(IllegalStateException.class,
                () -> cache.asMap().compute("x", (k, old) -> cache.get("absent")));
        assertEquals("p", cache.asMap().compute("x", (k, old) -> cache.get("present")), "a hit is a read");
    }

    @Test
    void nullsAreRefused() {
        LoadingCache<String, String> cache = cache(k -> "v");
        assertThrows(NullPointerException.class, () -> cache.get(null));
        assertThrows(NullPointerException.class, () -> cache.getAll(null));
        assertThrows(NullPointerException.class, () -> cache.refresh(null));
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> KvCache.builder().build((CacheLoader<Object, Object>) null));
        assertEquals("loader", e.getMessage());
    }

    @Test
    void theLoadingCacheIsAFullKvCache() {
        RecordingListener<String, String> listener = new RecordingListener<>();
        LoadingCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(2)
                .removalListener(listener).build(k -> "v" + k);
        cache.put("a", "1");
        assertEquals("1", cache.asMap().get("a"));
        assertEquals("vb", cache.get("b"));
        assertEquals("vc", cache.get("c"));
        cache.cleanUp();
        assertEquals(2, cache.estimatedSize());
        assertEquals(2, cache.policy().weightedSize());
        assertEquals(1, listener.count(RemovalCause.SIZE));
        assertTrue(cache.toString().startsWith("Loading"), cache.toString());
        cache.close();
    }
}
