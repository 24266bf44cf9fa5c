package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The weigher is called once per write that stores a value, and never to remove one (Caffeine weighs
 * once per write; {@link Weigher} says the weight is computed once, when the entry is written). Main
 * weighed a removed or replaced value a second time, for the statistics, and weighed on every touch.
 */
class WeigherCallsTest {
    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger removedWeight = new AtomicInteger();
    private final KvCache<String, String> cache = KvCache.builder().ticker(ticker)
            .timeToLive(Duration.ofSeconds(10))
            .recordStats(() -> new StatsCounter() {
                @Override
                public void recordRemoval(RemovalCause cause, long weight) {
                    removedWeight.addAndGet((int) weight);
                }
            })
            .<String, String>maximumWeight(100, (k, v) -> {
                calls.incrementAndGet();
                return v.length();
            })
            .build();

    private int callsDuring(Runnable operation) {
        int before = calls.get();
        operation.run();
        return calls.get() - before;
    }

    @Test
    void oneCallPerStoreNoneOnRemoval() {
        assertEquals(1, callsDuring(() -> cache.put("k", "aaa")), "put");
        assertEquals(1, callsDuring(() -> cache.put("k", "bbbb")), "overwrite");
        assertEquals(1, callsDuring(() -> cache.replace("k", "cc")), "replace");
        assertEquals(1, callsDuring(() -> cache.asMap().compute("k", (k, v) -> v + "d")), "compute");
        assertEquals(0, callsDuring(() -> cache.touch("k")), "touch");
        assertEquals(0, callsDuring(() -> cache.setTimeToLive("k", Duration.ofSeconds(1))), "a shorter TTL (new node)");
        assertEquals(0, callsDuring(() -> cache.remove("k")), "remove");
        assertEquals(3 + 4 + 2 + 3, removedWeight.getAndSet(0),
                "each value's weight as weighed when written: replaced aaa, bbbb, cc, removed ccd");

        cache.put("k", "eeeee");
        ticker.advance(Duration.ofSeconds(11));
        assertEquals(1, callsDuring(() -> cache.put("k", "f")), "a put over an expired entry");
        assertEquals(5, removedWeight.getAndSet(0), "the expired value's weight, reported once");

        cache.put("k", "gg");
        assertEquals(0, callsDuring(() -> cache.asMap().computeIfPresent("k", (k, v) -> null)), "compute to null");
        cache.put("a", "x");
        assertEquals(0, callsDuring(cache::invalidateAll), "invalidateAll");
        assertEquals(1 + 2 + 1, removedWeight.getAndSet(0), "replaced f, removed gg, invalidated x");
    }

    @Test
    void noCallOnEvictionOrExpiry() {
        for (int i = 0; i < 30; i++) {
            cache.put("k" + i, "0123456789"); // weight 10 each: evicts beyond 10 entries
        }
        assertEquals(30, calls.get());
        ticker.advance(Duration.ofSeconds(11));
        cache.cleanUp();
        assertEquals(30, calls.get(), "evicting and expiring weigh nothing");
        assertEquals(300, removedWeight.get(), "every entry's weight, once, by eviction or expiry");
    }
}
