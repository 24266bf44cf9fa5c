package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The counters of {@link KvCache#stats()} and the arithmetic of {@link CacheStats}. */
class StatsTest {
    private static final Duration TTL = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(TTL)
            .recordStats()
            .build();

    @Test
    void statsAreEmptyWhenNotRecorded() {
        KvCache<String, String> unrecorded = KvCache.builder().ticker(ticker).maximumSize(1).build();
        unrecorded.put("a", "1");
        unrecorded.put("b", "1");
        unrecorded.getIfPresent("a");
        unrecorded.getIfPresent("b");
        unrecorded.get("c", key -> "1");
        unrecorded.cleanUp();
        assertEquals(CacheStats.empty(), unrecorded.stats());
    }

    @Test
    void freshCacheHasEmptyStats() {
        assertEquals(CacheStats.empty(), cache.stats());
    }

    @Test
    void hitsAndMissesCountEveryRead() {
        cache.put("k", "v");
        cache.getIfPresent("k");
        cache.getIfPresent("absent");
        cache.getEntryIfPresent("k");
        cache.getEntryIfPresent("absent");
        cache.get("k", key -> "unused");
        ticker.advance(TTL);
        cache.getIfPresent("k");                    // expired: a miss

        CacheStats stats = cache.stats();
        assertEquals(3, stats.hitCount(), stats::toString);
        assertEquals(3, stats.missCount(), stats::toString);
        assertEquals(6, stats.requestCount());
        assertEquals(0.5, stats.hitRate());
        assertEquals(0.5, stats.missRate());
    }

    @Test
    void putsCountEveryStoredValueAndNoFailedConditionalWrite() {
        cache.put("a", "1");
        cache.put("a", "2");
        cache.put("b", "1", Duration.ofSeconds(1));
        cache.putIfAbsent("c", "1");
        cache.putIfAbsent("c", "2");                         // not stored
        cache.putIfAbsent("d", "1", Duration.ofSeconds(1));
        cache.replace("a", "3");
        cache.replace("absent", "1");                        // not stored
        cache.replace("c", "1", "2");
        cache.replace("c", "wrong", "3");                    // not stored
        cache.replace("c", "2", "3", Duration.ofSeconds(1));
        cache.get("e", key -> "loaded");                      // a load stores

        assertEquals(9, cache.stats().putCount(), () -> cache.stats().toString());
    }

    @Test
    void removalsAreCountedByCause() {
        KvCache<String, String> bounded = KvCache.builder()
                .ticker(ticker)
                .timeToLive(TTL)
                .maximumSize(3)
                .recordStats()
                .build();
        bounded.put("a", "1");
        bounded.put("b", "1");
        bounded.remove("a");
        bounded.remove("b", "1");
        bounded.put("c", "1");
        bounded.invalidateAll();
        assertEquals(3, bounded.stats().removalCount());

        bounded.put("x", "1", Duration.ofSeconds(1));
        bounded.put("y", "1", Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1));
        bounded.cleanUp();
        assertEquals(2, bounded.stats().expirationCount());

        for (int i = 0; i < 5; i++) {
            bounded.put("size-" + i, "1");
        }
        bounded.cleanUp();
        assertEquals(2, bounded.stats().evictionCount());

        String live = bounded.asMap().keySet().iterator().next();
        bounded.put(live, "2");                            // REPLACED is none of the three
        CacheStats stats = bounded.stats();
        assertEquals(3, stats.removalCount(), stats::toString);
        assertEquals(2, stats.expirationCount(), stats::toString);
        assertEquals(2, stats.evictionCount(), stats::toString);
        assertEquals(11, stats.putCount(), stats::toString);
    }

    @Test
    void loadsCountSuccessFailureAndTimeByTheTicker() {
        cache.get("a", key -> {
            ticker.advance(Duration.ofMillis(5));
            return "1";
        });
        cache.get("b", key -> {
            ticker.advance(Duration.ofMillis(3));
            return null;
        });
        try {
            cache.get("c", key -> {
                ticker.advance(Duration.ofMillis(4));
                throw new IllegalStateException();
            });
        } catch (IllegalStateException expected) {
            // counted below
        }
        cache.get("a", key -> "unused");

        CacheStats stats = cache.stats();
        assertEquals(1, stats.loadSuccessCount(), stats::toString);
        assertEquals(2, stats.loadFailureCount(), stats::toString);
        assertEquals(Duration.ofMillis(12).toNanos(), stats.totalLoadTimeNanos(), stats::toString);
        assertEquals(Duration.ofMillis(4).toNanos(), stats.averageLoadPenaltyNanos());
        assertEquals(1, stats.hitCount(), stats::toString);
        assertEquals(3, stats.missCount(), stats::toString);
        assertEquals(1, stats.putCount(), stats::toString);
    }

    @Test
    void snapshotsAreImmutableAndSubtract() {
        cache.put("k", "v");
        cache.getIfPresent("k");
        CacheStats before = cache.stats();
        cache.getIfPresent("k");
        cache.getIfPresent("absent");
        CacheStats after = cache.stats();

        assertEquals(1, before.hitCount());
        assertEquals(new CacheStats(1, 1, 0, 0, 0, 0, 0, 0, 0), after.minus(before));
        assertEquals(1, before.hitCount(), "an earlier snapshot does not change");
    }

    @Test
    void emptyStatsDefineEveryRate() {
        CacheStats empty = CacheStats.empty();
        assertSame(empty, CacheStats.empty());
        assertEquals(0, empty.requestCount());
        assertEquals(1.0, empty.hitRate());
        assertEquals(0.0, empty.missRate());
        assertEquals(0.0, empty.averageLoadPenaltyNanos());
    }

    @Test
    void ratesAreRatiosOfRequests() {
        CacheStats stats = new CacheStats(3, 1, 0, 0, 0, 0, 2, 2, 100);
        assertEquals(4, stats.requestCount());
        assertEquals(0.75, stats.hitRate());
        assertEquals(0.25, stats.missRate());
        assertEquals(25.0, stats.averageLoadPenaltyNanos());
        assertEquals(0.0, new CacheStats(0, 5, 0, 0, 0, 0, 0, 0, 0).hitRate());
        assertEquals(1.0, new CacheStats(0, 5, 0, 0, 0, 0, 0, 0, 0).missRate());
        assertEquals(0.0, new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 7).averageLoadPenaltyNanos());
    }

    @Test
    void everyCountMustBeNonNegative() {
        for (int i = 0; i < 9; i++) {
            long[] counts = new long[9];
            counts[i] = -1;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CacheStats(
                    counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7],
                    counts[8]));
            assertTrue(e.getMessage().contains("-1"), e.getMessage());
        }
    }

    @Test
    void minusFloorsEachCountAtZero() {
        CacheStats small = new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9);
        CacheStats large = new CacheStats(10, 20, 30, 40, 50, 60, 70, 80, 90);
        assertEquals(new CacheStats(9, 18, 27, 36, 45, 54, 63, 72, 81), large.minus(small));
        assertEquals(CacheStats.empty(), small.minus(large));
    }

    @Test
    void plusAddsEachCountSaturating() {
        CacheStats a = new CacheStats(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertEquals(new CacheStats(2, 4, 6, 8, 10, 12, 14, 16, 18), a.plus(a));
        long max = Long.MAX_VALUE;
        CacheStats huge = new CacheStats(max, max, max, max, max, max, max, max, max);
        assertEquals(huge, huge.plus(a));
        assertEquals(max, new CacheStats(max, 1, 0, 0, 0, 0, 0, 0, 0).requestCount());
        assertEquals(new CacheStats(0, 0, 0, 0, 0, 0, max, max, 10).averageLoadPenaltyNanos(),
                10.0 / max);
    }
}
