package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Expiry exactness, TTL edges and the documented reclamation by cleanUp, against a FakeTicker. */
class HostileExpiryTest {

    /** At the deadline every operation treats the entry as absent; one nanosecond before, as live. */
    @Test
    void everyReadAgreesAtTheDeadline() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(50).build();
        cache.put("k", "v", Duration.ofNanos(100));
        ticker.advance(99);
        CacheEntry<String, String> e = cache.getEntryIfPresent("k");
        assertEquals(1, e.expiresInNanos());
        ticker.advance(1);
        Map<String, String> map = cache.asMap();
        assertNull(cache.getIfPresent("k"));
        assertNull(cache.getEntryIfPresent("k"));
        assertNull(map.get("k"));
        assertFalse(map.containsKey("k"));
        assertFalse(map.containsValue("v"));
        assertFalse(map.keySet().contains("k"));
        assertFalse(map.values().contains("v"));
        assertFalse(map.entrySet().contains(Map.entry("k", "v")));
        assertEquals("d", map.getOrDefault("k", "d"));
        assertEquals(0, map.size());
        assertTrue(map.isEmpty());
        assertEquals("{}", map.toString());
        assertEquals(0, map.hashCode());
        assertFalse(map.keySet().iterator().hasNext());
        assertEquals(0, map.keySet().stream().count());
        assertNull(cache.replace("k", "w"));
        assertFalse(cache.replace("k", "v", "w"));
        assertFalse(cache.remove("k", "v"));
        assertNull(cache.remove("k"));
        assertEquals("loaded", cache.get("k", k -> "loaded"));
    }

    /** An entry that an iterator has announced with hasNext() but that expires before next(). */
    @Test
    void iteratorNeverHandsOutAnEntryPastItsDeadline() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).build();
        for (int i = 0; i < 10; i++) {
            cache.put("k" + i, "v", Duration.ofSeconds(1));
        }
        Iterator<Map.Entry<String, String>> it = cache.asMap().entrySet().iterator();
        assertTrue(it.hasNext());
        it.next();
        assertTrue(it.hasNext());
        ticker.advance(Duration.ofSeconds(1));
        List<String> returnedAfterDeadline = new ArrayList<>();
        while (it.hasNext()) {
            returnedAfterDeadline.add(it.next().getKey());
        }
        // Weakly consistent iteration may have read the next entry while it was live; anything past
        // that one is a read after the deadline.
        assertTrue(returnedAfterDeadline.size() <= 1, "returned after the deadline: " + returnedAfterDeadline);
    }

    @ParameterizedTest(name = "ttl {0} ns")
    @ValueSource(longs = {1, 999_999, 67_108_863, 67_108_864, 1_000_000_000L, 4_400_000_000L,
            3_600_000_000_000L, 864_000_000_000_000L})
    void cleanUpReclaimsEveryExpiredEntry(long ttlNanos) {
        FakeTicker ticker = new FakeTicker();
        List<RemovalCause> causes = Collections.synchronizedList(new ArrayList<>());
        KvCache<String, String> cache = KvCache.builder().ticker(ticker)
                .removalListener((String k, String v, RemovalCause c) -> causes.add(c)).build();
        for (int i = 0; i < 100; i++) {
            cache.put("k" + i, "v", Duration.ofNanos(ttlNanos));
        }
        ticker.advance(ttlNanos);
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize(), "cleanUp documents that it reclaims every expired entry");
        assertEquals(Collections.nCopies(100, RemovalCause.EXPIRED), causes);
    }

    @Test
    void ttlEdges() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).build();
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> cache.put("k", "v", Duration.ZERO));
        assertTrue(zero.getMessage().contains("PT0S"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cache.put("k", "v", Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> cache.putIfAbsent("k", "v", Duration.ofDays(-1)));
        assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToLive(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToLive(Duration.ofMillis(-1)));
        assertNull(cache.getIfPresent("k"));

        // Huge TTLs, beyond Long.MAX_VALUE nanoseconds (Duration.toNanos overflows for these), mean NEVER.
        cache.put("never", "v", KvCache.NEVER);
        cache.put("maxSeconds", "v", Duration.ofSeconds(Long.MAX_VALUE));
        cache.put("millennium", "v", Duration.ofDays(365_000));
        cache.put("maxNanos", "v", Duration.ofNanos(Long.MAX_VALUE));
        // Below Long.MAX_VALUE, so it expires, but now + ttl overflows a long.
        cache.put("almost", "v", Duration.ofNanos(Long.MAX_VALUE - 1));
        for (String k : List.of("never", "maxSeconds", "millennium", "maxNanos")) {
            assertFalse(cache.getEntryIfPresent(k).expires(), k);
        }
        assertEquals("v", cache.getIfPresent("almost"), "now + ttl overflowed into the past");
        ticker.advance(Long.MAX_VALUE / 2);
        for (String k : List.of("never", "maxSeconds", "millennium", "maxNanos", "almost")) {
            assertEquals("v", cache.getIfPresent(k), k);
        }
        cache.cleanUp();
        assertEquals(5, cache.estimatedSize());
    }

    /** Only differences of readings matter: a ticker may start negative, or near Long.MAX_VALUE. */
    @ParameterizedTest(name = "origin {0}")
    @ValueSource(longs = {Long.MIN_VALUE + 1, -1_000_000_000L, 0, Long.MAX_VALUE - 3_600_000_000_000L})
    void anyTickerOrigin(long origin) {
        FakeTicker ticker = new FakeTicker(origin);
        List<String> expired = Collections.synchronizedList(new ArrayList<>());
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10))
                .removalListener((String k, String v, RemovalCause c) -> expired.add(k + " " + c)).build();
        cache.put("k", "v");
        cache.put("m", "v", Duration.ofMinutes(5));
        ticker.advance(Duration.ofSeconds(9));
        assertEquals("v", cache.getIfPresent("k"));
        ticker.advance(Duration.ofSeconds(1));
        assertNull(cache.getIfPresent("k"));
        assertEquals("v", cache.getIfPresent("m"));
        cache.cleanUp();
        assertEquals(List.of("k EXPIRED"), expired);
        assertEquals(1, cache.estimatedSize());
        ticker.advance(Duration.ofMinutes(5));
        cache.cleanUp();
        assertEquals(List.of("k EXPIRED", "m EXPIRED"), expired);
    }

    /** "An entry written at ticker time t": a loaded value is written when the load stores it. */
    @Test
    void aLoadedEntryLivesItsTtlFromWhenItWasStored() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10)).build();
        cache.get("k", k -> {
            ticker.advance(Duration.ofSeconds(6));
            return "slow";
        });
        ticker.advance(Duration.ofSeconds(5));
        assertEquals("slow", cache.getIfPresent("k"), "deadline counted from the start of the load");
    }

    /** A computed value is a new entry "with the cache's default TTL, restarted". */
    @Test
    void aComputedEntryLivesItsTtlFromItsWrite() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10)).build();
        cache.put("k", "v", KvCache.NEVER);
        cache.asMap().compute("k", (k, v) -> {
            ticker.advance(Duration.ofSeconds(6));
            return "computed";
        });
        ticker.advance(Duration.ofSeconds(5));
        assertEquals("computed", cache.getIfPresent("k"));
        ticker.advance(Duration.ofSeconds(5));
        assertNull(cache.getIfPresent("k"), "the default TTL replaces the old entry's NEVER");
    }

    /** The documented exception: the entry expires while the function runs; the result is new. */
    @Test
    void anEntryExpiringDuringItsComputeIsReportedExpired() {
        FakeTicker ticker = new FakeTicker();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        KvCache<String, String> cache = KvCache.builder().ticker(ticker)
                .removalListener((String k, String v, RemovalCause c) -> events.add(k + "=" + v + " " + c)).build();
        cache.put("k", "old", Duration.ofSeconds(1));
        String seenInside = cache.asMap().compute("k", (k, v) -> {
            ticker.advance(Duration.ofSeconds(2));
            return v + "+new " + cache.getIfPresent("k");
        });
        assertEquals("old+new null", seenInside);
        assertEquals("old+new null", cache.getIfPresent("k"));
        assertEquals(List.of("k=old EXPIRED"), events);
    }
}
