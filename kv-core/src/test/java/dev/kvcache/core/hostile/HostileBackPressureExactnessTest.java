package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.KvCacheBuilder;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.RemovalListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile review of b95d82a: what back-pressure must not change. Every value written is unique; at the
 * end (after cleanUp) each is either the key's current value or was notified exactly once; every
 * SIZE notification is counted in the statistics' evictions and their weight.
 */
class HostileBackPressureExactnessTest {

    @ParameterizedTest(name = "writers={0} weighted={1} max={2}")
    @CsvSource({"2, false, 300", "4, false, 300", "8, false, 300", "4, true, 3000", "8, true, 3000",
        "4, false, 0", "8, false, 1", "4, true, 0"})
    void everyValueIsCurrentOrNotifiedOnceAndEvictionsAreCounted(int writers, boolean weighted, long max) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Map<Long, RemovalCause> notified = new ConcurrentHashMap<>();
            List<String> twice = java.util.Collections.synchronizedList(new ArrayList<>());
            LongAdder sizeCount = new LongAdder();
            LongAdder sizeWeight = new LongAdder();
            RemovalListener<Object, Object> listener = (k, v, c) -> {
                long value = (Long) v;
                if (notified.putIfAbsent(value, c) != null) {
                    twice.add(k + "=" + v + " " + c);
                }
                if (c == RemovalCause.SIZE) {
                    sizeCount.increment();
                    sizeWeight.add(weighted ? weightOf(value) : 1);
                }
            };
            KvCacheBuilder<Object, Object> b = KvCache.builder().recordStats();
            b = weighted ? b.maximumWeight(max, (k, v) -> weightOf((Long) v)) : b.maximumSize(max);
            KvCache<Object, Object> cache = b.removalListener(listener).build();
            AtomicLong ids = new AtomicLong();
            Map<Long, Long> written = new ConcurrentHashMap<>(); // value -> key
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                int base = t * 1_000_000;
                threads.add(new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < 40_000; i++) {
                        long key = base + (r.nextInt(4) == 0 ? r.nextInt(Math.max(1, i)) : i);
                        int op = r.nextInt(20);
                        if (op == 0) {
                            cache.remove(key);
                        } else if (op == 1) {
                            long v = ids.incrementAndGet();
                            written.put(v, key);
                            cache.asMap().merge(key, v, (o, n) -> n);
                        } else {
                            long v = ids.incrementAndGet();
                            written.put(v, key);
                            cache.put(key, v);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join();
            }
            cache.cleanUp();
            assertTrue(twice.isEmpty(), "notified twice: " + twice.subList(0, Math.min(5, twice.size())));
            List<String> lost = new ArrayList<>();
            for (Map.Entry<Long, Long> e : written.entrySet()) {
                Object current = cache.policy().getIfPresentQuietly(e.getValue());
                boolean isCurrent = current != null && (Long) current == e.getKey().longValue();
                boolean wasNotified = notified.containsKey(e.getKey());
                if (isCurrent == wasNotified) {
                    lost.add("value " + e.getKey() + " of key " + e.getValue() + (isCurrent ? " current and notified" : " neither current nor notified"));
                }
            }
            assertTrue(lost.isEmpty(), lost.size() + " values: " + lost.subList(0, Math.min(5, lost.size())));
            for (Long v : notified.keySet()) {
                assertTrue(written.containsKey(v), "notified a value never written: " + v);
            }
            CacheStats stats = cache.stats();
            assertEquals(sizeCount.sum(), stats.evictionCount(), "evictionCount vs SIZE notifications");
            assertEquals(sizeWeight.sum(), stats.evictionWeight(), "evictionWeight vs SIZE notifications' weight");
            assertTrue(cache.estimatedSize() >= 0);
            assertTrue(cache.policy().weightedSize() <= max, "weightedSize " + cache.policy().weightedSize() + " > " + max);
            assertTrue(weighted || cache.estimatedSize() <= max, "estimatedSize " + cache.estimatedSize() + " > " + max);
        });
    }

    private static int weightOf(long value) {
        return (int) (value % 7 == 0 ? 0 : value % 7 == 1 ? 500 : value % 5 + 1);
    }
}
