package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link KvHandler#warmUp}: it takes the paths it is for (hits, misses, writes and expiry) on a cache of its
 * own, and leaves the handler's cache as it was. What it does to the JIT is measured, not tested
 * (docs/benchmarks-http.md).
 */
class WarmUpTest {

    @Test
    void takesTheReadWriteAndExpiryPaths() {
        CacheStats stats = WarmUp.run(KvHandlerOptions.defaults(), Duration.ofMillis(300));
        assertTrue(stats.hitCount() > 0, "hits: " + stats);
        assertTrue(stats.missCount() > 0, "misses: " + stats);
        assertTrue(stats.putCount() > 0, "writes: " + stats);
        assertTrue(stats.expirationCount() > 0, "expirations: " + stats);
    }

    @Test
    void leavesTheHandlersCacheAsItWas() {
        try (KvCache<String, StoredValue> cache = KvCache.builder().timeToLive(Duration.ofMinutes(5))
                .recordStats().<String, StoredValue>build()) {
            StoredValue value = StoredValue.of("v".getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain");
            cache.put("1", value);
            CacheStats before = cache.stats();
            new KvHandler(cache, KvHandlerOptions.defaults()).warmUp(Duration.ofMillis(50));
            assertEquals(1, cache.estimatedSize());
            assertEquals(before, cache.stats(), "no read or write of the handler's cache");
            assertEquals(value, cache.policy().getEntryIfPresentQuietly("1").getValue());
        }
    }

    @Test
    void zeroRunsNothingAndANegativeTimeIsRefused() {
        assertEquals(CacheStats.empty(), WarmUp.run(KvHandlerOptions.defaults(), Duration.ZERO));
        KvHandler handler = new KvHandler(KvHandlerOptions.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> handler.warmUp(Duration.ofMillis(-1)));
        assertEquals("warm-up time must be zero or more, was PT-0.001S", e.getMessage());
        assertThrows(NullPointerException.class, () -> handler.warmUp(null));
    }
}
