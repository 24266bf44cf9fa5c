package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
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
}
