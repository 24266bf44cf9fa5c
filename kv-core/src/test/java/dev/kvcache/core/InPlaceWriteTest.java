package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9: a write of a live key updates its node in place (the table keeps the same node, nothing is
 * allocated, nothing more is filed in the timer wheel); a node that left the table is never revived.
 */
class InPlaceWriteTest {
    private static final int KEYS = 1_000;
    private static final int WRITES = 200_000;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unbounded", "bounded", "bounded with stats"})
    void overwritesOfLiveEntriesAllocateNothing(String configuration) throws ReflectiveOperationException {
        AllocationTest.AllocationCounter counter = AllocationTest.AllocationCounter.forCurrentThread();
        Assumptions.assumeTrue(counter != null, "needs HotSpot's per-thread allocation counter");
        FakeTicker ticker = new FakeTicker();
        KvCacheBuilder<Object, Object> builder = KvCache.builder().ticker(ticker).timeToLive(Duration.ofHours(1))
                .executor(task -> {}); // keep maintenance (which allocates its removals) off this thread
        if (!configuration.equals("unbounded")) {
            builder.maximumSize(10 * KEYS);
        }
        if (configuration.endsWith("stats")) {
            builder.recordStats();
        }
        KvCache<String, String> cache = builder.build();
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i;
            cache.put(keys[i], "value");
        }
        for (int i = 0; i < WRITES; i++) {
            cache.put(keys[i % KEYS], "value"); // warm up
        }
        long before = counter.allocatedBytes();
        for (int i = 0; i < WRITES; i++) {
            if (i % 1000 == 0) {
                ticker.advance(1_000); // deadlines move later, as they do under a real clock
            }
            cache.put(keys[i % KEYS], i % 2 == 0 ? "even" : "odd");
        }
        long allocated = counter.allocatedBytes() - before;
        // One 40-byte node per write would be 8 MB; allow the measurement's own few hundred bytes.
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated by " + WRITES + " overwrites");
        assertEquals("odd", cache.getIfPresent(keys[1]));
    }

    /** A reader that finds an entry at its deadline pins the expiry with a CAS, allocating nothing. */
    @Test
    void readersPinningExpiriesAllocateNothing() throws ReflectiveOperationException {
        AllocationTest.AllocationCounter counter = AllocationTest.AllocationCounter.forCurrentThread();
        Assumptions.assumeTrue(counter != null, "needs HotSpot's per-thread allocation counter");
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(1))
                .executor(task -> {}).build();
        int rounds = 200;
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i;
        }
        long allocated = 0;
        for (int round = 0; round < rounds; round++) {
            for (String key : keys) {
                cache.put(key, "v"); // inserts: a new node each, since the last round's expired
            }
            ticker.advance(Duration.ofSeconds(1).toNanos());
            long before = counter.allocatedBytes();
            for (String key : keys) {
                if (cache.getIfPresent(key) != null) {
                    throw new AssertionError(key + " read at its deadline");
                }
            }
            if (round >= rounds / 2) { // after warm-up
                allocated += counter.allocatedBytes() - before;
            }
        }
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated by " + (rounds / 2 * KEYS) + " pinning reads");
    }

    @Test
    void anOverwriteKeepsTheNodeAndFilesNothingMoreInTheWheel() {
        FakeTicker ticker = new FakeTicker();
        ExpiringCache<Integer, Integer> cache = (ExpiringCache<Integer, Integer>) KvCache.builder()
                .ticker(ticker).timeToLive(Duration.ofHours(1)).<Integer, Integer>build();
        for (int i = 0; i < KEYS; i++) {
            cache.put(i, i);
        }
        Node<Integer, Integer> first = cache.table.get(7, NodeTable.hash(7));
        for (int i = 0; i < 1_000_000; i++) {
            if (i % 10_000 == 0) {
                ticker.advance(Duration.ofMillis(10).toNanos());
            }
            cache.put(i % KEYS, i);
        }
        assertSame(first, cache.table.get(7, NodeTable.hash(7)), "an overwrite of a live entry keeps its node");
        assertEquals(KEYS, cache.retainedNodes(), "the wheel holds each live node once");
        assertEquals(999_007, cache.getIfPresent(7));
    }

    /** A shorter TTL gets a new node, so that the wheel, which files a node at or before its deadline, reclaims it on time. */
    @Test
    void anOverwriteWithAShorterTtlIsReclaimedAtItsOwnDeadline() {
        FakeTicker ticker = new FakeTicker();
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).removalListener(listener)
                .<String, String>build();
        cache.put("k", "long", Duration.ofHours(1));
        cache.put("k", "short", Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1).toNanos() - 1);
        assertEquals("short", cache.getIfPresent("k"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize(), "reclaimed at its own deadline, not the hour it replaced");
        listener.assertExactly(removal("k", "long", RemovalCause.REPLACED), removal("k", "short", RemovalCause.EXPIRED));
    }

    /** A weighted overwrite changes the entry's weight in place: the policy must count the new one. */
    @Test
    void aWeightedOverwriteTellsThePolicyItsNewWeight() {
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker())
                .<String, String>maximumWeight(10, (k, v) -> v.length()).removalListener(listener).build();
        cache.put("a", "xx");
        cache.put("b", "yyy");
        cache.cleanUp();
        assertEquals(5, cache.policy().weightedSize());
        cache.put("a", "xxxxxx"); // 2 -> 6
        cache.cleanUp();
        assertEquals(9, cache.policy().weightedSize());
        listener.assertExactly(removal("a", "xx", RemovalCause.REPLACED));
        cache.put("a", "xxxxxxxx"); // 6 -> 8: 11 > 10, so something must go
        cache.cleanUp();
        assertTrue(cache.policy().weightedSize() <= 10, "weighted size " + cache.policy().weightedSize());
        cache.put("a", "x"); // shrink below the bound again
        cache.cleanUp();
        long live = cache.asMap().values().stream().mapToInt(String::length).sum();
        assertEquals(live, cache.policy().weightedSize(), "the policy counts exactly the live weights");
    }

    /** A node that was removed is never revived: writing the key again links a new node. */
    @Test
    void aRemovedOrExpiredNodeIsNeverRevived() {
        FakeTicker ticker = new FakeTicker();
        ExpiringCache<String, String> cache = (ExpiringCache<String, String>) KvCache.builder()
                .ticker(ticker).timeToLive(Duration.ofSeconds(1)).<String, String>build();
        cache.put("k", "1");
        Node<String, String> first = cache.table.get("k", NodeTable.hash("k"));
        cache.remove("k");
        cache.put("k", "2");
        Node<String, String> second = cache.table.get("k", NodeTable.hash("k"));
        assertTrue(first != second && first.isRetired(), "removed node reused");
        ticker.advance(Duration.ofSeconds(1).toNanos());
        assertNull(cache.getIfPresent("k")); // pins the expiry
        cache.put("k", "3");
        assertTrue(cache.table.get("k", NodeTable.hash("k")) != second, "expired node reused");
        assertEquals("3", cache.getIfPresent("k"));
        assertNull(first.valueOpaque(), "a removed node keeps no value alive");
    }
}
