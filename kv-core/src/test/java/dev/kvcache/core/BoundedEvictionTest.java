package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Caches bounded by size or weight stay within the bound and evict with the documented S3-FIFO policy. */
class BoundedEvictionTest {
    private final FakeTicker ticker = new FakeTicker();

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 2, 10, 100, 1000})
    void sizeStaysWithinTheBoundAfterEveryWriteAndAfterCleanUp(long maximumSize) {
        RecordingListener<Integer, Integer> listener = new RecordingListener<>();
        KvCache<Integer, Integer> cache = KvCache.builder()
                .ticker(ticker)
                .maximumSize(maximumSize)
                .removalListener(listener)
                .build();
        Random random = new Random(maximumSize);
        Set<Integer> written = new HashSet<>();
        long createdEntries = 0;
        for (int i = 0; i < 5_000; i++) {
            int key = random.nextInt(3_000);
            // No concurrent writer: the writing thread restores the bound before put returns.
            if (cache.asMap().put(key, key) == null) {
                createdEntries++;
            }
            written.add(key);
            assertTrue(cache.estimatedSize() <= maximumSize,
                    "size " + cache.estimatedSize() + " > " + maximumSize + " after write " + i);
        }
        cache.cleanUp();

        long live = written.stream().filter(k -> cache.getIfPresent(k) != null).count();
        assertTrue(live <= maximumSize, live + " live entries");
        assertEquals(live, cache.estimatedSize());
        assertEquals(live, cache.asMap().size());
        // Every created entry is either still live or was evicted once, by size.
        assertEquals(createdEntries - live, listener.count(RemovalCause.SIZE));
        assertEquals(createdEntries - live, listener.size() - listener.count(RemovalCause.REPLACED));
        if (maximumSize >= 10) {
            assertTrue(live >= maximumSize - 1, "evicted more than needed: " + live + " of " + maximumSize);
        }
        for (RecordingListener.Removal<Integer, Integer> r : listener.removals()) {
            assertEquals(r.key(), r.value());
        }
    }

    /**
     * The bound counts the entries the cache holds: once some are removed, as many new ones fit
     * without evicting anything (the builder: entries are evicted only when a write takes the cache
     * over the bound).
     */
    @Test
    void removedEntriesMakeRoomWithoutEvictingLiveOnes() {
        RecordingListener<Integer, Integer> listener = new RecordingListener<>();
        KvCache<Integer, Integer> cache = KvCache.builder()
                .ticker(ticker)
                .maximumSize(10)
                .removalListener(listener)
                .build();
        for (int i = 0; i < 10; i++) {
            cache.put(i, i);
        }
        for (int i = 5; i < 10; i++) {
            assertEquals(i, cache.remove(i));
        }
        for (int i = 10; i < 15; i++) {
            cache.put(i, i);
        }
        cache.cleanUp();

        assertEquals(0, listener.count(RemovalCause.SIZE), () -> "evicted within the bound: " + listener.removals());
        assertEquals(10, cache.estimatedSize());
        for (int i : new int[] {0, 1, 2, 3, 4, 10, 11, 12, 13, 14}) {
            assertEquals(i, cache.getIfPresent(i), "key " + i);
        }
    }

    /** A cache far below its bound, with put/remove churn, must never evict its long-lived entries. */
    @Test
    void putRemoveChurnFarBelowTheBoundEvictsNothing() {
        RecordingListener<String, Integer> listener = new RecordingListener<>();
        KvCache<String, Integer> cache = KvCache.builder()
                .ticker(ticker)
                .maximumSize(100)
                .removalListener(listener)
                .build();
        for (int i = 0; i < 5; i++) {
            cache.put("long-lived-" + i, i);
        }
        for (int i = 0; i < 1_000; i++) {
            cache.put("temporary", i);
            assertEquals(i, cache.remove("temporary"));
            assertTrue(cache.estimatedSize() <= 6);
        }
        cache.cleanUp();

        assertEquals(0, listener.count(RemovalCause.SIZE), () -> listener.count(RemovalCause.SIZE)
                + " evictions in a cache that never held more than 6 of 100 entries, e.g. "
                + listener.removals().stream().filter(r -> r.cause() == RemovalCause.SIZE).limit(5).toList());
        for (int i = 0; i < 5; i++) {
            assertEquals(i, cache.getIfPresent("long-lived-" + i));
        }
    }

    @Test
    void invalidatedEntriesMakeRoomWithoutEvictingLiveOnes() {
        RecordingListener<Integer, Integer> listener = new RecordingListener<>();
        KvCache<Integer, Integer> cache = KvCache.builder()
                .ticker(ticker)
                .maximumWeight(10, (Integer k, Integer v) -> 1)
                .removalListener(listener)
                .build();
        for (int i = 0; i < 10; i++) {
            cache.put(i, i);
        }
        cache.asMap().keySet().removeIf(k -> k >= 5);
        for (int i = 10; i < 15; i++) {
            cache.put(i, i);
        }
        cache.cleanUp();

        assertEquals(0, listener.count(RemovalCause.SIZE), () -> "evicted within the bound: " + listener.removals());
        assertEquals(10, cache.estimatedSize());
    }

    /**
     * The builder: the bound is restored before a write returns, or by the thread doing maintenance
     * as it finishes, so the overshoot is limited to the writes in flight; once every writer has
     * returned, none are, and the cache must be within its bound without a {@code cleanUp()}.
     */
    @Test
    void boundHoldsOnceConcurrentWritersHaveReturned() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            KvCache<Integer, Integer> cache = KvCache.builder().ticker(ticker).maximumSize(100).build();
            Thread[] writers = new Thread[4];
            for (int t = 0; t < writers.length; t++) {
                int base = t * 1_000_000;
                writers[t] = new Thread(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        cache.put(base + i, i);
                    }
                });
                writers[t].start();
            }
            for (Thread writer : writers) {
                writer.join();
            }
            assertTrue(cache.estimatedSize() <= 100, "round " + round + ": " + cache.estimatedSize()
                    + " entries after every writer returned, bound 100");
        }
    }

    /**
     * The builder: writers cannot outrun eviction. Two writers of distinct keys, and a third thread
     * sampling the size throughout: without back-pressure the writer that found the maintenance lock
     * taken left its entries to the other, whose drain ran slower than the inserts, and a 5 000-entry
     * cache held 49 000 to 794 000 entries. The allowance: 2 x 32 left to the holder, and the writes in
     * flight, with room for the sampler's sum over segments racing with evictions.
     */
    @Test
    void concurrentWritersCannotOutrunEviction() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            KvCache<Integer, Integer> cache = KvCache.<Integer, Integer>builder().maximumSize(5_000).build();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            long[] largest = new long[1];
            Thread sampler = new Thread(() -> {
                while (!done.get()) {
                    largest[0] = Math.max(largest[0], cache.estimatedSize());
                }
            });
            sampler.start();
            Thread[] writers = new Thread[2];
            for (int t = 0; t < writers.length; t++) {
                int base = t * 10_000_000;
                writers[t] = new Thread(() -> {
                    for (int k = base; k < base + 1_000_000; k++) {
                        cache.put(k, k);
                    }
                });
                writers[t].start();
            }
            for (Thread writer : writers) {
                writer.join();
            }
            done.set(true);
            sampler.join();
            assertTrue(largest[0] <= 5_000 + 2 * Maintenance.BACKLOG_LIMIT + 64,
                    "round " + round + ": " + largest[0] + " entries at most in a 5 000-entry cache");
        }
    }

    @Test
    void maximumSizeZeroKeepsNothing() {
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .maximumSize(0)
                .removalListener(listener)
                .build();
        cache.put("k", "v");
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
        assertNull(cache.getIfPresent("k"));
        listener.assertExactly(RecordingListener.removal("k", "v", RemovalCause.SIZE));
    }

    @Test
    void totalWeightStaysWithinTheBound() {
        int maximumWeight = 1_000;
        RecordingListener<Integer, String> listener = new RecordingListener<>();
        KvCache<Integer, String> cache = KvCache.builder()
                .ticker(ticker)
                .maximumWeight(maximumWeight, (Integer k, String v) -> v.length())
                .removalListener(listener)
                .build();
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            int key = random.nextInt(500);
            cache.put(key, "x".repeat(random.nextInt(60)));
            assertTrue(liveWeight(cache) <= maximumWeight, "weight " + liveWeight(cache) + " after write " + i);
        }
        cache.cleanUp();
        long weight = liveWeight(cache);
        assertTrue(weight <= maximumWeight, "weight " + weight);
        assertTrue(listener.count(RemovalCause.SIZE) > 0);
    }

    private static long liveWeight(KvCache<Integer, String> cache) {
        long weight = 0;
        for (String value : cache.asMap().values()) {
            weight += value.length();
        }
        return weight;
    }

    @Test
    void entryHeavierThanTheBoundIsEvicted() {
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .maximumWeight(10, (String k, String v) -> v.length())
                .removalListener(listener)
                .build();
        cache.put("small", "12345");
        cache.put("heavy", "x".repeat(11));
        cache.cleanUp();

        assertNull(cache.getIfPresent("heavy"));
        assertTrue(listener.removals().contains(
                RecordingListener.removal("heavy", "x".repeat(11), RemovalCause.SIZE)),
                () -> "notifications: " + listener.removals());
        assertEquals(listener.size(), listener.count(RemovalCause.SIZE));
        long liveWeight = cache.asMap().values().stream().mapToLong(String::length).sum();
        assertTrue(liveWeight <= 10);
    }

    @Test
    void zeroWeightEntriesNeverCountTowardsTheBound() {
        RecordingListener<Integer, String> listener = new RecordingListener<>();
        KvCache<Integer, String> cache = KvCache.builder()
                .ticker(ticker)
                .maximumWeight(5, (Integer k, String v) -> v.length())
                .removalListener(listener)
                .build();
        for (int i = 0; i < 100; i++) {
            cache.put(i, "");
        }
        cache.put(1_000, "12345");
        cache.cleanUp();

        assertEquals(101, cache.estimatedSize());
        listener.assertExactly();
    }

    @Test
    void overwritingWithAHeavierValueReweighs() {
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .maximumWeight(10, (String k, String v) -> v.length())
                .removalListener(listener)
                .build();
        cache.put("a", "1");
        cache.put("b", "1");
        cache.put("a", "123456789");
        cache.cleanUp();

        long liveWeight = cache.asMap().values().stream().mapToLong(String::length).sum();
        assertTrue(liveWeight <= 10, "weight " + liveWeight + " in " + cache.asMap());
        assertEquals(10, liveWeight, "nothing needed evicting: " + listener.removals());
        assertEquals(1, listener.count(RemovalCause.REPLACED));
    }

    /**
     * S3-FIFO's point: a key read again and again survives a stream of one-off keys a hundred times
     * the cache's size, which plain FIFO would evict after a hundred writes.
     */
    @Test
    void hotKeySurvivesAScanOfOneOffKeys() {
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .maximumSize(100)
                .build();
        cache.put("hot", "value");
        for (int i = 0; i < 10_000; i++) {
            cache.put("scan-" + i, "once");
            assertNotNull(cache.getIfPresent("hot"), "hot key evicted after " + i + " one-off keys");
        }
        cache.cleanUp();
        assertEquals("value", cache.getIfPresent("hot"));
        assertTrue(cache.estimatedSize() <= 100);
    }

    @Test
    void workingSetReadBetweenScansSurvives() {
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .maximumSize(100)
                .build();
        for (int h = 0; h < 20; h++) {
            cache.put("hot-" + h, "value");
            assertEquals("value", cache.getIfPresent("hot-" + h));
        }
        int misses = 0;
        int reads = 0;
        for (int i = 0; i < 10_000; i++) {
            cache.put("scan-" + i, "once");
            if (i % 5 == 0) {
                reads++;
                boolean[] loaded = new boolean[1];
                cache.get("hot-" + (i / 5) % 20, key -> {
                    loaded[0] = true;
                    return "value";
                });
                if (loaded[0]) {
                    misses++;
                }
            }
        }
        // Each hot key is read once per 100 one-off writes, the cache's whole size: under FIFO every
        // read would miss; S3-FIFO moves them to the main queue, which the one-off keys never enter.
        assertTrue(misses <= reads / 10, misses + " misses of " + reads + " hot reads");
        cache.cleanUp();
        long hotLive = cache.asMap().keySet().stream().filter(k -> k.startsWith("hot-")).count();
        assertTrue(hotLive >= 18, hotLive + " hot keys left");
    }
}
