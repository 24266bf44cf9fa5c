package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.Ticker;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Contracts of kv-core's public Javadoc checked from the documentation alone (hostile round 14): each
 * test names the sentence it holds the code to.
 */
class HostileDocumentedContractsTest {

    /**
     * Policy.timeToLive(): "the builder's timeToLive, or KvCache.NEVER if it set none". A cache built
     * with only timeToIdle set no timeToLive, so its entries written without a TTL have no TTL's end:
     * they expire only when idle. The policy reported the idle time as the TTL.
     */
    @Test
    void aTimeToIdleAloneIsNoTimeToLive() {
        FakeTicker ticker = new FakeTicker();
        try (KvCache<String, String> idleOnly = KvCache.builder()
                .ticker(ticker)
                .timeToIdle(Duration.ofMinutes(5))
                .build()) {
            assertEquals(KvCache.NEVER, idleOnly.policy().timeToLive());
            idleOnly.put("k", "v");
            for (int i = 0; i < 10; i++) { // read every 4 minutes: lives far past any 5-minute TTL
                ticker.advance(Duration.ofMinutes(4));
                assertEquals("v", idleOnly.getIfPresent("k"));
            }
        }
        try (KvCache<String, String> both = KvCache.builder()
                .ticker(ticker)
                .timeToLive(Duration.ofHours(1))
                .timeToIdle(Duration.ofMinutes(5))
                .build()) {
            assertEquals(Duration.ofHours(1), both.policy().timeToLive());
        }
    }

    /**
     * KvCache: "An entry written at ticker time t with time-to-live ttl has the deadline t + ttl. From
     * the instant the ticker reads the deadline or later, no read returns the entry." The engine
     * counts time from the ticker's reading when the cache was built and took a negative sum for an
     * overflow ("never"), so a ticker that steps back below that origin (as user tickers over a
     * wall clock do; the engine elsewhere tolerates steps back) turned a 50 ns entry immortal. A step
     * back is outside Ticker's contract, but it must not turn a short TTL into "never".
     */
    @Test
    void aTickerSteppingBackBelowTheCachesOriginDoesNotMakeEntriesImmortal() {
        AtomicLong time = new AtomicLong(1_000_000);
        Ticker ticker = time::get;
        try (KvCache<String, String> cache = KvCache.builder().ticker(ticker).build()) {
            time.set(1_000_000 - 100); // 100 ns before the cache's origin
            cache.put("short", "v", Duration.ofNanos(50));
            cache.put("never", "v", KvCache.NEVER);
            CacheEntry<String, String> entry = cache.getEntryIfPresent("short");
            assertTrue(entry.expires(), "a 50 ns TTL became never: " + entry);
            assertEquals(50, entry.expiresInNanos());
            assertEquals(Long.MAX_VALUE, cache.getEntryIfPresent("never").expiresInNanos());
            time.addAndGet(50);
            assertNull(cache.getIfPresent("short"), "read at its deadline");
            time.set(Long.MAX_VALUE / 2);
            cache.cleanUp();
            assertEquals(1, cache.estimatedSize(), "only the never-expiring entry is left");
            assertEquals("v", cache.getIfPresent("never"));
        }
    }

    /**
     * CacheStats: hits and misses are counted by the cache's own reads only; asMap()'s reads and
     * Policy's peeks count neither (as in Caffeine), while asMap()'s writes are counted as puts and
     * removals. Documented in this round; the counts here are exact.
     */
    @Test
    void onlyTheCachesOwnReadsCountHitsAndMisses() {
        try (KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).recordStats().build()) {
            cache.put("k", "v");
            Map<String, String> map = cache.asMap();
            map.get("k");
            map.get("absent");
            map.getOrDefault("k", "d");
            map.getOrDefault("absent", "d");
            map.containsKey("k");
            map.containsKey("absent");
            map.computeIfAbsent("k", key -> "never stored");
            map.forEach((key, value) -> { });
            cache.policy().getIfPresentQuietly("k");
            cache.policy().getEntryIfPresentQuietly("absent");
            assertEquals(new CacheStats(0, 0, 1, 0, 0, 0, 0, 0, 0), cache.stats(), "the map's reads counted");

            cache.getIfPresent("k");
            cache.getIfPresent("absent");
            cache.getEntryIfPresent("k");
            cache.getAllPresent(List.of("k", "absent"));
            cache.get("k", key -> "never loaded");
            map.put("m", "1");               // counted as a put
            map.computeIfAbsent("c", key -> "2"); // a put, but no miss
            map.remove("m");                 // a removal
            assertEquals(new CacheStats(4, 2, 3, 0, 0, 1, 0, 0, 0), cache.stats());
        }
    }

    /**
     * Bad input gets one plain sentence naming the setting: timeToIdle(0) said "ttl must be positive",
     * naming a setting the caller never touched.
     */
    @Test
    void aBadTimeToIdleIsNamedInItsMessage() {
        for (Duration bad : List.of(Duration.ZERO, Duration.ofNanos(-1), Duration.ofDays(-3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KvCache.builder().timeToIdle(bad));
            assertEquals("timeToIdle must be positive, was " + bad, e.getMessage());
        }
    }
}
