package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;

/** The {@link KvCache#asMap()} view: expiry-aware reads, default-TTL writes, notifying removals. */
class AsMapViewTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final long TTL_NANOS = TTL.toNanos();

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(TTL)
            .removalListener(listener)
            .build();
    private final ConcurrentMap<String, String> map = cache.asMap();

    @Test
    void writesThroughTheViewUseTheDefaultTtl() {
        assertNull(map.put("put", "v"));
        assertNull(map.putIfAbsent("putIfAbsent", "v"));
        map.putAll(Map.of("putAll", "v"));
        assertEquals("v", map.computeIfAbsent("computeIfAbsent", k -> "v"));
        assertEquals("v", map.merge("merge", "v", (a, b) -> a + b));
        assertEquals("v", map.compute("compute", (k, old) -> "v"));
        for (String key : List.of("put", "putIfAbsent", "putAll", "computeIfAbsent", "merge", "compute")) {
            assertEquals(TTL_NANOS, cache.getEntryIfPresent(key).expiresInNanos(), key);
        }
        ticker.advance(TTL_NANOS - 1);
        assertEquals(6, map.size());
        ticker.advance(1);
        assertEquals(Map.of(), new HashMap<>(map));
        cache.cleanUp();
        assertTrue(map.isEmpty());
        assertEquals(0, map.size());
        assertEquals(6, listener.count(RemovalCause.EXPIRED));
    }

    @Test
    void writesThroughTheViewSeeTheCachesWrites() {
        cache.put("k", "v1");
        assertEquals("v1", map.get("k"));
        assertEquals("v1", map.put("k", "v2"));
        assertEquals("v2", cache.getIfPresent("k"));
        assertEquals("v2", map.replace("k", "v3"));
        assertTrue(map.replace("k", "v3", "v4"));
        assertFalse(map.replace("k", "v3", "v5"));
        assertEquals("v4", map.putIfAbsent("k", "v6"));
        assertEquals("v4", cache.getIfPresent("k"));
        listener.assertExactly(
                removal("k", "v1", RemovalCause.REPLACED),
                removal("k", "v2", RemovalCause.REPLACED),
                removal("k", "v3", RemovalCause.REPLACED));
    }

    @Test
    void conditionalWritesThroughTheViewTreatExpiredEntriesAsAbsent() {
        for (String key : List.of("putIfAbsent", "replace", "replaceCas", "removeCas", "remove",
                "computeIfAbsent", "computeIfPresent", "merge", "compute")) {
            cache.put(key, "old");
        }
        ticker.advance(TTL);

        assertNull(map.putIfAbsent("putIfAbsent", "new"));
        assertNull(map.replace("replace", "new"));
        assertFalse(map.replace("replaceCas", "old", "new"));
        assertFalse(map.remove("removeCas", "old"));
        assertNull(map.remove("remove"));
        assertEquals("new", map.computeIfAbsent("computeIfAbsent", k -> "new"));
        assertNull(map.computeIfPresent("computeIfPresent", (k, old) -> "new"));
        assertEquals("new", map.merge("merge", "new", (old, v) -> old + v));
        assertEquals("null+new", map.compute("compute", (k, old) -> old + "+new"));

        assertEquals(Map.of("putIfAbsent", "new", "computeIfAbsent", "new", "merge", "new",
                "compute", "null+new"), new HashMap<>(map));
        cache.cleanUp();
        assertEquals(4, map.size());
        assertEquals(9, listener.count(RemovalCause.EXPIRED), () -> listener.removals().toString());
        assertEquals(9, listener.size(), () -> listener.removals().toString());
    }

    @Test
    void computeFamilyNotifiesLikeTheCache() {
        cache.put("replaced", "old");
        cache.put("removed", "old");
        cache.put("merged", "old");
        map.compute("replaced", (k, old) -> old + "!");
        map.computeIfPresent("removed", (k, old) -> null);
        map.merge("merged", "x", (old, v) -> null);

        assertEquals(Map.of("replaced", "old!"), new HashMap<>(map));
        listener.assertExactly(
                removal("replaced", "old", RemovalCause.REPLACED),
                removal("removed", "old", RemovalCause.EXPLICIT),
                removal("merged", "old", RemovalCause.EXPLICIT));
    }

    @Test
    void iterationSkipsExpiredEntriesAndSupportsRemove() {
        cache.put("short", "1", Duration.ofSeconds(1));
        cache.put("a", "2");
        cache.put("b", "3");
        ticker.advance(Duration.ofSeconds(1));

        int seen = 0;
        for (Iterator<Map.Entry<String, String>> it = map.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            assertFalse(e.getKey().equals("short"), "iterated an expired entry");
            seen++;
            if (e.getKey().equals("a")) {
                it.remove();
            }
        }
        assertEquals(2, seen);
        assertEquals(Map.of("b", "3"), new HashMap<>(map));
        map.forEach((k, v) -> assertEquals("b", k));
        assertTrue(listener.removals().contains(removal("a", "2", RemovalCause.EXPLICIT)));
    }

    @Test
    void iterationToleratesConcurrentModificationAndVisitsEachOriginalKeyOnce() {
        for (int i = 0; i < 100; i++) {
            cache.put("k" + i, "v");
        }
        Map<String, Integer> visits = new HashMap<>();
        for (String key : map.keySet()) {
            visits.merge(key, 1, Integer::sum);
            if (key.startsWith("k")) {
                cache.remove(key);
                cache.put("n" + key, "v");
            }
        }
        // Weakly consistent: every key present at the start and not removed before it was reached
        // is returned exactly once; the keys added during iteration at most once.
        for (int i = 0; i < 100; i++) {
            assertEquals(1, visits.getOrDefault("k" + i, 0), "visits of k" + i);
            assertTrue(visits.getOrDefault("nk" + i, 0) <= 1, "visits of nk" + i);
        }
        assertEquals(100, cache.estimatedSize());
    }

    @Test
    void viewEqualsAnyMapWithTheSameLiveMappings() {
        cache.put("a", "1");
        cache.put("b", "2");
        cache.put("gone", "3", Duration.ofNanos(1));
        ticker.advance(1);
        cache.cleanUp();

        Map<String, String> expected = Map.of("a", "1", "b", "2");
        assertEquals(expected, map);
        assertEquals(map, expected);
        assertEquals(expected.hashCode(), map.hashCode());
        assertEquals(expected.keySet(), map.keySet());
        assertEquals(expected.entrySet(), map.entrySet());
        assertTrue(map.toString().contains("a=1"), map.toString());
        assertFalse(map.toString().contains("gone"), map.toString());
    }

    @Test
    void replaceAllRewritesEveryLiveValue() {
        cache.put("a", "1");
        cache.put("b", "2");
        map.replaceAll((k, v) -> k + v);
        assertEquals(Map.of("a", "a1", "b", "b2"), new HashMap<>(map));
        assertEquals(2, listener.count(RemovalCause.REPLACED));
    }
}
