package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheLoader;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * KvCache.get's Javadoc: an explicit write of the key after a load started and before it stored wins
 * (a removal makes the loader run again), except "writes made by the loader itself, on its own
 * thread", which do not invalidate its load.
 */
class HostileLoaderWritesTest {

    /** A loader whose values carry the version of the source they were read from. */
    static final class VersionedLoader implements CacheLoader<String, String> {
        final AtomicInteger version = new AtomicInteger();
        final AtomicInteger loads = new AtomicInteger();
        final AtomicInteger loadAlls = new AtomicInteger();

        @Override
        public String load(String key) {
            loads.incrementAndGet();
            return key + "@" + version.get();
        }

        @Override
        public Map<String, String> loadAll(Set<? extends String> keys) {
            loadAlls.incrementAndGet();
            Map<String, String> values = new LinkedHashMap<>();
            for (String key : keys) {
                values.put(key, key + "@" + version.get());
            }
            return values;
        }
    }

    /**
     * A removal listener runs on the writing thread. Storing a bulk load's first key evicts x; the
     * listener (the source changed: bump the version, drop b) removes b, whose load from the same
     * {@code loadAll} is still in flight. That removal is not the loader's own write (loadAll has
     * returned), so b's stale value must not be stored. On main the load's owner thread is all that
     * is checked, so "b@0" was stored and returned after the removal that should have won.
     */
    @Test
    void aListenerRemovingAKeyOfTheBulkLoadAfterLoadAllReturnedWins() {
        VersionedLoader loader = new VersionedLoader();
        AtomicReference<LoadingCache<String, String>> ref = new AtomicReference<>();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).maximumSize(1)
                .<String, String>removalListener((k, v, cause) -> {
                    if (k.equals("x") && cause == RemovalCause.SIZE) {
                        loader.version.incrementAndGet();
                        ref.get().remove("b");
                    }
                })
                .build(loader);
        ref.set(cache);
        cache.put("x", "x@0");
        cache.cleanUp();
        Map<String, String> got = cache.getAll(List.of("a", "b"));
        assertEquals(1, loader.loadAlls.get());
        assertEquals("b@1", got.get("b"), "the removal of b after its value was loaded wins: b is loaded again");
        assertEquals(1, loader.loads.get(), "b reloaded once, by load");
    }

    /** A loader that writes its key and then throws: every caller sees the throwable; its own write stays. */
    @Test
    void aLoaderThatWritesItsKeyThenThrows() {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).recordStats().<String, String>build();
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger runs = new AtomicInteger();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> cache.get("k", k -> {
            runs.incrementAndGet();
            cache.put(k, "written");
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals(1, runs.get());
        assertEquals("written", cache.getIfPresent("k"));
        assertEquals(1, cache.stats().loadFailureCount());
        assertEquals(0, cache.stats().loadSuccessCount());
    }

    /** A loader that removes its key, then returns: its value is stored and it ran once (own write). */
    @Test
    void aLoaderThatRemovesItsKeyThroughAnotherKeysLoadRunsOnce() {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).<String, String>build();
        AtomicInteger outer = new AtomicInteger();
        AtomicInteger inner = new AtomicInteger();
        String a = cache.get("a", k -> {
            outer.incrementAndGet();
            String b = cache.get("b", kb -> {
                inner.incrementAndGet();
                cache.remove("a"); // the same thread, inside a's loader
                cache.put("c", "c");
                return "b1";
            });
            return "a:" + b;
        });
        assertEquals("a:b1", a);
        assertEquals(1, outer.get());
        assertEquals(1, inner.get());
        assertEquals(Map.of("a", "a:b1", "b", "b1", "c", "c"), Map.copyOf(cache.asMap()));
    }

    /** A loadAll that removes one of its keys and calls invalidateAll: one call, every value stored. */
    @Test
    void aBulkLoaderWritingItsOwnKeysRunsOnce() {
        AtomicReference<LoadingCache<String, String>> ref = new AtomicReference<>();
        AtomicInteger loadAlls = new AtomicInteger();
        AtomicInteger loads = new AtomicInteger();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker())
                .build(new CacheLoader<String, String>() {
                    @Override
                    public String load(String key) {
                        loads.incrementAndGet();
                        return key + "!";
                    }

                    @Override
                    public Map<String, String> loadAll(Set<? extends String> keys) {
                        loadAlls.incrementAndGet();
                        ref.get().remove("a");
                        ref.get().invalidateAll();
                        Map<String, String> m = new LinkedHashMap<>();
                        keys.forEach(k -> m.put(k, k + "*"));
                        return m;
                    }
                });
        ref.set(cache);
        cache.put("other", "o");
        assertEquals(Map.of("a", "a*", "b", "b*"), cache.getAll(List.of("a", "b")));
        assertEquals(1, loadAlls.get());
        assertEquals(0, loads.get());
        assertEquals(Map.of("a", "a*", "b", "b*"), Map.copyOf(cache.asMap()), "invalidateAll removed other");
    }

    /** Another thread's removal during a bulk load: that key alone is loaded again, once, fresh. */
    @Test
    void anotherThreadsRemovalDuringABulkLoadReloadsThatKey() throws Exception {
        CountDownLatch inLoadAll = new CountDownLatch(1);
        CountDownLatch removed = new CountDownLatch(1);
        AtomicInteger version = new AtomicInteger();
        AtomicInteger loads = new AtomicInteger();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker())
                .build(new CacheLoader<String, String>() {
                    @Override
                    public String load(String key) {
                        loads.incrementAndGet();
                        return key + "@" + version.get();
                    }

                    @Override
                    public Map<String, String> loadAll(Set<? extends String> keys) throws Exception {
                        Map<String, String> m = new LinkedHashMap<>();
                        keys.forEach(k -> m.put(k, k + "@" + version.get()));
                        inLoadAll.countDown();
                        assertTrue(removed.await(10, TimeUnit.SECONDS));
                        return m;
                    }
                });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Map<String, String>> got = pool.submit(() -> cache.getAll(List.of("a", "b")));
            assertTrue(inLoadAll.await(10, TimeUnit.SECONDS));
            version.incrementAndGet();
            assertNull(cache.remove("b"));
            removed.countDown();
            assertEquals(Map.of("a", "a@0", "b", "b@1"), got.get(10, TimeUnit.SECONDS));
            assertEquals(1, loads.get());
        } finally {
            pool.shutdownNow();
        }
    }

    /** A refresh whose reload removes its own key (direct executor, same thread): the refreshed value is stored. */
    @Test
    void aRefreshWhoseReloadRemovesItsKeyStores() throws Exception {
        AtomicReference<LoadingCache<String, String>> ref = new AtomicReference<>();
        AtomicInteger reloads = new AtomicInteger();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).executor(Runnable::run)
                .build(new CacheLoader<String, String>() {
                    @Override
                    public String load(String key) {
                        return "loaded";
                    }

                    @Override
                    public String reload(String key, String old) {
                        reloads.incrementAndGet();
                        ref.get().remove(key);
                        return old + "+";
                    }
                });
        ref.set(cache);
        cache.put("k", "v");
        assertEquals("v+", cache.refresh("k").get(10, TimeUnit.SECONDS));
        assertEquals(1, reloads.get());
        assertEquals("v+", cache.getIfPresent("k"));
    }
}
