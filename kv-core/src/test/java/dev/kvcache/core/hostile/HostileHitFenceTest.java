package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The hit fence (ExpiringCache.hitFence): a plain hit of a cache without hit hooks makes one compare,
 * against nextMaintenance, and that compare is also its maintenance poll. Attacked with read-only
 * workloads, clocks that jump far, stand still or step back, and caches whose hits have hooks.
 */
class HostileHitFenceTest {
    private static final Duration TICK = Duration.ofMillis(70); // just over one timer-wheel tick

    private static KvCache<String, String> plain(FakeTicker ticker, List<String> expired) {
        return KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(1))
                .<String, String>removalListener((k, v, cause) -> {
                    if (cause == RemovalCause.EXPIRED) {
                        expired.add(k);
                    }
                }).build();
    }

    /** Only hits of one live key: they alone must keep reclaiming (and notifying) the expired entries. */
    @Test
    void hitsAloneReclaimAndNotifyExpiredEntries() {
        FakeTicker ticker = new FakeTicker();
        List<String> expired = new CopyOnWriteArrayList<>();
        KvCache<String, String> cache = plain(ticker, expired);
        cache.put("live", "v", KvCache.NEVER);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 50; i++) {
                cache.put(round + "-" + i, "x");
            }
            ticker.advance(Duration.ofSeconds(1).plus(TICK));
            for (int hit = 0; hit < 3; hit++) {
                assertEquals("v", cache.getIfPresent("live"));
                ticker.advance(TICK);
            }
            assertEquals(50 * (round + 1), expired.size(), "round " + round + ": hits alone left entries unreclaimed");
            assertEquals(1, cache.estimatedSize());
        }
    }

    /** A clock that leaps by centuries and then stands still: hits keep working and maintenance is not stuck. */
    @Test
    void aClockThatLeapsFarAndStandsStill() {
        FakeTicker ticker = new FakeTicker(0);
        List<String> expired = new CopyOnWriteArrayList<>();
        KvCache<String, String> cache = plain(ticker, expired);
        cache.put("live", "v", KvCache.NEVER);
        cache.put("short", "x");
        ticker.advance(Long.MAX_VALUE / 2); // ~146 years
        assertEquals("v", cache.getIfPresent("live"));
        assertEquals(List.of("short"), expired, "a hit after a far leap did not reclaim");
        cache.put("again", "y");
        for (int i = 0; i < 1000; i++) { // the clock stands still: no tick passes, nothing is due
            assertEquals("v", cache.getIfPresent("live"));
        }
        assertEquals("y", cache.getIfPresent("again"));
        ticker.advance(Duration.ofSeconds(1).plus(TICK));
        assertEquals("v", cache.getIfPresent("live"));
        assertEquals(List.of("short", "again"), expired);
        ticker.advance(Long.MAX_VALUE / 2 - Duration.ofSeconds(10).toNanos()); // near the end of the long range
        cache.put("late", "z");
        assertEquals("z", cache.getIfPresent("late"));
        assertEquals("v", cache.getIfPresent("live"));
    }

    /** A clock that steps back (a custom ticker that is not monotonic) never lets an expired value be read. */
    @Test
    void aClockThatStepsBackNeverRevivesAnExpiredEntry() {
        AtomicLong time = new AtomicLong(1_000_000_000_000L);
        KvCache<String, String> cache = KvCache.builder().ticker(time::get).timeToLive(Duration.ofSeconds(1))
                .<String, String>build();
        cache.put("k", "v");
        time.addAndGet(Duration.ofSeconds(2).toNanos());
        assertNull(cache.getIfPresent("k"));
        time.addAndGet(-Duration.ofSeconds(5).toNanos());
        assertNull(cache.getIfPresent("k"), "an entry seen expired came back when the clock stepped back");
    }

    /** Statistics are a hit hook: every hit between two ticks is counted, not only the ones that poll. */
    @Test
    void everyHitBetweenTicksIsCountedWithStatistics() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).recordStats().<String, String>build();
        cache.put("k", "v");
        for (int i = 0; i < 1000; i++) {
            assertEquals("v", cache.getIfPresent("k"));
        }
        assertEquals(1000, cache.stats().hitCount());
        ticker.advance(TICK);
        assertEquals("v", cache.getIfPresent("k"));
        assertEquals(1001, cache.stats().hitCount());
    }

    /**
     * A bound is a hit hook: a key read between two ticks is one the policy saw accessed, so a scan of
     * keys written once evicts them, not it.
     */
    @Test
    void hitsBetweenTicksCountAsAccessesForTheBound() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(10).<String, String>build();
        cache.put("hot", "v");
        for (int i = 0; i < 5; i++) {
            assertEquals("v", cache.getIfPresent("hot")); // no tick passes
        }
        for (int i = 0; i < 100; i++) {
            cache.put("scan" + i, "x");
        }
        assertEquals("v", cache.getIfPresent("hot"), "a key hit between ticks was evicted by a one-time scan");
    }
}
