package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each operation of {@link KvCache} on live entries, one at a time. */
class BasicOperationsTest {
    private static final Duration TTL = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(TTL)
            .removalListener(listener)
            .build();

    @Test
    void newCacheIsEmpty() {
        assertEquals(0, cache.estimatedSize());
        assertNull(cache.getIfPresent("k"));
        assertNull(cache.getEntryIfPresent("k"));
        assertTrue(cache.asMap().isEmpty());
    }

    @Test
    void putThenGetIfPresent() {
        cache.put("k", "v");
        assertEquals("v", cache.getIfPresent("k"));
        assertNull(cache.getIfPresent("other"));
        assertEquals(1, cache.estimatedSize());
    }

    @Test
    void getIfPresentUsesKeyEquality() {
        cache.put(new String("key"), "v");
        assertEquals("v", cache.getIfPresent(new String("key")));
    }

    @Test
    void putReplacesTheValue() {
        cache.put("k", "v1");
        cache.put("k", "v2");
        assertEquals("v2", cache.getIfPresent("k"));
        assertEquals(1, cache.estimatedSize());
        listener.assertExactly(removal("k", "v1", RemovalCause.REPLACED));
    }

    @Test
    void putWithTtlStoresTheValue() {
        cache.put("k", "v", Duration.ofSeconds(3));
        assertEquals("v", cache.getIfPresent("k"));
        assertEquals(Duration.ofSeconds(3), cache.getEntryIfPresent("k").expiresIn());
    }

    @Test
    void getEntryIfPresentIsAReadOnlySnapshot() {
        cache.put("k", "v1");
        CacheEntry<String, String> entry = cache.getEntryIfPresent("k");
        cache.put("k", "v2");

        assertEquals("k", entry.getKey());
        assertEquals("v1", entry.getValue());
        assertThrows(UnsupportedOperationException.class, () -> entry.setValue("x"));
        assertEquals(Map.entry("k", "v1"), entry);
        assertEquals(entry, Map.entry("k", "v1"));
        assertEquals(Map.entry("k", "v1").hashCode(), entry.hashCode());
        assertTrue(entry.toString().startsWith("k=v1"), entry.toString());
        assertEquals("v2", cache.getEntryIfPresent("k").getValue());
    }

    @Test
    void putIfAbsentStoresOnlyWhenAbsent() {
        assertNull(cache.putIfAbsent("k", "v1"));
        assertEquals("v1", cache.putIfAbsent("k", "v2"));
        assertEquals("v1", cache.getIfPresent("k"));
        listener.assertExactly();
    }

    @Test
    void putIfAbsentWithTtlStoresOnlyWhenAbsent() {
        assertNull(cache.putIfAbsent("k", "v1", Duration.ofSeconds(2)));
        assertEquals(Duration.ofSeconds(2), cache.getEntryIfPresent("k").expiresIn());
        assertEquals("v1", cache.putIfAbsent("k", "v2", Duration.ofSeconds(5)));
        assertEquals(Duration.ofSeconds(2), cache.getEntryIfPresent("k").expiresIn());
        assertEquals("v1", cache.getIfPresent("k"));
    }

    @Test
    void replaceOnlyReplacesALiveEntry() {
        assertNull(cache.replace("k", "v1"));
        assertNull(cache.getIfPresent("k"));
        cache.put("k", "v1");
        assertEquals("v1", cache.replace("k", "v2"));
        assertEquals("v2", cache.getIfPresent("k"));
    }

    @Test
    void conditionalReplaceComparesWithEquals() {
        cache.put("k", "v1");
        assertFalse(cache.replace("k", "other", "v2"));
        assertEquals("v1", cache.getIfPresent("k"));
        assertTrue(cache.replace("k", new String("v1"), "v2"));
        assertEquals("v2", cache.getIfPresent("k"));
        assertFalse(cache.replace("absent", "v1", "v2"));
        assertNull(cache.getIfPresent("absent"));
    }

    @Test
    void conditionalReplaceWithTtl() {
        cache.put("k", "v1");
        assertFalse(cache.replace("k", "other", "v2", Duration.ofSeconds(1)));
        assertEquals(TTL, cache.getEntryIfPresent("k").expiresIn());
        assertTrue(cache.replace("k", "v1", "v2", Duration.ofSeconds(1)));
        assertEquals("v2", cache.getIfPresent("k"));
        assertEquals(Duration.ofSeconds(1), cache.getEntryIfPresent("k").expiresIn());
        assertFalse(cache.replace("absent", "v1", "v2", Duration.ofSeconds(1)));
    }

