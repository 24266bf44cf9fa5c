package dev.kvcache.core;

import static dev.kvcache.core.testing.LoadingFixture.await;
import static dev.kvcache.core.testing.LoadingFixture.awaitALoadWaiter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvcache.core.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, item 3: whatever a loader throws (a checked exception thrown sneakily, as Kotlin or Lombok
 * code does, an error, a runtime exception) completes its in-flight load: the caller that ran it and
 * every caller waiting on it see that same throwable, nothing is stored, and nobody hangs.
 */
class LoaderFailureTest {
    private final FakeTicker ticker = new FakeTicker();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(Duration.ofSeconds(10))
            .recordStats()
            .build();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "a caller is still blocked in the cache");
    }

    static Stream<Named<Throwable>> failures() {
        return Stream.of(
                Named.of("checked, thrown sneakily", new IOException("backend down")),
                Named.of("error", new AssertionError("loader bug")),
                Named.of("runtime exception", new IllegalStateException("bad state")),
                Named.of("plain Throwable", new Throwable("odd")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void ownerAndWaiterSeeTheFailureAndNothingIsStored(Throwable failure) throws Exception {
        CountDownLatch loaderEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> owner = pool.submit(() -> cache.get("k", key -> {
            loaderEntered.countDown();
            await(release);
            throw LoaderFailureTest.<RuntimeException>sneaky(failure);
        }));
        assertTrue(loaderEntered.await(10, TimeUnit.SECONDS));
        Thread[] waiterThread = new Thread[1];
        CountDownLatch waiterStarted = new CountDownLatch(1);
        Future<String> waiter = pool.submit(() -> {
            waiterThread[0] = Thread.currentThread();
            waiterStarted.countDown();
            return cache.get("k", key -> fail("a waiter ran the loader although a load was in flight"));
        });
        assertTrue(waiterStarted.await(10, TimeUnit.SECONDS));
        awaitALoadWaiter(waiterThread[0]);
        release.countDown();

        assertSame(failure, causeOf(owner), "the owner sees its loader's throwable");
        assertSame(failure, causeOf(waiter), "the waiter sees the same throwable");
        assertNull(cache.getIfPresent("k"));
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
        assertEquals(1, cache.stats().loadFailureCount());
        // The key is not poisoned: the next call loads again.
        assertEquals("v", cache.get("k", key -> "v"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void aLoadThatFailedOnTheCallersThreadRethrowsTheSameThrowable(Throwable failure) {
        try {
            cache.get("k", key -> {
                throw LoaderFailureTest.<RuntimeException>sneaky(failure);
            });
            fail("the loader's throwable was swallowed");
        } catch (Throwable thrown) {
            assertSame(failure, thrown);
        }
        assertNull(cache.getIfPresent("k"));
        assertEquals("v", cache.get("k", key -> "v"), "the next call for the key loads again");
    }

    private static Throwable causeOf(Future<?> future) throws InterruptedException {
        try {
            future.get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("a caller of get(k, loader) is still blocked 10 s after its load failed");
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
