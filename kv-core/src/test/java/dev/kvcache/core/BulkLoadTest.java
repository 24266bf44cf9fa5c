package dev.kvcache.core;

import static dev.kvcache.core.testing.LoadingFixture.awaitALoadWaiter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LoadingCache#getAll}: one bulk load for the missing keys, shared with other loads, partial failures. */
class BulkLoadTest {
    private final FakeTicker ticker = new FakeTicker();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final List<Set<String>> bulkCalls = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger singleLoads = new AtomicInteger();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** A loader whose loadAll maps each key to "bulk-" + key, except the keys in {@code noValue}. */
    private class Loader implements CacheLoader<String, String> {
        final Set<String> noValue;

        Loader(String... noValue) {
            this.noValue = Set.of(noValue);
        }

        @Override
        public String load(String key) throws Exception {
            singleLoads.incrementAndGet();
            return "single-" + key;
        }

        @Override
        public Map<String, String> loadAll(Set<? extends String> keys) throws Exception {
            bulkCalls.add(Set.copyOf(keys));
            beforeReturning();
            Map<String, String> values = new HashMap<>();
            for (String key : keys) {
                if (!noValue.contains(key)) {
                    values.put(key, "bulk-" + key);
                }
            }
            return values;
        }

        void beforeReturning() throws Exception {}
    }

