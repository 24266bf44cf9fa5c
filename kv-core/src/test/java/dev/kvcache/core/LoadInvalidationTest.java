package dev.kvcache.core;

import dev.kvcache.core.testing.FakeTicker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, item 5: an explicit write of a key while a {@code get(key, loader)} for it is in flight
 * wins: the load's (stale) value is not stored. Its callers get the value that write stored, if any,
 * and otherwise the value of a load run after the write.
 */
class LoadInvalidationTest {
    private final FakeTicker ticker = new FakeTicker();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(Duration.ofSeconds(10))
            .build();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicInteger loaderRuns = new AtomicInteger();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    static Stream<Named<Consumer<KvCache<String, String>>>> invalidations() {
        return Stream.of(
                Named.of("remove(k)", c -> c.remove("k")),
                Named.of("invalidateAll()", KvCache::invalidateAll),
                Named.of("asMap().remove(k)", c -> c.asMap().remove("k")),
                Named.of("asMap().clear()", c -> c.asMap().clear()),
                Named.of("asMap().keySet().remove(k)", c -> c.asMap().keySet().remove("k")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidations")
    void anInvalidationDuringTheLoadWins(Consumer<KvCache<String, String>> invalidation) throws Exception {
        cache.put("other", "o");
        Future<String> load = loadBlockedDuring(() -> invalidation.accept(cache));
        assertEquals("loaded again", load.get(10, TimeUnit.SECONDS), "the stale value was returned");
        assertEquals(2, loaderRuns.get(), "the loader runs again after the invalidation");
        assertEquals("loaded again", cache.getIfPresent("k"), "what get returned is what was stored");
    }

    @Test
    void aPutDuringTheLoadWinsAndTheLoadsCallersGetThePutValue() throws Exception {
        Future<String> load = loadBlockedDuring(() -> cache.put("k", "written"));
        assertEquals("written", load.get(10, TimeUnit.SECONDS), "linearized just after the put");
        assertEquals("written", cache.getIfPresent("k"));
    }

    @Test
    void aComputeDuringTheLoadWins() throws Exception {
        Future<String> load = loadBlockedDuring(() -> cache.asMap().compute("k", (k, v) -> "computed"));
        assertEquals("computed", load.get(10, TimeUnit.SECONDS));
        assertEquals("computed", cache.getIfPresent("k"));
    }

    /** A caller that arrives after the invalidation does not join the invalidated load: it loads again. */
    @Test
    void aCallerArrivingAfterTheInvalidationLoadsAfresh() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        Future<String> load = loadBlockedDuring(() -> {
            cache.remove("k");
            assertEquals("fresh", cache.get("k", key -> {
                loads.incrementAndGet();
                return "fresh";
            }));
        });
        assertEquals("fresh", load.get(10, TimeUnit.SECONDS), "the later caller's value, stored");
        assertEquals(1, loads.get());
        assertEquals(1, loaderRuns.get(), "the invalidated load did not run its loader again");
        assertEquals("fresh", cache.getIfPresent("k"));
    }

    /** A write to another key, or a failed conditional write of this one, leaves the load alone. */
    @Test
    void writesThatDoNotTouchTheKeyLeaveTheLoadAlone() throws Exception {
        Future<String> load = loadBlockedDuring(() -> {
            cache.put("other", "o");
            cache.remove("other");
            cache.replace("k", "x");
            cache.remove("k", "x");
        });
        assertEquals("loaded", load.get(10, TimeUnit.SECONDS));
        assertEquals("loaded", cache.getIfPresent("k"));
    }

    /** Starts {@code get("k", loader)} on another thread and runs {@code during} while its loader runs. */
    private Future<String> loadBlockedDuring(Runnable during) throws InterruptedException {
        CountDownLatch loaderEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> load = pool.submit(() -> cache.get("k", key -> {
            if (loaderRuns.incrementAndGet() > 1) {
                return "loaded again";
            }
            loaderEntered.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return "loaded";
        }));
        assertTrue(loaderEntered.await(10, TimeUnit.SECONDS));
        try {
            during.run();
        } finally {
            release.countDown();
        }
        return load;
    }
}
