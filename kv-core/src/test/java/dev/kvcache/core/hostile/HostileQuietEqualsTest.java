package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * timeToIdle's Javadoc: "the map's containsValue, equals, hashCode and forEach ... are not accesses".
 * Comparing two caches' maps is then no access of either: on main, {@code a.asMap().equals(b.asMap())}
 * looked b's values up with {@code b.asMap().get}, which restarted b's idle time.
 */
class HostileQuietEqualsTest {
    private static final Duration IDLE = Duration.ofSeconds(64);

    @Test
    void comparingTwoCachesMapsRestartsNeithersIdleTime() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> a = KvCache.builder().ticker(ticker).timeToIdle(IDLE).recordStats().<String, String>build();
        KvCache<String, String> b = KvCache.builder().ticker(ticker).timeToIdle(IDLE).recordStats().<String, String>build();
        a.put("k", "v");
        b.put("k", "v");
        ticker.advance(IDLE.minusSeconds(1));
        assertTrue(a.asMap().equals(b.asMap()));
        assertTrue(b.asMap().equals(a.asMap()));
        assertTrue(a.asMap().entrySet().equals(b.asMap().entrySet()));
        assertEquals(Duration.ofSeconds(1), a.policy().getEntryIfPresentQuietly("k").expiresIn(), "a's idle time moved");
        assertEquals(Duration.ofSeconds(1), b.policy().getEntryIfPresentQuietly("k").expiresIn(), "b's idle time moved");
        ticker.advance(Duration.ofSeconds(1));
        assertNull(a.getIfPresent("k"));
        assertNull(b.getIfPresent("k"));
        assertEquals(0, a.stats().hitCount() + b.stats().hitCount());
    }
}
