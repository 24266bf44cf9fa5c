package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Policy's quiet reads: the live entry as the cache holds it, with no hook, access or statistic. */
class QuietReadTest {
    @Test
    void aQuietReadRecordsNoStatisticAndRunsNoReadHook() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).recordStats()
                .<String, String>expiry(new Expiry<>() {
                    @Override
                    public long afterCreateNanos(String key, String value) {
                        return Duration.ofSeconds(10).toNanos();
                    }

                    @Override
                    public long afterReadNanos(String key, String value, long remainingNanos) {
                        return Duration.ofSeconds(60).toNanos();
                    }
                }).build();
        cache.put("k", "v");
        ticker.advance(Duration.ofSeconds(1));
        CacheEntry<String, String> entry = cache.policy().getEntryIfPresentQuietly("k");
        assertEquals("v", entry.getValue());
        assertEquals(Duration.ofSeconds(9), entry.expiresIn());
        assertEquals("v", cache.policy().getIfPresentQuietly("k"));
        assertNull(cache.policy().getEntryIfPresentQuietly("absent"));
        assertNull(cache.policy().getIfPresentQuietly("absent"));
        assertEquals(0, cache.stats().hitCount() + cache.stats().missCount(), "a quiet read counted in the statistics");
        ticker.advance(Duration.ofSeconds(9));
        assertNull(cache.asMap().get("k"), "a quiet read ran the read hook (60 s)");
        assertNull(cache.policy().getEntryIfPresentQuietly("k"), "expired");
    }

    @Test
    void aQuietReadRestartsNoIdleTimeAndReportsTheCap() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofMinutes(1))
                .timeToIdle(Duration.ofSeconds(10)).<String, String>build();
        cache.put("k", "v");
        cache.setTimeToLive("k", Duration.ofHours(1));
        assertEquals(Duration.ofSeconds(10), cache.policy().getEntryIfPresentQuietly("k").expiresIn(),
                "the remaining TTL as the cache holds it: the idle time caps the hour");
        ticker.advance(Duration.ofSeconds(6));
        assertEquals(Duration.ofSeconds(4), cache.policy().getEntryIfPresentQuietly("k").expiresIn());
        ticker.advance(Duration.ofSeconds(4));
        assertNull(cache.asMap().get("k"), "a quiet read restarted the idle time");
    }

    @Test
    void aQuietReadIsNoAccessForEviction() {
        KvCache<String, String> cache = KvCache.builder().maximumSize(100).<String, String>build();
        cache.put("a", "1");
        cache.put("b", "2");
        cache.cleanUp();
        List<String> before = cache.policy().hottest(2);
        for (int i = 0; i < 10; i++) {
            cache.policy().getIfPresentQuietly(before.get(1));
        }
        cache.cleanUp();
        assertEquals(before, cache.policy().hottest(2), "quiet reads moved a key in the eviction order");
        cache.getIfPresent(before.get(1));
        cache.cleanUp();
        assertEquals(List.of(before.get(1), before.get(0)), cache.policy().hottest(2), "the fixture: a read does move it");
    }

    @Test
    void aNullKeyIsRefused() {
        KvCache<String, String> cache = KvCache.builder().<String, String>build();
        assertThrows(NullPointerException.class, () -> cache.policy().getIfPresentQuietly(null));
        assertThrows(NullPointerException.class, () -> cache.policy().getEntryIfPresentQuietly(null));
    }
}