    private LoadingCache<String, String> cache(CacheLoader<String, String> loader) {
        return KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10)).recordStats().build(loader);
    }

    @Test
    void oneBulkLoadForExactlyTheMissingKeysInRequestOrder() {
        LoadingCache<String, String> cache = cache(new Loader());
        cache.put("b", "present");
        Map<String, String> all = cache.getAll(List.of("c", "b", "a", "c"));
        assertEquals(List.of(Set.of("c", "a")), bulkCalls);
        assertEquals(List.of("c", "b", "a"), new ArrayList<>(all.keySet()), "request order, duplicates once");
        assertEquals(Map.of("a", "bulk-a", "b", "present", "c", "bulk-c"), all);
        assertEquals("bulk-a", cache.getIfPresent("a"), "loaded values are stored");
        assertEquals(Duration.ofSeconds(10), cache.getEntryIfPresent("c").expiresIn(), "with the default TTL");
        assertThrows(UnsupportedOperationException.class, () -> all.put("x", "y"));
        CacheStats stats = cache.stats();
        assertEquals(1 + 2, stats.hitCount(), "b, then the two getIfPresent above");
        assertEquals(2, stats.missCount(), "a and c, once each");
        assertEquals(1, stats.loadSuccessCount(), "one loadAll call");
        assertEquals(0, singleLoads.get());
        assertEquals(Map.of("a", "bulk-a", "b", "present"), cache.getAll(Set.of("a", "b")));
        assertEquals(1, bulkCalls.size(), "nothing missing, no load");
    }

    @Test
    void keysTheLoaderLeavesOutAreAbsentAndExtraKeysAreIgnored() {
        LoadingCache<String, String> cache = cache(new CacheLoader<>() {
            @Override
            public String load(String key) {
                throw new AssertionError("not called");
            }

            @Override
            public Map<String, String> loadAll(Set<? extends String> keys) {
                Map<String, String> values = new HashMap<>();
                values.put("a", "va");
                values.put("b", null);
                values.put("unasked", "vu");
                return values;
            }
        });
        assertEquals(Map.of("a", "va"), cache.getAll(List.of("a", "b", "c")));
        assertNull(cache.getIfPresent("b"));
        assertNull(cache.getIfPresent("c"));
        assertNull(cache.getIfPresent("unasked"), "keys not asked for are not stored");
        assertEquals(1, cache.estimatedSize());
    }

    @Test
    void emptyKeysLoadNothing() {
        LoadingCache<String, String> cache = cache(new Loader());
        assertEquals(Map.of(), cache.getAll(List.of()));
        assertEquals(List.of(), bulkCalls);
    }

    @Test
    void aNullKeyFailsBeforeAnythingIsLoaded() {
        LoadingCache<String, String> cache = cache(new Loader());
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> cache.getAll(java.util.Arrays.asList("a", null)));
        assertEquals("keys contains a null key", e.getMessage());
        assertEquals(List.of(), bulkCalls);
        assertEquals(0, cache.stats().missCount());
    }

    @Test
    void aLoadAllThatThrowsFailsEveryKeyItOwnedAndKeepsThePresentOnes() {
        IOException io = new IOException("db down");
        LoadingCache<String, String> cache = cache(new Loader() {
            @Override
            void beforeReturning() throws Exception {
                throw io;
            }
        });
        cache.put("p", "present");
        BulkLoadException e = assertThrows(BulkLoadException.class, () -> cache.getAll(List.of("a", "p", "b")));
        assertEquals(Set.of("a", "b"), e.failures().keySet());
        LoadException wrapped = assertInstanceOf(LoadException.class, e.failures().get("a"));
        assertSame(io, wrapped.getCause(), "a checked exception is wrapped, as get wraps it");
        assertEquals(Map.of("p", "present"), e.loaded());
        assertTrue(e.getMessage().startsWith("2 keys failed to load: ["), e.getMessage());
        assertNull(cache.getIfPresent("a"));
        assertEquals(1, cache.stats().loadFailureCount());
    }

    @Test
    void theDefaultLoadAllLoadsOneByOneAndReportsEachFailedKey() {
        IllegalStateException bad = new IllegalStateException("bad key");
        IOException worse = new IOException("worse key");
        LoadingCache<String, String> cache = cache(key -> switch (key) {
            case "bad" -> throw bad;
            case "worse" -> throw worse;
            case "none" -> null;
            default -> "v" + key;
        });
        BulkLoadException e = assertThrows(BulkLoadException.class,
                () -> cache.getAll(List.of("a", "bad", "none", "worse", "b")));
        assertEquals(Set.of("bad", "worse"), e.failures().keySet());
        assertSame(bad, e.failures().get("bad"), "unchecked: unchanged");
        assertSame(worse, e.failures().get("worse").getCause(), "checked: in a LoadException");
        assertEquals(Map.of("a", "va", "b", "vb"), e.loaded());
        assertEquals(List.of("a", "b"), new ArrayList<>(e.loaded().keySet()), "in request order");
        assertEquals("va", cache.getIfPresent("a"), "the keys that loaded are stored");
        assertEquals("vb", cache.getIfPresent("b"));
        assertNull(cache.getIfPresent("bad"));
        assertEquals(2, 1 + e.getSuppressed().length, "each distinct cause: the cause, the other suppressed");
        assertEquals(Map.of("a", "va", "b", "vb"), assertThrows(BulkLoadException.class,
                () -> cache.getAll(List.of("a", "bad", "b"))).loaded(), "a retry loads only the failed key");
    }

    @Test
    void aLoaderMayReportAPartialFailureItself() {
        IOException io = new IOException("shard 2");
        LoadingCache<String, String> cache = cache(new CacheLoader<>() {
            @Override
            public String load(String key) {
                throw new AssertionError("not called");
            }

            @Override
            public Map<String, String> loadAll(Set<? extends String> keys) {
                throw new BulkLoadException(Map.of("a", "va"), Map.of("b", io));
            }
        });
        BulkLoadException e = assertThrows(BulkLoadException.class, () -> cache.getAll(List.of("a", "b", "c")));
        assertEquals(Set.of("b"), e.failures().keySet(), "c was in neither map: it has no value");
        assertSame(io, e.failures().get("b").getCause());
        assertEquals(Map.of("a", "va"), e.loaded());
        assertEquals("va", cache.getIfPresent("a"));
    }

    @Test
    void aLoadAllThatReturnsNullFailsItsKeys() {
        LoadingCache<String, String> cache = cache(new CacheLoader<>() {
            @Override
            public String load(String key) {
                return "v";
            }

            @Override
            public Map<String, String> loadAll(Set<? extends String> keys) {
                return null;
            }
        });
        BulkLoadException e = assertThrows(BulkLoadException.class, () -> cache.getAll(List.of("a")));
        assertInstanceOf(NullPointerException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("loadAll returned null"), e.getCause().getMessage());
    }

    @Test
    void bulkLoadExceptionChecksItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> new BulkLoadException(Map.of(), Map.of()));
        Map<String, Throwable> withNull = new HashMap<>();
        withNull.put("k", null);
        assertThrows(NullPointerException.class, () -> new BulkLoadException(Map.of(), withNull));
        Map<String, Throwable> many = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            many.put("k" + i, new RuntimeException("e" + i));
        }
        BulkLoadException e = new BulkLoadException(Map.of(), many);
        assertEquals("20 keys failed to load: [k0, k1, k2, k3, k4, ...]", e.getMessage());
        assertEquals(8, e.getSuppressed().length, "at most 8 suppressed");
        assertSame(many.get("k0"), e.getCause());
    }

    @Test
    void getAllWaitsForAGetAlreadyLoadingAKeyAndBulkLoadsOnlyTheRest() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(new Loader() {
            @Override
            public String load(String key) throws Exception {
                singleLoads.incrementAndGet();
                loading.countDown();
                release.await();
                return "single-" + key;
            }
        });
        Future<String> get = pool.submit(() -> cache.get("k"));
        assertTrue(loading.await(10, TimeUnit.SECONDS));
        Future<Map<String, String>> getAll = pool.submit(() -> cache.getAll(List.of("j", "k")));
        awaitALoadWaiter(getAll);
        assertEquals(List.of(Set.of("j")), bulkCalls, "k is not loaded twice");
        assertEquals("bulk-j", cache.getIfPresent("j"), "j was stored before waiting for k");
        release.countDown();
        assertEquals(Map.of("j", "bulk-j", "k", "single-k"), getAll.get(10, TimeUnit.SECONDS));
        assertEquals("single-k", get.get(10, TimeUnit.SECONDS));
        assertEquals(1, singleLoads.get());
    }

    @Test
    void getWaitsForABulkLoadOfItsKey() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(new Loader() {
            @Override
            void beforeReturning() throws Exception {
                loading.countDown();
                release.await();
            }
        });
        Future<Map<String, String>> getAll = pool.submit(() -> cache.getAll(List.of("a", "b")));
        assertTrue(loading.await(10, TimeUnit.SECONDS));
        Future<String> get = pool.submit(() -> cache.get("b"));
        awaitALoadWaiter(get);
        release.countDown();
        assertEquals("bulk-b", get.get(10, TimeUnit.SECONDS));
        assertEquals(Map.of("a", "bulk-a", "b", "bulk-b"), getAll.get(10, TimeUnit.SECONDS));
        assertEquals(0, singleLoads.get(), "b was loaded once, by the bulk load");
    }

    @Test
    void twoBulkLoadsShareTheirCommonKeys() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(new Loader() {
            @Override
            void beforeReturning() throws Exception {
                if (bulkCalls.size() == 1) {
                    loading.countDown();
                    release.await();
                }
            }
        });
        Future<Map<String, String>> first = pool.submit(() -> cache.getAll(List.of("a", "b")));
        assertTrue(loading.await(10, TimeUnit.SECONDS));
        Future<Map<String, String>> second = pool.submit(() -> cache.getAll(List.of("b", "c")));
        awaitALoadWaiter(second);
        release.countDown();
        assertEquals(Map.of("b", "bulk-b", "c", "bulk-c"), second.get(10, TimeUnit.SECONDS));
        assertEquals(Map.of("a", "bulk-a", "b", "bulk-b"), first.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(Set.of("a", "b"), Set.of("c")), bulkCalls);
    }

    @Test
    void aFailedLoadThatGetAllJoinedIsReportedForItsKey() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IllegalStateException failure = new IllegalStateException("k failed");
        LoadingCache<String, String> cache = cache(new Loader() {
            @Override
            public String load(String key) throws Exception {
                loading.countDown();
                release.await();
                throw failure;
            }
        });
        Future<?> get = pool.submit(() -> cache.get("k"));
        assertTrue(loading.await(10, TimeUnit.SECONDS));
        Future<BulkLoadException> getAll = pool.submit(
                () -> assertThrows(BulkLoadException.class, () -> cache.getAll(List.of("j", "k"))));
        awaitALoadWaiter(getAll);
        release.countDown();
        BulkLoadException e = getAll.get(10, TimeUnit.SECONDS);
        assertEquals(Map.of("k", failure), e.failures());
        assertEquals(Map.of("j", "bulk-j"), e.loaded());
        assertEquals("bulk-j", cache.getIfPresent("j"));
        assertSame(failure, assertThrows(java.util.concurrent.ExecutionException.class,
                () -> get.get(10, TimeUnit.SECONDS)).getCause());
    }

    @Test
    void aRemovalDuringTheBulkLoadMakesThatKeyLoadAgainAndAPutWins() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = cache(new Loader() {
            @Override
            void beforeReturning() throws Exception {
                loading.countDown();
                release.await();
            }
        });
        Future<Map<String, String>> getAll = pool.submit(() -> cache.getAll(List.of("a", "b", "c")));
        assertTrue(loading.await(10, TimeUnit.SECONDS));
        cache.remove("a");
        cache.put("b", "written");
        release.countDown();
        Map<String, String> all = getAll.get(10, TimeUnit.SECONDS);
        assertEquals(Map.of("a", "single-a", "b", "written", "c", "bulk-c"), all,
                "a's bulk value was stale (loaded again after the removal); b's write wins");
        assertEquals(1, singleLoads.get());
        assertEquals("single-a", cache.getIfPresent("a"));
        assertEquals("written", cache.getIfPresent("b"));
    }

    @Test
    void getAllWithKeysToLoadIsRefusedInsideAComputeFunction() {
        LoadingCache<String, String> cache = cache(new Loader());
        cache.put("p", "present");
        assertThrows(IllegalStateException.class,
                () -> cache.asMap().compute("x", (k, old) -> cache.getAll(List.of("p", "absent")).get("p")));
        assertEquals("present", cache.asMap().compute("x", (k, old) -> cache.getAll(List.of("p")).get("p")),
                "only present keys: a read");
        assertEquals(List.of(), bulkCalls);
    }
}
