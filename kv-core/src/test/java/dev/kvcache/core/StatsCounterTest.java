package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A user-supplied {@link StatsCounter} receives every event as it happens; its failures never reach
 * the cache's callers; and the default striped counter's {@link CacheStats} figures are exact.
 */
class StatsCounterTest {
    private final FakeTicker ticker = new FakeTicker();

    /** Records each call as a line. */
    static final class RecordingCounter implements StatsCounter {
        final List<String> events = new ArrayList<>();

        @Override public synchronized void recordHit() {
            events.add("hit");
        }

        @Override public synchronized void recordMiss() {
            events.add("miss");
        }

        @Override public synchronized void recordPut() {
            events.add("put");
        }

        @Override public synchronized void recordRemoval(RemovalCause cause, long weight) {
            events.add(cause + " " + weight);
        }

        @Override public synchronized void recordLoadSuccess(long loadTimeNanos) {
            events.add("loaded in " + loadTimeNanos);
        }

        @Override public synchronized void recordLoadFailure(long loadTimeNanos) {
            events.add("failed in " + loadTimeNanos);
        }

        @Override public synchronized void recordRefreshSuccess() {
            events.add("refreshed");
        }

        @Override public synchronized void recordRefreshFailure() {
            events.add("refresh failed");
        }

        synchronized List<String> take() {
            List<String> taken = List.copyOf(events);
            events.clear();
            return taken;
        }
    }

    @Test
    void aUserCounterReceivesEveryEventAsItHappens() throws Exception {
        RecordingCounter counter = new RecordingCounter();
        LoadingCache<String, String> cache = KvCache.builder().ticker(ticker)
                .<String, String>maximumWeight(10, (k, v) -> v.length())
                .executor(Runnable::run)
                .recordStats(() -> counter)
                .build(key -> {
                    ticker.advance(7);
                    if (key.startsWith("fail")) {
                        throw new IOException(key);
                    }
                    return key.startsWith("none") ? null : "xxxx";
                });
        cache.put("a", "xxx");
        assertEquals(List.of("put"), counter.take());
        assertEquals("xxx", cache.getIfPresent("a"));
        assertEquals(null, cache.getIfPresent("b"));
        assertEquals(List.of("hit", "miss"), counter.take());
        cache.get("b");
        assertEquals(List.of("miss", "loaded in 7", "put"), counter.take());
        assertThrows(LoadException.class, () -> cache.get("fail"));
        assertEquals(List.of("miss", "failed in 7"), counter.take());
        cache.get("none");
        assertEquals(List.of("miss", "failed in 7"), counter.take(), "null is a failed load");
        cache.put("c", "xxxxxx"); // 3 + 4 + 6 > 10: evicts b (weight 4), the oldest unread
        assertEquals(List.of("put", "SIZE 4"), counter.take());
        cache.put("a", "yy");
        assertEquals(List.of("put", "REPLACED 3"), counter.take());
        cache.remove("a");
        assertEquals(List.of("EXPLICIT 2"), counter.take());
        assertEquals("xxxx", cache.refresh("c").get());
        // the refresh is counted once its store took effect: a store can still fail (HostileRefreshTest)
        assertEquals(List.of("loaded in 7", "put", "REPLACED 6", "refreshed"), counter.take());
        cache.refresh("fail").handle((v, t) -> null).get();
        assertEquals(List.of("failed in 7", "refresh failed"), counter.take());
        assertEquals(CacheStats.empty(), cache.stats(), "a counter without snapshot() reports empty stats");
    }

    @Test
    void aCounterThatThrowsNeverDisturbsTheCache() {
        AtomicInteger calls = new AtomicInteger();
        StatsCounter broken = new StatsCounter() {
            @Override public void recordHit() {
                calls.incrementAndGet();
                throw new IllegalStateException("hit");
            }

            @Override public void recordPut() {
                calls.incrementAndGet();
                throw new IllegalStateException("put");
            }

            @Override public void recordRemoval(RemovalCause cause, long weight) {
                calls.incrementAndGet();
                throw new OutOfMemoryError("removal");
            }
        };
        RecordingListener<Integer, Integer> listener = new RecordingListener<>();
        KvCache<Integer, Integer> cache = KvCache.builder().ticker(ticker).maximumSize(5)
                .removalListener(listener).recordStats(() -> broken).build();
        for (int i = 0; i < 20; i++) {
            cache.put(i, i);
        }
        cache.cleanUp();
        assertEquals(5, cache.estimatedSize(), "evictions went on");
        assertEquals(15, listener.count(RemovalCause.SIZE), "and were all notified");
        int hits = 0;
        for (int i = 0; i < 20; i++) {
            if (cache.getIfPresent(i) != null) {
                hits++;
            }
        }
        assertEquals(5, hits, "reads work");
        assertEquals(20 + 15 + 5, calls.get(), "every event reached the counter");
    }

