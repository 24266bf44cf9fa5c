package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The compute family as the asMap() Javadoc states it. */
class HostileComputeTest {

    /** Every writing method named by the Javadoc, called from inside a compute function. */
    @Test
    void everyWriteFromInsideAComputeThrowsIllegalStateAndChangesNothing() {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).build();
        ConcurrentMap<String, String> map = cache.asMap();
        Map<String, Consumer<KvCache<String, String>>> writes = new LinkedHashMap<>();
        writes.put("put other", c -> c.put("other", "x"));
        writes.put("put same", c -> c.put("k", "x"));
        writes.put("putIfAbsent", c -> c.putIfAbsent("new", "x"));
        writes.put("remove other", c -> c.remove("other"));
        writes.put("remove absent", c -> c.remove("absent"));
        writes.put("replace", c -> c.replace("other", "x"));
        writes.put("invalidateAll", KvCache::invalidateAll);
        writes.put("cleanUp", KvCache::cleanUp);
        writes.put("get absent with loader", c -> c.get("absent", k -> "x"));
        writes.put("compute same", c -> c.asMap().compute("k", (k, v) -> "x"));
        writes.put("computeIfAbsent other", c -> c.asMap().computeIfAbsent("new", k -> "x"));
        writes.put("merge", c -> c.asMap().merge("other", "x", String::concat));
        writes.put("clear", c -> c.asMap().clear());
        writes.put("putAll", c -> c.asMap().putAll(Map.of("new", "x")));
        writes.put("keySet.remove", c -> c.asMap().keySet().remove("other"));
        writes.put("values.removeIf", c -> c.asMap().values().removeIf(v -> true));
        writes.put("entrySet.retainAll", c -> c.asMap().entrySet().retainAll(List.of()));
        writes.put("replaceAll", c -> c.asMap().replaceAll((k, v) -> v));
        writes.put("iterator.remove", c -> {
            Iterator<String> it = c.asMap().keySet().iterator();
            it.next();
            it.remove();
        });
        writes.put("entry.setValue", c -> c.asMap().entrySet().iterator().next().setValue("x"));
        for (Map.Entry<String, Consumer<KvCache<String, String>>> w : writes.entrySet()) {
            map.clear();
            cache.put("k", "v");
            cache.put("other", "o");
            Map<String, String> before = Map.copyOf(map);
            assertThrows(IllegalStateException.class, () -> map.compute("k", (k, v) -> {
                w.getValue().accept(cache);
                return "result";
            }), w.getKey());
            assertEquals(before, Map.copyOf(map), w.getKey());
        }
        // Reads are allowed, and a different cache may be written.
        KvCache<String, String> other = KvCache.builder().build();
        assertEquals("v|v|2|true", map.compute("k", (k, v) -> {
            other.put(k, v);
            return v + "|" + cache.getIfPresent("k") + "|" + map.size() + "|" + map.containsValue("o");
        }));
        assertEquals("v", other.getIfPresent("k"));
    }

    /** A removal listener runs "outside any lock", so it may write to the cache, even after a compute. */
    @Test
    void aListenerMayWriteToTheCacheAfterAComputeDisplacedAValue() {
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        KvCache<String, String>[] holder = new KvCache[1];
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker())
                .removalListener((String k, String v, RemovalCause c) -> {
                    if (!k.startsWith("log:")) {
                        try {
                            holder[0].put("log:" + k, v + " " + c);
                        } catch (RuntimeException e) {
                            failures.add(e.toString());
                        }
                    }
                }).build();
        holder[0] = cache;
        cache.put("a", "1");
        cache.put("b", "1");
        cache.put("c", "1");
        cache.asMap().compute("a", (k, v) -> "2");
        cache.asMap().computeIfPresent("b", (k, v) -> null);
        cache.asMap().merge("c", "x", (x, y) -> x + y);
        assertEquals(List.of(), failures);
        assertEquals("1 REPLACED", cache.getIfPresent("log:a"));
        assertEquals("1 EXPLICIT", cache.getIfPresent("log:b"));
        assertEquals("1 REPLACED", cache.getIfPresent("log:c"));
    }

    /** A read inside a compute function may find maintenance due; the listener must not run under the lock. */
    @Test
    void maintenanceRunByAReadInsideAComputeDoesNotNotifyUnderTheLock() {
        FakeTicker ticker = new FakeTicker();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger insideCompute = new AtomicInteger();
        List<String> notifiedInside = Collections.synchronizedList(new ArrayList<>());
        KvCache<String, String> cache = KvCache.builder().ticker(ticker)
                .removalListener((String k, String v, RemovalCause c) -> {
                    if (insideCompute.get() > 0) {
                        notifiedInside.add(k + " " + c);
                    }
                }).build();
        for (int i = 0; i < 100; i++) {
            cache.put("e" + i, "v", Duration.ofMillis(1));
        }
        cache.put("k", "v");
        cache.asMap().compute("k", (k, v) -> {
            insideCompute.incrementAndGet();
            try {
                ticker.advance(Duration.ofSeconds(2));
                for (int i = 0; i < 100; i++) {
                    cache.getIfPresent("e" + i);
                }
            } finally {
                insideCompute.decrementAndGet();
            }
            return "w";
        });
        assertEquals(List.of(), notifiedInside, "listener called on the compute's stack, under its segment lock");
        assertEquals(List.of(), failures);
    }

    @Test
    void functionRunsAtMostOncePerCallUnderContention() throws Exception {
        KvCache<String, Integer> cache = KvCache.builder().ticker(new FakeTicker()).maximumSize(1_000).build();
        ConcurrentMap<String, Integer> map = cache.asMap();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            AtomicInteger calls = new AtomicInteger();
            int rounds = 2_000;
            for (int round = 0; round < rounds; round++) {
                String key = "k" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> fs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    fs.add(pool.submit(() -> {
                        go.await();
                        return map.computeIfAbsent(key, k -> calls.incrementAndGet());
                    }));
                }
                go.countDown();
                Integer first = fs.get(0).get();
                for (Future<Integer> f : fs) {
                    assertSame(first, f.get());
                }
            }
            assertEquals(rounds, calls.get());
            // merge as an atomic counter
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        map.merge("counter", 1, Integer::sum);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            assertEquals(80_000, map.get("counter"));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Reads are never blocked by a compute, even of the same key, and see the old value. */
    @Test
    void readsOfAKeyBeingComputedDoNotWait() throws Exception {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).maximumSize(100).build();
        cache.put("k", "old");
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Map<String, java.util.concurrent.Callable<Object>> reads = new LinkedHashMap<>();
            reads.put("getIfPresent", () -> cache.getIfPresent("k"));
            reads.put("asMap.get", () -> cache.asMap().get("k"));
            reads.put("getEntryIfPresent", () -> cache.getEntryIfPresent("k").getValue());
            reads.put("asMap.size", () -> cache.asMap().size());
            reads.put("containsValue", () -> cache.asMap().containsValue("old"));
            reads.put("iteration", () -> cache.asMap().entrySet().iterator().next());
            reads.put("get(k, loader) of a present key", () -> cache.get("k", x -> "loaded"));
            List<String> waited = new ArrayList<>();
            String result = cache.asMap().compute("k", (k, v) -> {
                StringBuilder seen = new StringBuilder();
                for (Map.Entry<String, java.util.concurrent.Callable<Object>> r : reads.entrySet()) {
                    Future<Object> f = pool.submit(r.getValue());
                    try {
                        seen.append(f.get(1, TimeUnit.SECONDS));
                    } catch (Exception e) {
                        waited.add(r.getKey());
                    }
                }
                return seen.toString();
            });
            assertEquals(List.of(), waited, "reads that waited for a compute of their key");
            assertEquals("oldoldold1truek=oldold", result);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void outcomesCausesAndStats() {
        FakeTicker ticker = new FakeTicker();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).recordStats()
                .removalListener((String k, String v, RemovalCause c) -> events.add(k + "=" + v + " " + c)).build();
        ConcurrentMap<String, String> map = cache.asMap();
        cache.put("a", "1");
        CacheStats base = cache.stats();
        assertEquals("1", map.computeIfPresent("a", (k, v) -> v)); // same value: still a put, REPLACED
        assertEquals(List.of("a=1 REPLACED"), events);
        assertNull(map.compute("a", (k, v) -> null));
        assertEquals(List.of("a=1 REPLACED", "a=1 EXPLICIT"), events);
        assertNull(map.compute("zz", (k, v) -> null));
        assertEquals("x", map.merge("m", "x", (p, q) -> fail("merge of an absent key called its function")));
        CacheStats delta = cache.stats().minus(base);
        assertEquals(2, delta.putCount(), delta.toString());
        assertEquals(1, delta.removalCount(), delta.toString());

        RuntimeException boom = new RuntimeException("boom");
        assertSame(boom, assertThrows(RuntimeException.class, () -> map.compute("m", (k, v) -> { throw boom; })));
        StackOverflowError soe = new StackOverflowError();
        assertSame(soe, assertThrows(StackOverflowError.class, () -> map.merge("m", "y", (p, q) -> { throw soe; })));
        assertEquals("x", map.get("m"));
        assertEquals("xy", map.merge("m", "y", String::concat), "the key's lock was released after a throw");

        cache.put("e", "old", Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1));
        events.clear();
        assertEquals("new", map.merge("e", "new", (p, q) -> fail("given an expired value")));
        assertEquals(List.of("e=old EXPIRED"), events);
        cache.put("f", "old", Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1));
        events.clear();
        CacheStats before = cache.stats();
        assertNull(map.compute("f", (k, v) -> v));
        assertEquals(List.of("f=old EXPIRED"), events);
        assertEquals(1, cache.stats().minus(before).expirationCount());
        assertEquals(0, cache.stats().minus(before).removalCount());
    }
}
