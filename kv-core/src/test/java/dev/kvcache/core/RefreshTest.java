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
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LoadingCache#refresh}: a background reload on the executor; readers keep the old value; a
 * failure keeps it; any write or invalidation made after the refresh started wins over it.
 */
class RefreshTest {
    private final FakeTicker ticker = new FakeTicker();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    /** Tasks handed to the cache's executor, run when a test says so. */
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Executor manual = tasks::add;
    private final AtomicInteger loads = new AtomicInteger();
    private final AtomicReference<String> reloadedFrom = new AtomicReference<>();
    private final RecordingListener<String, String> listener = new RecordingListener<>();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** Loads "v{n}" for the n-th load; reload records the old value it was given. */
    private final CacheLoader<String, String> counting = new CacheLoader<>() {
        @Override
        public String load(String key) {
            return "v" + loads.incrementAndGet();
        }

        @Override
        public String reload(String key, String oldValue) {
            reloadedFrom.set(oldValue);
            return "v" + loads.incrementAndGet();
        }
    };

    private LoadingCache<String, String> cache(Executor executor, CacheLoader<String, String> loader) {
        return KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10)).executor(executor)
                .removalListener(listener).recordStats().build(loader);
    }

    private void runTasks() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            task.run();
        }
    }

    @Test
    void readersKeepTheOldValueUntilTheReloadStoresTheNewOne() throws Exception {
        LoadingCache<String, String> cache = cache(manual, counting);
        assertEquals("v1", cache.get("k"));
        ticker.advance(Duration.ofSeconds(4));
        CompletableFuture<String> refreshed = cache.refresh("k");
        assertEquals(1, loads.get(), "the reload runs on the executor, not here");
        assertEquals("v1", cache.getIfPresent("k"));
        assertEquals("v1", cache.get("k"));
        assertFalse(refreshed.isDone());
        runTasks();
        assertEquals("v2", refreshed.get());
        assertEquals("v1", reloadedFrom.get(), "reload is given the old value");
        assertEquals("v2", cache.getIfPresent("k"));
        assertEquals(Duration.ofSeconds(10), cache.getEntryIfPresent("k").expiresIn(), "the TTL restarts");
        listener.assertExactly(RecordingListener.removal("k", "v1", RemovalCause.REPLACED));
        CacheStats stats = cache.stats();
        assertEquals(1, stats.refreshSuccessCount());
        assertEquals(0, stats.refreshFailureCount());
        assertEquals(2, stats.loadSuccessCount(), "the reload is a loader call too");
        assertEquals(2, stats.putCount());
    }

    @Test
    void aFailedRefreshKeepsTheOldValueAndIsCounted() {
        IOException io = new IOException("backend");
        LoadingCache<String, String> cache = cache(manual, new CacheLoader<>() {
            @Override
            public String load(String key) {
                return "old";
            }

            @Override
            public String reload(String key, String oldValue) throws IOException {
                throw io;
            }
        });
        cache.get("k");
        CompletableFuture<String> refreshed = cache.refresh("k");
        runTasks();
        ExecutionException e = assertThrows(ExecutionException.class, refreshed::get);
        assertSame(io, assertInstanceOf(LoadException.class, e.getCause()).getCause());
        assertEquals("old", cache.getIfPresent("k"));
        assertEquals(1, cache.stats().refreshFailureCount());
        assertEquals(1, cache.stats().loadFailureCount());
        assertEquals(List.of(), listener.removals());
        CompletableFuture<String> again = cache.refresh("k");
        assertEquals(1, tasks.size(), "the failed refresh left nothing in flight");
    }

    static Stream<Named<Consumer<KvCache<String, String>>>> writes() {
        return Stream.of(
                Named.of("put(k)", c -> c.put("k", "written")),
                Named.of("remove(k)", c -> c.remove("k")),
                Named.of("invalidateAll()", c -> c.invalidateAll()),
                Named.of("invalidateAll(List.of(k))", c -> c.invalidateAll(List.of("k"))),
                Named.of("putAll(Map.of(k, written))", c -> c.putAll(java.util.Map.of("k", "written"))),
                Named.of("asMap().compute(k)", c -> c.asMap().compute("k", (k, v) -> "written")),
                Named.of("replace(k, written)", c -> c.replace("k", "written")));
    }

    @ParameterizedTest(name = "{0} after refresh() and before the reload runs")
    @MethodSource("writes")
    void aWriteAfterTheRefreshStartedWinsEvenBeforeTheLoaderRuns(Consumer<KvCache<String, String>> write)
            throws Exception {
        LoadingCache<String, String> cache = cache(manual, counting);
        cache.get("k");
        CompletableFuture<String> refreshed = cache.refresh("k");
        write.accept(cache);
        String afterWrite = cache.getIfPresent("k");
        runTasks();
        assertEquals(2, loads.get(), "the reload ran");
        assertEquals(afterWrite, cache.getIfPresent("k"), "its value was dropped");
        assertEquals(afterWrite, refreshed.get(), "the future has the value the write left");
    }

    @ParameterizedTest(name = "{0} while the loader runs")
    @MethodSource("writes")
    void aWriteWhileTheReloadRunsWins(Consumer<KvCache<String, String>> write) throws Exception {
        CountDownLatch reloading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(pool, new CacheLoader<>() {
            @Override
            public String load(String key) {
                return "old";
            }

            @Override
            public String reload(String key, String oldValue) throws InterruptedException {
                reloading.countDown();
                release.await();
                return "reloaded";
            }
        });
        cache.get("k");
        CompletableFuture<String> refreshed = cache.refresh("k");
        assertTrue(reloading.await(10, TimeUnit.SECONDS));
        assertEquals("old", cache.getIfPresent("k"));
        write.accept(cache);
        String afterWrite = cache.getIfPresent("k");
        release.countDown();
        assertEquals(afterWrite, refreshed.get(10, TimeUnit.SECONDS));
        assertEquals(afterWrite, cache.getIfPresent("k"), "the write won over the reload");
    }

    @Test
    void aWriteBeforeTheRefreshDoesNotStopIt() throws Exception {
        LoadingCache<String, String> cache = cache(manual, counting);
        cache.put("k", "written");
        CompletableFuture<String> refreshed = cache.refresh("k");
        runTasks();
        assertEquals("v1", refreshed.get());
        assertEquals("written", reloadedFrom.get());
        assertEquals("v1", cache.getIfPresent("k"));
    }

    @Test
    void refreshOfAnAbsentKeyLoadsItAndAGetMeanwhileSharesThatLoad() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(pool, key -> {
            loads.incrementAndGet();
            loading.countDown();
            release.await();
            return "loaded";
        });
        CompletableFuture<String> refreshed = cache.refresh("k");
        assertTrue(loading.await(10, TimeUnit.SECONDS));
        Future<String> get = pool.submit(() -> cache.get("k"));
        awaitALoadWaiter(get);
        release.countDown();
        assertEquals("loaded", refreshed.get(10, TimeUnit.SECONDS));
        assertEquals("loaded", get.get(10, TimeUnit.SECONDS));
        assertEquals(1, loads.get());
    }

    @Test
    void aRefreshWhileALoadIsInFlightSharesIt() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(manual, key -> {
            loads.incrementAndGet();
            loading.countDown();
            release.await();
            return "loaded";
        });
        Future<String> get = pool.submit(() -> cache.get("k"));
        assertTrue(loading.await(10, TimeUnit.SECONDS));
        CompletableFuture<String> refreshed = cache.refresh("k");
        CompletableFuture<String> again = cache.refresh("k");
        assertEquals(0, tasks.size(), "no second load was started");
        refreshed.complete("forced"); // completes the caller's copy only, never the shared load
        release.countDown();
        assertEquals("loaded", get.get(10, TimeUnit.SECONDS));
        assertEquals("loaded", again.get(10, TimeUnit.SECONDS));
        assertEquals(1, loads.get());
    }

    @Test
    void twoRefreshesOfAKeyShareOneReload() throws Exception {
        LoadingCache<String, String> cache = cache(manual, counting);
        cache.get("k");
        CompletableFuture<String> first = cache.refresh("k");
        CompletableFuture<String> second = cache.refresh("k");
        assertEquals(1, tasks.size());
        runTasks();
        assertEquals("v2", first.get());
        assertEquals("v2", second.get());
        assertEquals(1, cache.stats().refreshSuccessCount());
    }

    @Test
    void aReloadThatReturnsNullRemovesTheEntry() throws Exception {
        LoadingCache<String, String> cache = cache(manual, new CacheLoader<>() {
            @Override
            public String load(String key) {
                return "old";
            }

            @Override
            public String reload(String key, String oldValue) {
                return null;
            }
        });
        cache.get("k");
        CompletableFuture<String> refreshed = cache.refresh("k");
        runTasks();
        assertNull(refreshed.get());
        assertNull(cache.getIfPresent("k"));
        listener.assertExactly(RecordingListener.removal("k", "old", RemovalCause.EXPLICIT));
        assertEquals(1, cache.stats().refreshFailureCount());
    }

    @Test
    void aRefusedRefreshFailsItsFutureAndKeepsTheOldValue() throws Exception {
        LoadingCache<String, String> cache = cache(task -> {
            throw new RejectedExecutionException("full");
        }, counting);
        cache.get("k");
        ExecutionException e = assertThrows(ExecutionException.class, () -> cache.refresh("k").get());
        assertInstanceOf(RejectedExecutionException.class, e.getCause());
        assertEquals("v1", cache.getIfPresent("k"));
        assertEquals(1, cache.stats().refreshFailureCount());
        assertEquals("v2", cache(manual, counting).get("k"), "unrelated");
    }

    @Test
    void theDefaultExecutorIsTheCommonPool() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        LoadingCache<String, String> cache = KvCache.builder().build(key -> {
            thread.set(Thread.currentThread().getName());
            return "v";
        });
        assertEquals("v", cache.refresh("k").get(10, TimeUnit.SECONDS));
        assertTrue(thread.get().startsWith("ForkJoinPool.commonPool"), thread.get());
    }

    @Test
    void refreshIsRefusedInsideAComputeFunction() {
        LoadingCache<String, String> cache = cache(manual, counting);
        assertThrows(IllegalStateException.class, () -> cache.asMap().compute("x", (k, v) -> {
            cache.refresh("y");
            return "x";
        }));
        assertEquals(0, tasks.size());
    }
}