    @Test
    void theSupplierIsCalledOncePerBuildAndMustNotReturnNull() {
        AtomicInteger made = new AtomicInteger();
        KvCacheBuilder<Object, Object> builder = KvCache.builder().recordStats(() -> {
            made.incrementAndGet();
            return StatsCounter.striped();
        });
        KvCache<String, String> first = builder.build();
        KvCache<String, String> second = builder.build();
        assertEquals(2, made.get());
        first.put("k", "v");
        assertEquals(1, first.stats().putCount());
        assertEquals(0, second.stats().putCount(), "each cache has its own counter");
        assertEquals("counters", assertThrows(NullPointerException.class,
                () -> KvCache.builder().recordStats(null)).getMessage());
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> KvCache.builder().recordStats(() -> null).build());
        assertEquals("the recordStats supplier returned null", e.getMessage());
    }

    @Test
    void aCounterMayForwardToTheStripedOneForSnapshots() {
        StatsCounter striped = StatsCounter.striped();
        AtomicInteger hits = new AtomicInteger();
        StatsCounter forwarding = new StatsCounter() {
            @Override public void recordHit() {
                hits.incrementAndGet();
                striped.recordHit();
            }

            @Override public CacheStats snapshot() {
                return striped.snapshot();
            }
        };
        KvCache<String, String> cache = KvCache.builder().recordStats(() -> forwarding).build();
        cache.put("k", "v");
        cache.getIfPresent("k");
        assertEquals(1, hits.get());
        assertEquals(1, cache.stats().hitCount());
        assertEquals(0, cache.stats().putCount(), "puts were not forwarded");
        assertNotSame(StatsCounter.striped(), StatsCounter.striped());
        KvCache<String, String> nullSnapshot = KvCache.builder().recordStats(() -> new StatsCounter() {
            @Override public CacheStats snapshot() {
                return null;
            }
        }).build();
        assertTrue(assertThrows(NullPointerException.class, nullSnapshot::stats).getMessage().contains("returned null"));
    }

    @Test
    void theStripedCountersFiguresAreExact() throws Exception {
        LoadingCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(3)
                .executor(Runnable::run).recordStats()
                .build(new CacheLoader<String, String>() {
                    @Override
                    public String load(String key) throws Exception {
                        ticker.advance(Duration.ofMillis(2));
                        if (key.equals("bad")) {
                            throw new IOException("bad");
                        }
                        return "v" + key;
                    }

                    @Override
                    public Map<String, String> loadAll(java.util.Set<? extends String> keys) {
                        ticker.advance(Duration.ofMillis(5));
                        Map<String, String> values = new java.util.HashMap<>();
                        keys.forEach(k -> values.put(k, "bulk"));
                        return values;
                    }
                });
        cache.get("a");                                   // miss, load 2 ms, put
        assertThrows(LoadException.class, () -> cache.get("bad")); // miss, failed load 2 ms
        cache.getAll(List.of("a", "b", "c"));             // hit a, miss b c, one loadAll 5 ms, 2 puts
        cache.refresh("a").get();                         // reload 2 ms, refresh success, put (replaces)
        cache.put("d", "v");                              // put; evicts one (SIZE, weight 1)
        cache.cleanUp();
        CacheStats stats = cache.stats();
        assertEquals(1, stats.hitCount());
        assertEquals(4, stats.missCount());
        assertEquals(5, stats.putCount());
        assertEquals(3, stats.loadSuccessCount());
        assertEquals(1, stats.loadFailureCount());
        assertEquals(4, stats.loadCount());
        assertEquals(0.25, stats.loadFailureRate());
        assertEquals(Duration.ofMillis(2 + 2 + 5 + 2).toNanos(), stats.totalLoadTimeNanos());
        assertEquals(1, stats.refreshSuccessCount());
        assertEquals(0, stats.refreshFailureCount());
        assertEquals(1, stats.evictionCount());
        assertEquals(1, stats.evictionWeight());
    }

    @Test
    void theNewFiguresTakePartInArithmeticAndChecks() {
        CacheStats a = new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertEquals(new CacheStats(2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24), a.plus(a));
        assertEquals(CacheStats.empty(), a.minus(a));
        assertEquals(new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 11, 12),
                a.minus(new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9)));
        assertEquals(new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0), new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9),
                "the nine-count constructor leaves the new counts at zero");
        for (int i = 9; i < 12; i++) {
            long[] counts = new long[12];
            counts[i] = -1;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CacheStats(
                    counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7],
                    counts[8], counts[9], counts[10], counts[11]));
            assertTrue(e.getMessage().contains("-1"), e.getMessage());
        }
        assertEquals(0.0, CacheStats.empty().loadFailureRate(), "no loads: 0.0");
        assertEquals(0, CacheStats.empty().loadCount());
        long max = Long.MAX_VALUE;
        assertEquals(max, new CacheStats(0, 0, 0, 0, 0, 0, max, 1, 0).loadCount(), "saturates");
        assertSame(CacheStats.empty(), KvCache.builder().build().stats());
    }

    @Test
    void aFailedRefreshByTheExecutorIsCounted() {
        LoadingCache<String, String> cache = KvCache.builder().executor(task -> {
            throw new java.util.concurrent.RejectedExecutionException();
        }).recordStats().build(k -> "v");
        CompletableFuture<String> f = cache.refresh("k");
        assertTrue(f.isCompletedExceptionally());
        assertEquals(1, cache.stats().refreshFailureCount());
        assertEquals(0, cache.stats().loadCount(), "no loader ran");
    }
}
