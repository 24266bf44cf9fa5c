package dev.kvcache.core.lincheck;

import dev.kvcache.core.KvCache;
import java.time.Duration;

/**
 * Linearizability of a cache with a default TTL, over a ticker held fixed: every entry carries a
 * finite deadline and is scheduled on the timer wheel, but none expires while the test runs.
 */
public class FixedTtlLincheckTest extends CacheOperations implements LincheckChecks {
    private static final long TTL_SECONDS = 1;

    public FixedTtlLincheckTest() {
        super(ticker -> KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(TTL_SECONDS)).build());
    }

    @Override
    long defaultTtlSeconds() {
        return TTL_SECONDS;
    }
}
