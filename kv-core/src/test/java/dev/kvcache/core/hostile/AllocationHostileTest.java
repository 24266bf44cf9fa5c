package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.Expiry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.KvCacheBuilder;
import dev.kvcache.core.testing.FakeTicker;
import java.lang.reflect.Method;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The allocation claims of the newer features: timeToIdle "reads stay lock-free and allocation-free" (even the reads
 * that move the deadline); Expiry "a hit stays lock-free and allocation-free"; an overwrite of a live entry "updates it
 * in place and allocates nothing". Maintenance is handed to a no-op executor so that only the operations are measured.
 */
class AllocationHostileTest {
    private static final int KEYS = 500;
    private static final int OPS = 200_000;
    private static final long HOUR = Duration.ofHours(1).toNanos();
    private static final long STEP = Duration.ofMinutes(1).toNanos() / KEYS;
    static volatile Object sink;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"timeToIdle", "timeToIdle bounded", "expiry", "expiry bounded",
            "timeToIdle reads", "expiry reads", "expiry still", "ttl still",
            "loading ttl still", "loading timeToIdle"})
    void hitsAndOverwritesAllocateNothing(String configuration) throws Exception {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method counter;
        try {
            Class<?> hotspot = Class.forName("com.sun.management.ThreadMXBean");
            Assumptions.assumeTrue(hotspot.isInstance(bean));
            counter = hotspot.getMethod("getThreadAllocatedBytes", long.class);
        } catch (ClassNotFoundException e) {
            Assumptions.abort("needs HotSpot's per-thread allocation counter");
            return;
        }
        @SuppressWarnings("deprecation")
        long id = Thread.currentThread().getId();
        FakeTicker ticker = new FakeTicker();
        KvCacheBuilder<Object, Object> b = KvCache.builder().ticker(ticker).executor(task -> {});
        boolean loading = configuration.startsWith("loading");
        if (configuration.contains("timeToIdle")) {
            b.timeToIdle(Duration.ofHours(1));
        } else if (configuration.contains("ttl")) {
            b.timeToLive(Duration.ofHours(1));
        } else {
            b.expiry(new Expiry<Object, Object>() {
                @Override
                public long afterCreateNanos(Object key, Object value) {
                    return HOUR;
                }
            });
        }
        if (configuration.endsWith("bounded")) {
            b.maximumSize(10 * KEYS);
        }
        // LoadingCache.get: "A hit costs what getIfPresent costs (no lock, no allocation)".
        dev.kvcache.core.LoadingCache<String, String> loader = loading ? b.build(k -> "loaded") : null;
        KvCache<String, String> cache = loading ? loader : b.build();
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i;
            cache.put(keys[i], "v");
        }
        String w = "w";
        for (int round = 0; round < 2; round++) { // the first round warms up
            long before = (long) counter.invoke(bean, id);
            for (int i = 0; i < OPS; i++) {
                String key = keys[i % KEYS];
                if ((i & 7) == 0) {
                    if (!configuration.endsWith("still")) {
                        ticker.advance(STEP); // timeToIdle reads then move deadlines
                    }
                    if (!configuration.endsWith("reads")) {
                        cache.put(key, (i & 8) == 0 ? "v" : w);
                    }
                } else {
                    sink = loading ? loader.get(key) : cache.getIfPresent(key);
                }
            }
            long allocated = (long) counter.invoke(bean, id) - before;
            if (round == 1) {
                assertTrue(allocated < 64 * 1024, allocated + " bytes allocated by " + OPS + " hits and overwrites");
            }
        }
        if (configuration.contains("timeToIdle") || configuration.endsWith("still")) { // reads kept them idle-live
            for (String key : keys) {
                assertTrue(cache.asMap().containsKey(key), key);
            }
        }
    }
}
