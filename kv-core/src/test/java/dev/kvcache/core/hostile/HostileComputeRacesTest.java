package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code asMap()} computes, {@code merge}, the conditional {@code replace}/{@code remove} and
 * {@code putAll} racing with expiry (a fake ticker advanced by one of the threads) and, bounded, with
 * eviction: the {@code KvCache} Javadoc's "removal listener called exactly once per removed entry", with a
 * cause that fits (an {@code EXPIRED} value is past the earliest deadline it can have; {@code SIZE} only
 * when bounded), and {@code CacheStats}' "hitCount: reads that returned a live value, missCount: reads
 * that found no live value": hits + misses are exactly the reads made. Bounded to about 1.5 s.
 */
class HostileComputeRacesTest {
    private static final long TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyStoredValueIsNotifiedOnceWithAFittingCauseAndEveryReadIsCounted(boolean bounded) throws Exception {
        FakeTicker ticker = new FakeTicker();
        Map<Long, RemovalCause> notified = new ConcurrentHashMap<>();
        Set<String> wrong = ConcurrentHashMap.newKeySet();
        // Ticker time read before the operation that may store the value began: a lower bound of its write.
        Map<Long, Long> writeStart = new ConcurrentHashMap<>();
        var builder = KvCache.builder().ticker(ticker).timeToLive(Duration.ofNanos(TTL_NANOS)).recordStats();
        if (bounded) {
            builder.maximumSize(12);
        }
        KvCache<Integer, Long> cache = builder.removalListener((Integer k, Long v, RemovalCause cause) -> {
            RemovalCause before = notified.putIfAbsent(v, cause);
            if (before != null) {
                wrong.add(v + " notified twice: " + before + ", " + cause);
            }
            if (cause == RemovalCause.EXPIRED && ticker.read() < writeStart.get(v) + TTL_NANOS) {
                wrong.add(v + " EXPIRED before its earliest deadline");
            }
            if (cause == RemovalCause.SIZE && !bounded) {
                wrong.add(v + " evicted (SIZE) from an unbounded cache");
            }
        }).build();
        ConcurrentMap<Integer, Long> map = cache.asMap();
        Set<Long> stored = ConcurrentHashMap.newKeySet();
        AtomicLong ids = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    int k = random.nextInt(24);
                    long v = ids.incrementAndGet();
                    long w = ids.incrementAndGet();
                    writeStart.put(v, ticker.read());
                    writeStart.put(w, ticker.read());
                    switch (random.nextInt(11)) {
                        case 0 -> {
                            Long result = map.compute(k, (key, old) -> random.nextInt(4) == 0 ? null : v);
                            if (result != null && result == v) {
                                stored.add(v);
                            }
                        }
                        case 1 -> {
                            Long result = map.computeIfPresent(k, (key, old) -> random.nextInt(3) == 0 ? null : v);
                            if (result != null && result == v) {
                                stored.add(v);
                            }
                        }
                        case 2 -> {
                            Long result = map.computeIfAbsent(k, key -> v);
                            if (result == v) {
                                stored.add(v);
                            }
                        }
                        case 3 -> {
                            Long result = map.merge(k, v, (old, given) -> random.nextInt(3) == 0 ? null : w);
                            if (result != null && (result == v || result == w)) {
                                stored.add(result);
                            }
                        }
                        case 4 -> {
                            reads.incrementAndGet();
                            Long current = cache.getIfPresent(k);
                            if (current != null && cache.replace(k, current, v)) {
                                stored.add(v);
                            }
                        }
                        case 5 -> {
                            reads.incrementAndGet();
                            Long current = cache.getIfPresent(k);
                            if (current != null) {
                                cache.remove(k, current);
                            }
                        }
                        case 6 -> {
                            cache.putAll(Map.of(k, v, k + 24, w));
                            stored.add(v);
                            stored.add(w);
                        }
                        case 7 -> {
                            reads.addAndGet(3);
                            cache.getAllPresent(List.of(k, k + 1, k + 24));
                        }
                        case 8 -> {
                            if (thread == 0) {
                                ticker.advance(TimeUnit.MILLISECONDS.toNanos(1 + random.nextInt(4)));
                            } else {
                                reads.incrementAndGet();
                                cache.getIfPresent(k);
                            }
                        }
                        case 9 -> {
                            cache.put(k, v);
                            stored.add(v);
                        }
                        default -> {
                            if (random.nextInt(40) == 0) {
                                cache.invalidateAll();
                            } else {
                                cache.cleanUp();
                            }
                        }
                    }
                }
            }));
        }
        for (Future<?> future : futures) {
            future.get(20, TimeUnit.SECONDS);
        }
        pool.shutdown();
        CacheStats stats = cache.stats();
        cache.invalidateAll();
        cache.cleanUp();

        assertEquals(Set.of(), wrong);
        Set<Long> missing = new HashSet<>(stored);
        missing.removeAll(notified.keySet());
        assertEquals(Set.of(), missing, "stored but never notified");
        Set<Long> phantom = new HashSet<>(notified.keySet());
        phantom.removeAll(stored);
        assertEquals(Set.of(), phantom, "notified but never stored");
        assertEquals(0, cache.estimatedSize());
        assertEquals(reads.get(), stats.requestCount(),
                "hits " + stats.hitCount() + " + misses " + stats.missCount() + " against the reads made");
        assertTrue(notified.containsValue(RemovalCause.EXPIRED), "the race exercised expiry");
        assertTrue(notified.containsValue(RemovalCause.REPLACED));
        assertTrue(!bounded || notified.containsValue(RemovalCause.SIZE), "the race exercised eviction");
    }
}
