package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.Ticker;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * kv-core contracts a Caffeine user relies on that no test pinned: close() then use, the views' and
 * entries' equals/hashCode/toString against java.util's, setMaximum on a cache whose entries expired,
 * builder combinations the Javadoc refuses.
 */
class HostileContractsTest {
    /** Spins (no sleep) until {@code nanos} of real time passed. */
    private static void spinFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /**
     * KvCache.close(): "The cache stays usable (with the coarse ticker, its reads then read the system
     * clock while that thread is stopped)". So time must still pass for a closed cache: an entry of 20 ms
     * is gone 300 ms later, and so for a cache that stays open while another closes.
     */
    @Test
    void aClosedCacheKeepsExpiringOnTheRealClock() {
        KvCache<String, String> closed = KvCache.builder().timeToLive(Duration.ofMinutes(1)).build();
        KvCache<String, String> open = KvCache.builder().timeToLive(Duration.ofMinutes(1)).build();
        try {
            closed.close();
            closed.close(); // idempotent
            closed.put("k", "v");
            assertEquals("v", closed.getIfPresent("k"));
            closed.put("short", "v", Duration.ofMillis(20));
            open.put("short", "v", Duration.ofMillis(20));
            spinFor(TimeUnit.MILLISECONDS.toNanos(300));
            assertNull(closed.getIfPresent("short"), "a closed cache's clock stopped");
            assertNull(open.getIfPresent("short"), "closing one cache stopped another's clock");
            assertEquals("v", closed.asMap().get("k"));
            assertEquals(Map.of("k", "v"), closed.asMap());
        } finally {
            open.close();
        }
    }

    /** A closed loading cache still loads, and a closed cache's views and policy keep working. */
    @Test
    void aClosedLoadingCacheStillLoadsAndBounds() {
        FakeTicker ticker = new FakeTicker();
        LoadingCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(2)
                .timeToLive(Duration.ofSeconds(1)).build(key -> "loaded " + key);
        cache.close();
        assertEquals("loaded a", cache.get("a"));
        assertEquals(Map.of("b", "loaded b", "c", "loaded c"), cache.getAll(List.of("b", "c")));
        cache.cleanUp();
        assertTrue(cache.policy().weightedSize() <= 2, "bound not kept after close: " + cache.policy().weightedSize());
        ticker.advance(Duration.ofSeconds(1));
        assertNull(cache.getIfPresent("b"));
        cache.policy().setMaximum(0);
        assertEquals(0, cache.policy().weightedSize());
    }