    @Test
    void removeReturnsTheRemovedValue() {
        cache.put("k", "v");
        assertEquals("v", cache.remove("k"));
        assertNull(cache.getIfPresent("k"));
        assertNull(cache.remove("k"));
        assertNull(cache.remove("never-there"));
        assertEquals(0, cache.estimatedSize());
    }

    @Test
    void conditionalRemoveComparesWithEquals() {
        cache.put("k", "v");
        assertFalse(cache.remove("k", "other"));
        assertEquals("v", cache.getIfPresent("k"));
        assertTrue(cache.remove("k", new String("v")));
        assertNull(cache.getIfPresent("k"));
        assertFalse(cache.remove("k", "v"));
    }

    @Test
    void invalidateAllEmptiesTheCache() {
        for (int i = 0; i < 100; i++) {
            cache.put("k" + i, "v" + i);
        }
        cache.invalidateAll();
        assertEquals(0, cache.estimatedSize());
        for (int i = 0; i < 100; i++) {
            assertNull(cache.getIfPresent("k" + i));
        }
        assertEquals(100, listener.count(RemovalCause.EXPLICIT));
        cache.put("k0", "again");
        assertEquals("again", cache.getIfPresent("k0"));
    }

    @Test
    void estimatedSizeCountsEntriesExactlyWithoutConcurrentWrites() {
        for (int i = 0; i < 1_000; i++) {
            cache.put("k" + i, "v");
            assertEquals(i + 1, cache.estimatedSize());
        }
        for (int i = 0; i < 1_000; i += 2) {
            cache.remove("k" + i);
        }
        assertEquals(500, cache.estimatedSize());
        cache.cleanUp();
        assertEquals(500, cache.estimatedSize());
        assertEquals(500, cache.asMap().size());
    }

    @Test
    void cleanUpOnALiveCacheChangesNothing() {
        cache.put("k", "v");
        cache.cleanUp();
        cache.cleanUp();
        assertEquals("v", cache.getIfPresent("k"));
        assertEquals(1, cache.estimatedSize());
        listener.assertExactly();
    }

    @Test
    void closeIsIdempotentAndTheCacheStaysUsable() {
        cache.put("k", "v");
        cache.close();
        cache.close();
        assertEquals("v", cache.getIfPresent("k"));
        cache.put("k2", "v2");
        assertEquals("v2", cache.getIfPresent("k2"));
        ticker.advance(TTL);
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
        assertEquals(2, listener.count(RemovalCause.EXPIRED));
    }

    @Test
    void worksInTryWithResources() {
        try (KvCache<String, String> scoped = KvCache.builder().ticker(ticker).build()) {
            scoped.put("k", "v");
            assertEquals("v", scoped.getIfPresent("k"));
        }
    }

    @Test
    void asMapIsTheSameInstance() {
        assertSame(cache.asMap(), cache.asMap());
    }

    @Test
    void manyKeysSurviveGrowth() {
        KvCache<Integer, Integer> small = KvCache.builder().ticker(ticker).initialCapacity(0).build();
        for (int i = 0; i < 100_000; i++) {
            small.put(i, -i);
        }
        for (int i = 0; i < 100_000; i++) {
            assertEquals(-i, small.getIfPresent(i));
        }
        assertEquals(100_000, small.estimatedSize());
    }

    @Test
    void keysWithCollidingHashesStayDistinct() {
        KvCache<CollidingKey, Integer> colliding = KvCache.builder().ticker(ticker).build();
        for (int i = 0; i < 200; i++) {
            colliding.put(new CollidingKey(i), i);
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(i, colliding.getIfPresent(new CollidingKey(i)));
        }
        for (int i = 0; i < 200; i += 2) {
            assertEquals(i, colliding.remove(new CollidingKey(i)));
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(i % 2 == 0 ? null : i, colliding.getIfPresent(new CollidingKey(i)));
        }
        assertEquals(100, colliding.estimatedSize());
    }

    /** A key whose instances all share one hash code, to force collisions. */
    private record CollidingKey(int id) {
        @Override
        public int hashCode() {
            return 42;
        }
    }
}
