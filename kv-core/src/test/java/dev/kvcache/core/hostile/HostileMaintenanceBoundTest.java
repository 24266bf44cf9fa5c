package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review, round 2, of b46d184: "Maintenance never waits for a compute function: while one holds
 * the lock of a victim's table segment, it evicts other entries and leaves that one for a later pass"
 * (KvCacheBuilder#maximumWeight), against "The bound is restored by the writing thread before its write
 * returns, unless another thread is doing the maintenance at that moment" and "under any number of
 * concurrent writers the cache holds at most about 64 entries ... beyond the bound, plus the writes in
 * flight".
 *
 * <p>Keys of one table segment: the docs say writes lock "one of several table segments"; the table
 * spreads hashes as ConcurrentHashMap does and picks the segment by the lowest bits (at most 256
 * segments), so Integer keys whose spread hash has its low 8 bits zero share a segment whatever the
 * segment count, and keys with a non-zero low nibble are never in it.
 */
class HostileMaintenanceBoundTest {

    static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /** n keys all in the segment of hash 0 (for any segment count up to 256). */
    static List<Integer> busyKeys(int n, int from) {
        List<Integer> keys = new ArrayList<>(n);
        for (int x = from; keys.size() < n; x++) {
            if ((spread(x) & 0xff) == 0 && x != 0) {
                keys.add(x);
            }
        }
        return keys;
    }

    /** n keys never in that segment. */
    static List<Integer> otherKeys(int n, int from) {
        List<Integer> keys = new ArrayList<>(n);
        for (int x = from; keys.size() < n; x++) {
            if ((spread(x) & 0xf) != 0) {
                keys.add(x);
            }
        }
        return keys;
    }

    /** A compute holding the busy segment until released; its function then returns or throws. */
    static final class Holder implements AutoCloseable {
        final CountDownLatch in = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Thread thread;

        Holder(KvCache<Integer, Integer> cache, int key, boolean throwAtEnd) throws InterruptedException {
            thread = new Thread(() -> {
                try {
                    cache.asMap().compute(key, (k, v) -> {
                        in.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        if (throwAtEnd) {
                            throw new IllegalStateException("compute gives up");
                        }
                        return v == null ? -1 : v;
                    });
                } catch (IllegalStateException expected) {
                    // the function's own throwable
                }
            }, "holder");
            thread.setDaemon(true);
            thread.start();
            assertTrue(in.await(10, TimeUnit.SECONDS), "holder entered its function");
        }

        void end() throws InterruptedException {
            release.countDown();
            thread.join(10_000);
            assertTrue(!thread.isAlive(), "holder ended");
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    /**
     * One writer, nothing else doing maintenance, a compute holding the segment of most of the
     * entries: "the bound is restored by the writing thread before its write returns". Every put
     * below has thousands of evictable entries of other segments (it evicts "other entries").
     * Failed on b46d184: a pass gives up after 16 busy victims (S3FifoPolicy.BUSY_SKIPS) although
     * evictable entries remain, so each put can return with the cache over its bound, and the excess
     * piles up (about one entry per 16 busy entries at the old end); fine on f124751 (the pass waited).
     */
    // Failed on b46d184: "a single writer's put returned over the bound by 125 (put #124)"; passes on f124751
    @Test
    void singleWriterRestoresTheBoundBeforeEachPutReturnsWhileAComputeHoldsASegment() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int bound = 2_000;
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(bound).initialCapacity(50_000).build();
            for (int k : busyKeys(bound, 1)) {
                cache.put(k, k); // the cache full of one segment's keys, all in the small queue
            }
            List<Integer> others = otherKeys(3_000, 1);
            long worst = 0;
            int worstAt = -1;
            try (Holder holder = new Holder(cache, busyKeys(1, 1_000_000).get(0), false)) {
                for (int i = 0; i < others.size(); i++) {
                    cache.put(others.get(i), i);
                    long size = cache.estimatedSize();
                    if (size - bound > worst) {
                        worst = size - bound;
                        worstAt = i;
                    }
                }
                long heldSize = cache.estimatedSize();
                holder.end();
                long afterSize = cache.estimatedSize();
                assertEquals(0, worst, "a single writer's put returned over the bound by " + worst
                        + " (put #" + worstAt + "); size with the compute still held " + heldSize
                        + ", after it ended " + afterSize + " (bound " + bound + ")");
            }
        });
    }

    /**
     * The compute's function throws when it ends ("changes nothing"): no write follows. Is the bound
     * restored once the compute ends, with no write in flight and no cleanUp? The docs promise the
     * writer restores it before returning, or the maintaining thread as it finishes; none is left.
     * Failed on b46d184 (the excess the busy skips left stays until some later write); f124751 never
     * exceeded it.
     */
    // Failed on b46d184 for throwAtEnd=true: "estimatedSize 2125, weightedSize 2125 over the bound 2000"; passes on f124751
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void boundRestoredOnceTheComputeEndsWithoutCleanUp(boolean throwAtEnd) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int bound = 2_000;
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(bound).initialCapacity(50_000).build();
            for (int k : busyKeys(bound, 1)) {
                cache.put(k, k);
            }
            List<Integer> others = otherKeys(1_000, 1);
            try (Holder holder = new Holder(cache, busyKeys(1, 1_000_000).get(0), throwAtEnd)) {
                for (int i = 0; i < others.size(); i++) {
                    cache.put(others.get(i), i);
                }
                holder.end();
            }
            long size = cache.estimatedSize();
            long weighted = cache.policy().weightedSize();
            assertTrue(size <= bound && weighted <= bound, "every writer and the compute returned, nothing in flight,"
                    + " no cleanUp: estimatedSize " + size + ", weightedSize " + weighted + " over the bound " + bound
                    + " (function " + (throwAtEnd ? "threw" : "returned") + ")");
        });
    }

    /**
     * Exactly-once accounting while busy victims are skipped, re-queued and evicted later: every key
     * written is either present or was notified once, SIZE only (no write replaced or removed any), and
     * evictionCount/evictionWeight equal the SIZE notifications. Held.
     */
    @Test
    void busySkippedVictimsAreNotifiedExactlyOnceAndCounted() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int bound = 500;
            Map<Integer, List<RemovalCause>> notified = new ConcurrentHashMap<>();
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(bound).initialCapacity(50_000).recordStats()
                    .<Integer, Integer>removalListener((k, v, c) ->
                            notified.computeIfAbsent(k, x -> new CopyOnWriteArrayList<>()).add(c))
                    .build();
            List<Integer> busy = busyKeys(800, 1);
            List<Integer> others = otherKeys(4_000, 1);
            for (int k : busy.subList(0, 400)) {
                cache.put(k, k);
            }
            int holderKey = busyKeys(1, 1_000_000).get(0);
            for (int round = 0; round < 3; round++) {
                try (Holder holder = new Holder(cache, holderKey, round == 1)) {
                    Thread[] writers = new Thread[2];
                    for (int w = 0; w < writers.length; w++) {
                        int first = round * 1_200 + w * 600;
                        writers[w] = new Thread(() -> {
                            for (int k : others.subList(first, first + 600)) {
                                cache.put(k, k);
                            }
                        });
                        writers[w].start();
                    }
                    for (Thread t : writers) {
                        t.join();
                    }
                    holder.end();
                }
                for (int k : busy.subList(400 + round * 100, 500 + round * 100)) {
                    cache.put(k, k); // the busy segment written again between rounds
                }
            }
            cache.cleanUp();
            List<Integer> written = new ArrayList<>(busy.subList(0, 700));
            written.addAll(others.subList(0, 3_600));
            // holderKey is left out of the per-key check: its compute overwrites it (REPLACED, documented)
            long size = SIZE_OR_FAIL(cache, bound);
            long sizeNotes = 0;
            for (int k : written) {
                List<RemovalCause> causes = notified.getOrDefault(k, List.of());
                boolean present = cache.policy().getIfPresentQuietly(k) != null;
                if (causes.size() > 1 || (present == !causes.isEmpty()) || causes.stream().anyMatch(c -> c != RemovalCause.SIZE)) {
                    fail("key " + k + " present=" + present + " notified " + causes);
                }
                sizeNotes += causes.size();
            }
            sizeNotes = notified.values().stream().flatMap(List::stream).filter(c -> c == RemovalCause.SIZE).count();
            CacheStats stats = cache.stats();
            assertEquals(sizeNotes, stats.evictionCount(), "evictionCount vs SIZE notifications");
            assertEquals(sizeNotes, stats.evictionWeight(), "evictionWeight vs SIZE notifications");
        });
    }

    private static long SIZE_OR_FAIL(KvCache<Integer, Integer> cache, int bound) {
        long size = cache.estimatedSize();
        assertTrue(size <= bound, "after cleanUp: " + size + " > " + bound);
        assertEquals(size, cache.asMap().size(), "estimatedSize exact after cleanUp");
        assertEquals(size, cache.policy().weightedSize(), "weightedSize exact after cleanUp");
        return size;
    }

    /**
     * Heavy concurrent writers of other segments while a compute function blocks for seconds: "under
     * any number of concurrent writers the cache holds at most about 64 entries beyond the bound, plus
     * the writes in flight" (2 writers here). Sampled by a third thread. Failed on b46d184 when the busy
     * segment's entries crowd the old end (the excess grows past 64 + writers); f124751 waited instead.
     */
    // Failed on b46d184: "largest size seen 5167 > bound 4000 + 64 + 2"; on f124751 writers instead wait for the compute (30 s)
    @Test
    void concurrentWritersStayWithin64OfTheBoundWhileAComputeBlocksForSeconds() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int bound = 4_000;
            KvCache<Integer, Integer> cache = KvCache.builder().maximumSize(bound).initialCapacity(100_000).build();
            for (int k : busyKeys(bound, 1)) {
                cache.put(k, k);
            }
            AtomicLong largest = new AtomicLong();
            List<Integer> others = otherKeys(40_000, 1);
            long start;
            try (Holder holder = new Holder(cache, busyKeys(1, 1_000_000).get(0), false)) {
                start = System.nanoTime();
                Thread[] writers = new Thread[2];
                AtomicLong slowest = new AtomicLong();
                for (int w = 0; w < writers.length; w++) {
                    int index = w;
                    writers[w] = new Thread(() -> {
                        for (int i = index; i < others.size(); i += 2) {
                            long t0 = System.nanoTime();
                            cache.put(others.get(i), i);
                            slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                            largest.accumulateAndGet(cache.estimatedSize(), Math::max);
                        }
                    }, "writer-" + w);
                    writers[w].setDaemon(true);
                    writers[w].start();
                }
                for (Thread t : writers) {
                    t.join(30_000);
                    assertTrue(!t.isAlive(), "writer hung while a compute blocks");
                }
                assertTrue(slowest.get() < TimeUnit.SECONDS.toNanos(1), "a put of another segment took "
                        + slowest.get() / 1_000_000 + " ms while a compute blocked");
                holder.end();
            }
            assertTrue(largest.get() <= bound + 64 + 2, "largest size seen " + largest.get() + " > bound " + bound
                    + " + 64 + 2 writers in flight (" + (System.nanoTime() - start) / 1_000_000 + " ms)");
        });
    }
}