    /** The map view, its views and its entries compare, hash and print exactly as java.util's do. */
    @Test
    void viewsAndEntriesBehaveAsJavaUtilsOnes() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10)).build();
        Map<String, String> map = cache.asMap();
        assertEquals("{}", map.toString());
        assertEquals("[]", map.keySet().toString());
        cache.put("k", "v");
        cache.put("gone", "soon", Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1)); // "gone" is expired but not reclaimed
        Map<String, String> expected = new HashMap<>(Map.of("k", "v"));

        assertEquals("{k=v}", map.toString());
        assertEquals("[k]", map.keySet().toString());
        assertEquals("[v]", map.values().toString());
        assertEquals("[k=v]", map.entrySet().toString());
        assertEquals(expected, map);
        assertEquals(map, expected);
        assertEquals(expected.hashCode(), map.hashCode());
        assertEquals(expected.keySet(), map.keySet());
        assertEquals(map.keySet(), expected.keySet());
        assertEquals(expected.entrySet(), map.entrySet());
        assertEquals(map.entrySet(), expected.entrySet());
        assertEquals(expected.entrySet().hashCode(), map.entrySet().hashCode());
        assertEquals(expected.keySet().hashCode(), map.keySet().hashCode());
        assertNotEquals(map, Map.of("k", "v", "gone", "soon"));
        assertTrue(map.entrySet().contains(Map.entry("k", "v")));
        assertFalse(map.entrySet().contains(Map.entry("gone", "soon")));

        Map.Entry<String, String> viewEntry = map.entrySet().iterator().next();
        assertEquals(Map.entry("k", "v"), viewEntry);
        assertEquals(viewEntry, Map.entry("k", "v"));
        assertEquals("k".hashCode() ^ "v".hashCode(), viewEntry.hashCode());
        assertEquals("k=v", viewEntry.toString());
        assertEquals("v", viewEntry.setValue("w"));
        assertEquals("w", cache.getIfPresent("k"), "setValue did not write through");
        assertEquals("w", viewEntry.getValue());

        CacheEntry<String, String> entry = cache.getEntryIfPresent("k");
        assertEquals(Map.entry("k", "w"), entry);
        assertEquals(entry, Map.entry("k", "w"));
        assertEquals(entry, new java.util.AbstractMap.SimpleEntry<>("k", "w"));
        assertEquals("k".hashCode() ^ "w".hashCode(), entry.hashCode());
        assertEquals("k=w (expires in PT10S)", entry.toString());
        assertTrue(Set.of(Map.entry("k", "w")).contains(entry));
    }

    /** An entry that never expires prints without a TTL and reports NEVER. */
    @Test
    void aNeverExpiringEntryReportsNever() {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).build();
        cache.put("k", "v");
        CacheEntry<String, String> entry = cache.getEntryIfPresent("k");
        assertFalse(entry.expires());
        assertEquals(Long.MAX_VALUE, entry.expiresInNanos());
        assertEquals(KvCache.NEVER, entry.expiresIn());
        assertEquals("k=v", entry.toString());
    }

    /** setMaximum on a cache full of expired entries evicts nothing live and ends within the bound. */
    @Test
    void setMaximumOverExpiredEntriesKeepsTheLiveOnes() {
        FakeTicker ticker = new FakeTicker();
        KvCache<Integer, Integer> cache = KvCache.builder().ticker(ticker).maximumSize(100).build();
        for (int i = 0; i < 90; i++) {
            cache.put(i, i, Duration.ofSeconds(1));
        }
        for (int i = 90; i < 100; i++) {
            cache.put(i, i, Duration.ofHours(1));
        }
        ticker.advance(Duration.ofSeconds(1));
        cache.policy().setMaximum(10);
        assertTrue(cache.policy().weightedSize() <= 10, cache.policy().weightedSize() + " > 10");
        for (int i = 90; i < 100; i++) {
            assertEquals(i, cache.getIfPresent(i), "live entry " + i + " evicted while 90 expired ones were there");
        }
    }

    /** Builder combinations the Javadoc refuses, each with its exception; and those it does not. */
    @Test
    void builderRefusesWhatItsJavadocRefuses() {
        IllegalStateException both = assertThrows(IllegalStateException.class, () -> KvCache.builder()
                .timeToLive(Duration.ofSeconds(1)).<String, String>expiry((k, v) -> 1L).build());
        assertNotEquals(null, both.getMessage());
        assertThrows(IllegalStateException.class, () -> KvCache.builder().maximumSize(1).maximumSize(2));
        assertThrows(IllegalStateException.class, () -> KvCache.builder().maximumSize(1)
                .<String, String>maximumWeight(2, (k, v) -> 1));
        assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToIdle(KvCache.NEVER));
        assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToLive(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> KvCache.builder().initialCapacity(-1));
        assertThrows(NullPointerException.class, () -> KvCache.builder().build(null));
        assertThrows(NullPointerException.class, () -> KvCache.builder().ticker((Ticker) null));
        // A TTL of NEVER is a valid default, and a maximum of zero a valid bound.
        try (KvCache<String, String> never = KvCache.builder().timeToLive(KvCache.NEVER).maximumSize(0).build()) {
            assertEquals(KvCache.NEVER, never.policy().timeToLive());
            never.put("k", "v");
            never.cleanUp();
            assertNull(never.getIfPresent("k"));
        }
    }
}
