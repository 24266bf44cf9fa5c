package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Expiry is exact to the nanosecond against the cache's ticker: an entry written at {@code t} with
 * time-to-live {@code ttl} is visible at {@code t + ttl - 1} and absent at {@code t + ttl}, on every
 * read path.
 */
class ExpiryTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final long TTL_NANOS = TTL.toNanos();

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(TTL)
            .removalListener(listener)
            .build();

    /** Moves the ticker to one nanosecond before the deadline of an entry written at {@code writtenAt}. */
    private void advanceToJustBeforeDeadline(long writtenAt, long ttlNanos) {
        ticker.advance(writtenAt + ttlNanos - 1 - ticker.read());
    }

    @Test
    void getIfPresentSeesTheEntryUntilTheNanosecondOfItsDeadline() {
        long writtenAt = ticker.read();
        cache.put("k", "v");

        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);
        assertEquals("v", cache.getIfPresent("k"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
        ticker.advance(Duration.ofDays(1));
        assertNull(cache.getIfPresent("k"));
    }

    @Test
    void getWithLoaderReturnsTheLiveValueThenReloadsAtTheDeadline() {
        AtomicInteger loads = new AtomicInteger();
        long writtenAt = ticker.read();
        cache.put("k", "v");

        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);
        assertEquals("v", cache.get("k", key -> "loaded " + loads.incrementAndGet()));
        assertEquals(0, loads.get());

        ticker.advance(1);
        assertEquals("loaded 1", cache.get("k", key -> "loaded " + loads.incrementAndGet()));
        assertEquals(1, loads.get());

        // The loaded value got a fresh default TTL from the time it was stored.
        long loadedAt = ticker.read();
        advanceToJustBeforeDeadline(loadedAt, TTL_NANOS);
        assertEquals("loaded 1", cache.get("k", key -> "loaded " + loads.incrementAndGet()));
        ticker.advance(1);
        assertEquals("loaded 2", cache.get("k", key -> "loaded " + loads.incrementAndGet()));
    }

    @Test
    void getEntryIfPresentReportsTheExactRemainingTtl() {
        long writtenAt = ticker.read();
        cache.put("k", "v");

        CacheEntry<String, String> fresh = cache.getEntryIfPresent("k");
        assertEquals("k", fresh.getKey());
        assertEquals("v", fresh.getValue());
        assertTrue(fresh.expires());
        assertEquals(TTL_NANOS, fresh.expiresInNanos());
        assertEquals(TTL, fresh.expiresIn());

        ticker.advance(Duration.ofSeconds(3));
        assertEquals(Duration.ofSeconds(7).toNanos(), cache.getEntryIfPresent("k").expiresInNanos());
        assertEquals(Duration.ofSeconds(7), cache.getEntryIfPresent("k").expiresIn());
        // A snapshot does not change with time.
        assertEquals(TTL_NANOS, fresh.expiresInNanos());

        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);
        assertEquals(1, cache.getEntryIfPresent("k").expiresInNanos());
        ticker.advance(1);
        assertNull(cache.getEntryIfPresent("k"));
    }

    @Test
    void entryStoredWithNeverDoesNotExpire() {
        cache.put("k", "v", KvCache.NEVER);
        ticker.advance(Duration.ofDays(365 * 100));

        CacheEntry<String, String> entry = cache.getEntryIfPresent("k");
        assertFalse(entry.expires());
        assertEquals(Long.MAX_VALUE, entry.expiresInNanos());
        assertEquals(KvCache.NEVER, entry.expiresIn());
        assertEquals("v", cache.getIfPresent("k"));
    }

    @Test
    void anyTtlOfLongMaxValueNanosOrMoreMeansNever() {
        cache.put("max", "v", Duration.ofNanos(Long.MAX_VALUE));
        cache.put("more", "v", Duration.ofDays(365L * 1000));
        ticker.advance(Duration.ofDays(365 * 100));

        assertFalse(cache.getEntryIfPresent("max").expires());
        assertFalse(cache.getEntryIfPresent("more").expires());
    }

    @Test
    void cacheWithoutDefaultTtlKeepsEntriesForever() {
        KvCache<String, String> eternal = KvCache.builder().ticker(ticker).build();
        eternal.put("k", "v");
        ticker.advance(Duration.ofDays(365 * 100));

        assertEquals("v", eternal.getIfPresent("k"));
        assertFalse(eternal.getEntryIfPresent("k").expires());
        assertEquals(Long.MAX_VALUE, eternal.getEntryIfPresent("k").expiresInNanos());
    }

    @Test
    void defaultTtlNeverIsAccepted() {
        KvCache<String, String> eternal = KvCache.builder().ticker(ticker).timeToLive(KvCache.NEVER).build();
        eternal.put("k", "v");
        ticker.advance(Duration.ofDays(365 * 100));
        assertEquals("v", eternal.getIfPresent("k"));
    }

    @Test
    void perEntryTtlOverridesTheDefaultBothWays() {
        long writtenAt = ticker.read();
        cache.put("short", "v", Duration.ofSeconds(1));
        cache.put("long", "v", Duration.ofMinutes(1));

        advanceToJustBeforeDeadline(writtenAt, Duration.ofSeconds(1).toNanos());
        assertEquals("v", cache.getIfPresent("short"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("short"));

        ticker.advance(TTL);
        assertEquals("v", cache.getIfPresent("long"));
        assertEquals(Duration.ofSeconds(49).toNanos(), cache.getEntryIfPresent("long").expiresInNanos());
        advanceToJustBeforeDeadline(writtenAt, Duration.ofMinutes(1).toNanos());
        assertEquals("v", cache.getIfPresent("long"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("long"));
    }

    @Test
    void readsDoNotExtendTheTtl() {
        long writtenAt = ticker.read();
        cache.put("k", "v");
        for (int i = 0; i < 9; i++) {
            ticker.advance(Duration.ofSeconds(1));
            assertEquals("v", cache.getIfPresent("k"));
            assertEquals("v", cache.get("k", key -> fail("loader called for a live entry")));
            assertEquals("v", cache.asMap().get("k"));
        }
        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);
        assertEquals("v", cache.getIfPresent("k"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
    }

    @Test
    void putOverALiveEntryRestartsItsTtl() {
        cache.put("k", "v1");
        ticker.advance(Duration.ofSeconds(6));
        long rewrittenAt = ticker.read();
        cache.put("k", "v2");
        assertEquals(TTL_NANOS, cache.getEntryIfPresent("k").expiresInNanos());

        advanceToJustBeforeDeadline(rewrittenAt, TTL_NANOS);
        assertEquals("v2", cache.getIfPresent("k"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
    }

    @Test
    void replaceRestartsTheTtlFromTheDefault() {
        cache.put("a", "v1", Duration.ofSeconds(2));
        cache.put("b", "v1", Duration.ofSeconds(2));
        ticker.advance(Duration.ofSeconds(1));

        assertEquals("v1", cache.replace("a", "v2"));
        assertTrue(cache.replace("b", "v1", "v2"));
        assertEquals(TTL_NANOS, cache.getEntryIfPresent("a").expiresInNanos());
        assertEquals(TTL_NANOS, cache.getEntryIfPresent("b").expiresInNanos());
    }

    @Test
    void replaceWithTtlGivesTheNewValueThatTtl() {
        cache.put("k", "v1");
        ticker.advance(Duration.ofSeconds(1));
        long replacedAt = ticker.read();
        assertTrue(cache.replace("k", "v1", "v2", Duration.ofSeconds(3)));
        assertEquals(Duration.ofSeconds(3).toNanos(), cache.getEntryIfPresent("k").expiresInNanos());

        advanceToJustBeforeDeadline(replacedAt, Duration.ofSeconds(3).toNanos());
        assertEquals("v2", cache.getIfPresent("k"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
    }

    @Test
    void putIfAbsentSeesALiveEntryOneNanosecondBeforeItsDeadline() {
        long writtenAt = ticker.read();
        cache.put("k", "v1");
        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);

        assertEquals("v1", cache.putIfAbsent("k", "v2"));
        assertEquals("v1", cache.putIfAbsent("k", "v3", Duration.ofHours(1)));
        // Unchanged, TTL included: it still expires at the original deadline.
        assertEquals(1, cache.getEntryIfPresent("k").expiresInNanos());
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
    }

    @Test
    void putIfAbsentTreatsAnEntryAtItsDeadlineAsAbsent() {
        long writtenAt = ticker.read();
        cache.put("k", "v1");
        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);
        ticker.advance(1);

        assertNull(cache.putIfAbsent("k", "v2"));
        assertEquals("v2", cache.getIfPresent("k"));
        assertEquals(TTL_NANOS, cache.getEntryIfPresent("k").expiresInNanos());
        cache.cleanUp();
        listener.assertExactly(removal("k", "v1", RemovalCause.EXPIRED));
    }

    @Test
    void putIfAbsentWithTtlTreatsAnExpiredEntryAsAbsentAndUsesItsOwnTtl() {
        cache.put("k", "v1");
        ticker.advance(TTL);

        assertNull(cache.putIfAbsent("k", "v2", Duration.ofSeconds(2)));
        assertEquals("v2", cache.getIfPresent("k"));
        assertEquals(Duration.ofSeconds(2).toNanos(), cache.getEntryIfPresent("k").expiresInNanos());
        ticker.advance(Duration.ofSeconds(2));
        assertNull(cache.getIfPresent("k"));
        cache.cleanUp();
        listener.assertExactly(
                removal("k", "v1", RemovalCause.EXPIRED),
                removal("k", "v2", RemovalCause.EXPIRED));
    }

    @Test
    void replaceSucceedsOneNanosecondBeforeTheDeadline() {
        long writtenAt = ticker.read();
        cache.put("a", "v1");
        cache.put("b", "v1");
        cache.put("c", "v1");
        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);

        assertEquals("v1", cache.replace("a", "v2"));
        assertTrue(cache.replace("b", "v1", "v2"));
        assertTrue(cache.replace("c", "v1", "v2", Duration.ofSeconds(1)));
        listener.assertExactly(
                removal("a", "v1", RemovalCause.REPLACED),
                removal("b", "v1", RemovalCause.REPLACED),
                removal("c", "v1", RemovalCause.REPLACED));
    }

    @Test
    void replaceFailsAtTheDeadline() {
        long writtenAt = ticker.read();
        cache.put("a", "v1");
        cache.put("b", "v1");
        cache.put("c", "v1");
        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);
        ticker.advance(1);

        assertNull(cache.replace("a", "v2"));
        assertFalse(cache.replace("b", "v1", "v2"));
        assertFalse(cache.replace("c", "v1", "v2", Duration.ofSeconds(1)));
        assertNull(cache.getIfPresent("a"));
        assertNull(cache.getIfPresent("b"));
        assertNull(cache.getIfPresent("c"));
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
        listener.assertExactly(
                removal("a", "v1", RemovalCause.EXPIRED),
                removal("b", "v1", RemovalCause.EXPIRED),
                removal("c", "v1", RemovalCause.EXPIRED));
    }

    @Test
    void removeSucceedsOneNanosecondBeforeTheDeadline() {
        long writtenAt = ticker.read();
        cache.put("a", "v");
        cache.put("b", "v");
        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);

        assertEquals("v", cache.remove("a"));
        assertTrue(cache.remove("b", "v"));
        listener.assertExactly(
                removal("a", "v", RemovalCause.EXPLICIT),
                removal("b", "v", RemovalCause.EXPLICIT));
    }

    @Test
    void removeFindsNothingAtTheDeadlineAndTheEntryIsReportedExpired() {
        long writtenAt = ticker.read();
        cache.put("a", "v");
        cache.put("b", "v");
        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);
        ticker.advance(1);

        assertNull(cache.remove("a"));
        assertFalse(cache.remove("b", "v"));
        cache.cleanUp();
        listener.assertExactly(
                removal("a", "v", RemovalCause.EXPIRED),
                removal("b", "v", RemovalCause.EXPIRED));
    }

    @Test
    void asMapReadsHonourTheDeadline() {
        long writtenAt = ticker.read();
        cache.put("k", "v");
        cache.put("forever", "w", KvCache.NEVER);
        Map<String, String> map = cache.asMap();

        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);
        assertEquals("v", map.get("k"));
        assertTrue(map.containsKey("k"));
        assertTrue(map.containsValue("v"));
        assertEquals(Map.of("k", "v", "forever", "w"), Map.copyOf(map));
        assertEquals(List.of("k", "v"), iteratedPair(map, "k"));

        ticker.advance(1);
        assertNull(map.get("k"));
        assertFalse(map.containsKey("k"));
        assertFalse(map.containsValue("v"));
        assertEquals("fallback", map.getOrDefault("k", "fallback"));
        assertFalse(map.keySet().contains("k"));
        assertFalse(map.values().contains("v"));
        assertFalse(map.entrySet().contains(Map.entry("k", "v")));
        assertEquals(Map.of("forever", "w"), Map.copyOf(map), "iteration skips the expired entry");
        assertEquals(List.of(), iteratedPair(map, "k"));
        assertEquals(List.of("forever"), new ArrayList<>(map.keySet()));
        assertEquals(List.of("w"), new ArrayList<>(map.values()));
        cache.cleanUp();
        assertEquals(1, map.size());
        assertFalse(map.isEmpty());
        assertEquals(Map.of("forever", "w"), map);
        assertEquals(Map.of("forever", "w").hashCode(), map.hashCode());
    }

    private static List<String> iteratedPair(Map<String, String> map, String key) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (e.getKey().equals(key)) {
                found.add(e.getKey());
                found.add(e.getValue());
            }
        }
        return found;
    }

    @Test
    void estimatedSizeIsExactAfterCleanUpOnceEntriesExpire() {
        long writtenAt = ticker.read();
        cache.put("a", "v");
        cache.put("b", "v", Duration.ofHours(1));
        advanceToJustBeforeDeadline(writtenAt, TTL_NANOS);
        cache.cleanUp();
        assertEquals(2, cache.estimatedSize());
        listener.assertExactly();

        ticker.advance(1);
        cache.cleanUp();
        assertEquals(1, cache.estimatedSize());
        listener.assertExactly(removal("a", "v", RemovalCause.EXPIRED));
    }

    /**
     * Only differences between ticker readings are meaningful, so the origin (zero, negative,
     * crossing zero during the TTL, large) must not change any expiry decision.
     */
    @ParameterizedTest
    @ValueSource(longs = {0L, -5_000_000_000L, -1L, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2})
    void expiryDoesNotDependOnTheTickerOrigin(long origin) {
        FakeTicker shifted = new FakeTicker(origin);
        KvCache<String, String> shiftedCache = KvCache.builder().ticker(shifted).timeToLive(TTL).build();
        shiftedCache.put("k", "v");
        shiftedCache.put("never", "v", KvCache.NEVER);
        assertEquals(TTL_NANOS, shiftedCache.getEntryIfPresent("k").expiresInNanos());

        shifted.advance(TTL_NANOS - 1);
        assertEquals("v", shiftedCache.getIfPresent("k"));
        assertEquals(1, shiftedCache.getEntryIfPresent("k").expiresInNanos());
        shifted.advance(1);
        assertNull(shiftedCache.getIfPresent("k"));
        assertEquals("v", shiftedCache.getIfPresent("never"));
        assertFalse(shiftedCache.getEntryIfPresent("never").expires());
    }

    @Test
    void entriesWrittenLongAfterBuildKeepExactDeadlines() {
        ticker.advance(Duration.ofDays(3650));
        cache.put("k", "v", Duration.ofNanos(1));
        assertEquals(1, cache.getEntryIfPresent("k").expiresInNanos());
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
    }
}
