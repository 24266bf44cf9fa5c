package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.Expiry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.KvCacheBuilder;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Expiry functions, setTimeToLive, touch, timeToIdle and their configuration errors, judged by their Javadoc. */
class ExpiryHostileTest {

    private static Expiry<String, String> fixed(long create, long update) {
        return new Expiry<>() {
            @Override
            public long afterCreateNanos(String key, String value) {
                return create;
            }

            @Override
            public long afterUpdateNanos(String key, String value, long remainingNanos) {
                return update;
            }
        };
    }

    /** Expiry: "a TTL whose deadline would lie beyond Long.MAX_VALUE nanoseconds of the ticker also means never". */
    @Test
    void anExpiryTtlWhoseDeadlineOverflowsMeansNever() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker)
                .expiry(fixed(Long.MAX_VALUE - 1, Long.MAX_VALUE - 1)).build();
        ticker.advance(Duration.ofDays(365).toNanos()); // now + ttl lies beyond Long.MAX_VALUE of the cache's time
        cache.put("k", "v");
        ticker.advance(Duration.ofDays(365).toNanos());
        CacheEntry<String, String> e = cache.getEntryIfPresent("k");
        assertNotNull(e, "an overflowing deadline must mean never, not already expired");
        assertFalse(e.expires());
        cache.put("k", "w");
        assertEquals("w", cache.getIfPresent("k"));
    }

    /** put(k, v, ttl) with "anything of Long.MAX_VALUE nanoseconds or more" is NEVER; just under is a huge TTL, not a past deadline. */
    @Test
    void aHugeExplicitTtlNeitherThrowsNorExpiresAtOnce() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(10).build();
        cache.put("a", "v", Duration.ofSeconds(Long.MAX_VALUE));
        cache.put("b", "v", Duration.ofNanos(Long.MAX_VALUE - 1));
        assertTrue(cache.setTimeToLive("a", Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)));
        ticker.advance(Duration.ofDays(1000).toNanos());
        assertEquals("v", cache.getIfPresent("a"));
        assertEquals("v", cache.getIfPresent("b"));
        assertFalse(cache.getEntryIfPresent("a").expires());
    }

    /** Expiry: a bad TTL fails the write with IllegalArgumentException "and leaves the entry as it was". */
    @Test
    void aBadUpdateTtlLeavesTheEntryAsItWas() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).expiry(fixed(1_000, 0)).build();
        cache.put("k", "v");
        ticker.advance(100);
        assertThrows(IllegalArgumentException.class, () -> cache.put("k", "w"));
        assertThrows(IllegalArgumentException.class, () -> cache.touch("k"));
        assertThrows(IllegalArgumentException.class, () -> cache.asMap().replace("k", "w"));
        CacheEntry<String, String> e = cache.getEntryIfPresent("k");
        assertEquals("v", e.getValue());
        assertEquals(900, e.expiresInNanos());
    }

    /** Expiry: a throwing function fails the write with what it threw and stores nothing. */
    @Test
    void aThrowingCreateStoresNothing() {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).expiry(new Expiry<String, String>() {
            @Override
            public long afterCreateNanos(String key, String value) {
                throw new IllegalStateException("boom");
            }
        }).build();
        assertThrows(IllegalStateException.class, () -> cache.put("k", "v"));
        assertNull(cache.getIfPresent("k"));
        assertEquals(0, cache.estimatedSize());
        assertThrows(IllegalStateException.class, () -> cache.asMap().computeIfAbsent("k", k -> "v"));
        assertNull(cache.getIfPresent("k"));
    }

    /** afterUpdateNanos: "return remainingNanos to leave the deadline where it was"; the value is the new one. */
    @Test
    void returningRemainingKeepsTheDeadline() {
        FakeTicker ticker = new FakeTicker();
        List<Long> seen = new java.util.ArrayList<>();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).expiry(new Expiry<String, String>() {
            @Override
            public long afterCreateNanos(String key, String value) {
                return 1_000;
            }

            @Override
            public long afterUpdateNanos(String key, String value, long remainingNanos) {
                seen.add(remainingNanos);
                return remainingNanos;
            }
        }).build();
        cache.put("k", "v");
        ticker.advance(400);
        cache.put("k", "w");
        assertEquals(List.of(600L), seen);
        assertEquals(600, cache.getEntryIfPresent("k").expiresInNanos());
        assertTrue(cache.touch("k"));
        assertEquals(List.of(600L, 600L), seen);
        ticker.advance(600);
        assertNull(cache.getIfPresent("k"));
    }

    /** An explicit TTL does not consult the expiry; touch afterwards does (afterUpdate, with the current value). */
    @Test
    void explicitTtlBypassesTheExpiryAndTouchConsultsIt() {
        FakeTicker ticker = new FakeTicker();
        AtomicLong calls = new AtomicLong();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).expiry(new Expiry<String, String>() {
            @Override
            public long afterCreateNanos(String key, String value) {
                calls.incrementAndGet();
                return 1_000;
            }

            @Override
            public long afterUpdateNanos(String key, String value, long remainingNanos) {
                calls.incrementAndGet();
                assertEquals("v", value);
                return 5_000;
            }
        }).build();
        cache.put("k", "v", Duration.ofNanos(50));
        assertTrue(cache.setTimeToLive("k", Duration.ofNanos(70)));
        assertEquals(0, calls.get());
        assertEquals(70, cache.getEntryIfPresent("k").expiresInNanos());
        assertTrue(cache.touch("k"));
        assertEquals(1, calls.get());
        assertEquals(5_000, cache.getEntryIfPresent("k").expiresInNanos());
    }

    /** touch without an expiry: "an entry written with its own TTL also gets the default" (here NEVER). */
    @Test
    void touchGivesTheDefaultTtlEvenToAnOwnTtlEntry() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(10).build();
        cache.put("k", "v", Duration.ofNanos(100));
        assertTrue(cache.touch("k"));
        ticker.advance(1_000);
        assertEquals("v", cache.getIfPresent("k"));
        assertFalse(cache.touch("absent"));
        assertFalse(cache.setTimeToLive("absent", Duration.ofSeconds(1)));
        assertNull(cache.getIfPresent("absent"));
    }

    /** setTimeToLive/touch on an expired entry: left absent, false, nothing resurrected. */
    @Test
    void expiredEntriesAreNotResurrectedByTtlChanges() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofNanos(100)).build();
        cache.put("k", "v");
        ticker.advance(100);
        assertFalse(cache.setTimeToLive("k", KvCache.NEVER));
        assertFalse(cache.touch("k"));
        assertNull(cache.getIfPresent("k"));
        assertNull(cache.asMap().putIfAbsent("k", "w"));
    }

    /** timeToIdle alone: exactly idle after the last write; reads that move it by more than idle/64 extend. */
    @Test
    void timeToIdleHonoursItsStatedPrecision() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToIdle(Duration.ofNanos(6_400)).build();
        cache.put("k", "v");
        ticker.advance(6_399);
        assertEquals("v", cache.getIfPresent("k")); // read at +6399 moves it to +12799
        ticker.advance(6_399 - 100); // 6299 after the last read: before idle - idle/64
        assertEquals("v", cache.getIfPresent("k"));
        long lastRead = ticker.read();
        ticker.advance(6_400);
        assertNull(cache.getIfPresent("k"), "must expire no later than idle after its last read");
        cache.put("j", "v");
        ticker.advance(6_400);
        assertNull(cache.getIfPresent("j"), "exactly idle after its last write");
        assertTrue(ticker.read() > lastRead);
    }

    /** timeToIdle: getAllPresent is getIfPresent of each key, so it is a read hit that extends. */
    @Test
    void timeToIdleExtendsOnBulkAndLoadingReads() {
        FakeTicker ticker = new FakeTicker();
        LoadingCache<String, String> cache = KvCache.builder().ticker(ticker).timeToIdle(Duration.ofNanos(6_400))
                .build(k -> "loaded-" + k);
        cache.put("a", "v");
        cache.put("b", "v");
        ticker.advance(6_000);
        assertEquals(2, cache.getAllPresent(List.of("a", "b")).size());
        assertEquals("v", cache.get("a"));
        ticker.advance(6_000);
        assertEquals("v", cache.getIfPresent("a"));
        assertEquals("v", cache.getIfPresent("b"));
    }

    /** touch under timeToIdle restarts now + idle (the TTL a write would get). */
    @Test
    void touchUnderTimeToIdle() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToIdle(Duration.ofNanos(6_400)).build();
        cache.put("k", "v", Duration.ofNanos(100));
        ticker.advance(50);
        assertTrue(cache.touch("k"));
        assertEquals(6_400, cache.getEntryIfPresent("k").expiresInNanos(), "restart to now + idle");
    }

    @Test
    void badDurationsAreRefusedWithTheRule() {
        KvCacheBuilder<Object, Object> b = KvCache.builder();
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(Long.MIN_VALUE)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToLive(d));
            assertNotNull(e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToIdle(d));
            KvCache<String, String> c = KvCache.builder().build();
            assertThrows(IllegalArgumentException.class, () -> c.put("k", "v", d));
            c.put("k", "v");
            assertThrows(IllegalArgumentException.class, () -> c.setTimeToLive("k", d));
            assertThrows(IllegalArgumentException.class, () -> c.putAll(java.util.Map.of("j", "v"), d));
            assertNull(c.getIfPresent("j"));
        }
        for (Duration d : new Duration[] {KvCache.NEVER, Duration.ofSeconds(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToIdle(d));
            assertTrue(e.getMessage().contains("timeToIdle") || e.getMessage().contains("idle"), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> b.timeToIdle(null));
        assertNotNull(b);
    }

    @Test
    void incompatibleExpirySettingsAreRefusedAtBuildByBothBuildMethods() {
        Expiry<String, String> readHook = new Expiry<>() {
            @Override
            public long afterCreateNanos(String key, String value) {
                return 1_000;
            }

            @Override
            public long afterReadNanos(String key, String value, long remainingNanos) {
                return 1_000;
            }
        };
        assertThrows(IllegalStateException.class,
                () -> KvCache.builder().timeToLive(Duration.ofSeconds(1)).expiry(fixed(1, 1)).build());
        assertThrows(IllegalStateException.class,
                () -> KvCache.builder().timeToLive(Duration.ofSeconds(1)).expiry(fixed(1, 1)).build(k -> "v"));
        assertThrows(IllegalStateException.class,
                () -> KvCache.builder().timeToIdle(Duration.ofSeconds(1)).expiry(readHook).build());
        assertThrows(IllegalStateException.class,
                () -> KvCache.builder().timeToIdle(Duration.ofSeconds(1)).expiry(readHook)
                        .build(k -> "v"));
        // Documented as supported: an idle time capped by a TTL, or by an expiry function without a read hook.
        KvCache.builder().timeToIdle(Duration.ofSeconds(1)).timeToLive(Duration.ofSeconds(1)).build().close();
        KvCache.builder().timeToIdle(Duration.ofSeconds(1)).timeToLive(Duration.ofSeconds(1)).build(k -> "v").close();
        KvCache.builder().timeToIdle(Duration.ofSeconds(1)).expiry(fixed(1, 1)).build().close();
    }
}
