package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Hostile review of the one-load hit (Node "The plain hit needs one load of the word") and of the
 * writers' spin-then-block segment lock (Segment.lockForWrite). A plain getIfPresent returns the value
 * it loaded after one load of the deadline word, and on a live word with a null value (a removal or a
 * replacement cleared it) loads the word again. These pin what that must keep: a key that is never
 * absent is never missed, whatever replaces its value (in place, by a new node for a shorter TTL, by a
 * TTL change, a compute, a view's replace), and one reader never sees a single writer's values go
 * backwards (no stale node's value after a newer one). Bounded: about a second per configuration.
 */
class HostileOneLoadHitTest {

    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(700);

    private static List<Supplier<KvCache<Integer, Long>>> configurations(FakeTicker ticker) {
        Duration ttl = Duration.ofMinutes(10);
        return List.of(
                () -> KvCache.<Integer, Long>builder().ticker(ticker).timeToLive(ttl).build(), // the one-load path
                () -> KvCache.<Integer, Long>builder().ticker(ticker).build(), // never expiring, one-load path
                () -> KvCache.<Integer, Long>builder().ticker(ticker).timeToLive(ttl).recordStats().build(),
                () -> KvCache.<Integer, Long>builder().ticker(ticker).timeToLive(ttl).maximumSize(1_000).build(),
                () -> KvCache.<Integer, Long>builder().ticker(ticker).timeToLive(ttl).timeToIdle(Duration.ofMinutes(5)).build());
    }

    @Test
    void aKeyNeverAbsentIsNeverMissedAndItsValuesNeverGoBackwards() throws Exception {
        FakeTicker ticker = new FakeTicker();
        int config = 0;
        for (Supplier<KvCache<Integer, Long>> build : configurations(ticker)) {
            KvCache<Integer, Long> cache = build.get();
            String name = "configuration " + config++;
            long[] counter = {1};
            long written = counter[0];
            cache.put(1, written);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicInteger reads = new AtomicInteger();
            Runnable reader = () -> {
                long last = 0;
                int n = 0;
                while (!stop.get() && failure.get() == null) {
                    Long v = cache.getIfPresent(1);
                    n++;
                    if (v == null) {
                        failure.compareAndSet(null, name + ": a key never absent was missed after " + n + " reads");
                    } else if (v < last) {
                        failure.compareAndSet(null, name + ": read " + v + " after " + last + " (one writer, increasing)");
                    } else {
                        last = v;
                    }
                }
                reads.addAndGet(n);
            };
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(reader, "reader-" + i);
                readers.add(t);
                t.start();
            }
            long end = System.nanoTime() + RUN_NANOS;
            int step = 0;
            while (System.nanoTime() < end && failure.get() == null) {
                long next = ++counter[0];
                int kind = step++ % 8;
                if (kind != 5 && kind != 7) {
                    written = next;
                }
                switch (kind) {
                    case 0 -> cache.put(1, next); // in place (same or later deadline)
                    case 1 -> cache.put(1, next, Duration.ofSeconds(30)); // shorter: a new node replaces it
                    case 2 -> cache.put(1, next, Duration.ofMinutes(20)); // longer: in place
                    case 3 -> cache.asMap().compute(1, (k, old) -> next); // the compute path
                    case 4 -> cache.asMap().replace(1, next); // a view's write
                    case 5 -> cache.setTimeToLive(1, Duration.ofSeconds(1)); // shorter TTL, same value: new node
                    case 6 -> cache.replace(1, next); // in place
                    default -> cache.touch(1); // the default TTL again: a new node if shorter
                }
            }
            stop.set(true);
            for (Thread t : readers) {
                t.join(TimeUnit.SECONDS.toMillis(10));
                assertTrue(!t.isAlive(), name + ": a reader is stuck");
            }
            assertNull(failure.get(), failure.get());
            assertTrue(reads.get() > 0, name);
            assertEquals(written, cache.getIfPresent(1), name);
            cache.close();
        }
    }

    /**
     * A writer whose compute function throws while other writers of the same segment spin (and then
     * block) on its lock: the lock is released, the waiting writers all complete, and the entry holds
     * the last of their values, not the function's. Bounded: the waiters are joined with a timeout.
     */
    @Test
    void aComputeThatThrowsReleasesTheSegmentToTheWritersSpinningOnIt() throws Exception {
        KvCache<Integer, Long> cache = KvCache.<Integer, Long>builder().ticker(new FakeTicker()).build();
        cache.put(1, 0L);
        CountDownLatch inFunction = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread computing = new Thread(() -> {
            try {
                cache.asMap().compute(1, (k, old) -> {
                    inFunction.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("the function fails");
                });
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        computing.start();
        assertTrue(inFunction.await(10, TimeUnit.SECONDS));
        AtomicInteger done = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long value = 100 + i;
            Thread w = new Thread(() -> {
                cache.put(1, value);
                done.incrementAndGet();
            });
            writers.add(w);
            w.start();
        }
        // An interrupted waiter keeps waiting (lock(), not lockInterruptibly()) and completes its write.
        writers.get(0).interrupt();
        assertEquals(0, done.get(), "the writers wait for the segment while the function runs");
        assertEquals(0L, cache.getIfPresent(1), "reads are not blocked by the held segment");
        release.countDown();
        computing.join(10_000);
        for (Thread w : writers) {
            w.join(10_000);
            assertTrue(!w.isAlive(), "a writer never got the segment after the compute threw");
        }
        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
        assertEquals(3, done.get());
        Long last = cache.getIfPresent(1);
        assertTrue(last != null && last >= 100 && last <= 102, String.valueOf(last));
    }

    /**
     * The one-load hit at the expiry boundary: a single writer reads the fake ticker, writes the key
     * with a TTL of 1 to 4 ns (shorter than the last: a new node; longer: in place) whose value is the
     * deadline it gives, then advances the ticker. Only the writer moves the ticker, so a value is its
     * entry's exact deadline; a reader that read the ticker at {@code r} before its getIfPresent must
     * get null or a value above {@code r} (live at its own, later, clock reading), for every
     * configuration. Bounded: about 700 ms each.
     */
    @Test
    void aHitIsNeverPastItsDeadlineAtTheBoundary() throws Exception {
        FakeTicker ticker = new FakeTicker();
        int config = 0;
        for (Supplier<KvCache<Integer, Long>> build : configurations(ticker)) {
            KvCache<Integer, Long> cache = build.get();
            String name = "configuration " + config++;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicInteger hits = new AtomicInteger();
            Runnable reader = () -> {
                int n = 0;
                while (!stop.get() && failure.get() == null) {
                    long r = ticker.read();
                    Long v = cache.getIfPresent(1);
                    if (v != null) {
                        n++;
                        if (v <= r) {
                            failure.compareAndSet(null, name + ": returned the value with deadline " + v
                                    + " after reading the ticker at " + r);
                        }
                    }
                }
                hits.addAndGet(n);
            };
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(reader, "reader-" + i);
                readers.add(t);
                t.start();
            }
            long end = System.nanoTime() + RUN_NANOS;
            java.util.Random random = new java.util.Random(config);
            while (System.nanoTime() < end && failure.get() == null) {
                long ttl = 1 + random.nextInt(4);
                long t = ticker.read();
                cache.put(1, t + ttl, Duration.ofNanos(ttl));
                if (random.nextInt(4) == 0) {
                    Thread.onSpinWait(); // sometimes leave the readers time to hit before the clock moves
                } else {
                    ticker.advance(1);
                }
            }
            stop.set(true);
            for (Thread t : readers) {
                t.join(TimeUnit.SECONDS.toMillis(10));
                assertTrue(!t.isAlive(), name + ": a reader is stuck");
            }
            assertNull(failure.get(), failure.get());
            assertTrue(hits.get() > 0, name + ": no hit at all, the race tested nothing");
            cache.close();
        }
    }

    /**
     * The one-load hit under bounded eviction: a cache of at most 4 entries, one writer putting 16 keys
     * in turn with increasing values tagged by key (key * 2^32 + counter), so entries are evicted and
     * their keys written again as new nodes all the time. A reader must never get another key's value,
     * and never a key's value older than one it already got (an evicted node's value after a newer
     * node's). Bounded: about 700 ms.
     */
    @Test
    void underEvictionAHitIsItsKeysAndNeverGoesBackwards() throws Exception {
        KvCache<Integer, Long> cache = KvCache.<Integer, Long>builder().ticker(new FakeTicker()).maximumSize(4).build();
        int keys = 16;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger hits = new AtomicInteger();
        Runnable reader = () -> {
            long[] last = new long[keys];
            int n = 0;
            java.util.Random random = new java.util.Random();
            while (!stop.get() && failure.get() == null) {
                int key = random.nextInt(keys);
                Long v = cache.getIfPresent(key);
                if (v == null) {
                    continue;
                }
                n++;
                if (v >>> 32 != key) {
                    failure.compareAndSet(null, "key " + key + " returned key " + (v >>> 32) + "'s value");
                } else if (v < last[key]) {
                    failure.compareAndSet(null, "key " + key + " returned " + (v & 0xffffffffL) + " after "
                            + (last[key] & 0xffffffffL));
                } else {
                    last[key] = v;
                }
            }
            hits.addAndGet(n);
        };
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(reader, "reader-" + i);
            readers.add(t);
            t.start();
        }
        long end = System.nanoTime() + RUN_NANOS;
        long counter = 0;
        while (System.nanoTime() < end && failure.get() == null) {
            counter++;
            int key = (int) (counter % keys);
            cache.put(key, ((long) key << 32) | counter);
        }
        stop.set(true);
        for (Thread t : readers) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(!t.isAlive(), "a reader is stuck");
        }
        assertNull(failure.get(), failure.get());
        assertTrue(hits.get() > 0, "no hit at all, the race tested nothing");
        cache.cleanUp();
        assertTrue(cache.estimatedSize() <= 4, "size " + cache.estimatedSize());
        cache.close();
    }
}
