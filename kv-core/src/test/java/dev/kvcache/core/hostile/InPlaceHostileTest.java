package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** In-place overwrites seen by lock-free readers: no torn value/deadline, no stale value past its deadline, exact notifications. */
class InPlaceHostileTest {

    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);

    /** A value and the TTL it was written with must be read together: "short" always with <= 1000 ns, "long" never expiring. */
    @Test
    void readersNeverSeeATornValueAndDeadline() throws Exception {
        FakeTicker ticker = new FakeTicker();
        for (boolean bounded : new boolean[] {false, true}) {
            var b = KvCache.builder().ticker(ticker);
            if (bounded) {
                b.maximumSize(100);
            }
            KvCache<String, String> cache = b.build();
            cache.put("k", "long", KvCache.NEVER);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread writer = new Thread(() -> {
                await(start);
                while (!stop.get()) {
                    cache.put("k", "short", Duration.ofNanos(1_000));
                    cache.put("k", "long", KvCache.NEVER);
                    cache.asMap().replace("k", "long", "long");
                    cache.setTimeToLive("k", Duration.ofNanos(500)); // "long" with 500: allowed below
                    cache.setTimeToLive("k", KvCache.NEVER);
                }
            });
            Thread reader = new Thread(() -> {
                await(start);
                while (!stop.get()) {
                    CacheEntry<String, String> e = cache.getEntryIfPresent("k");
                    if (e == null) {
                        failure.compareAndSet(null, "entry vanished though never removed nor expired");
                    } else if (e.getValue().equals("short") && e.expiresInNanos() > 1_000) {
                        failure.compareAndSet(null, "short with " + e.expiresInNanos());
                    } else if (e.getValue().equals("long") && e.expires() && e.expiresInNanos() != 500) {
                        failure.compareAndSet(null, "long with " + e.expiresInNanos());
                    }
                }
            });
            writer.start();
            reader.start();
            start.countDown();
            long end = System.nanoTime() + RUN_NANOS / 2;
            while (System.nanoTime() < end && failure.get() == null) {
                Thread.sleep(10);
            }
            stop.set(true);
            writer.join();
            reader.join();
            assertNull(failure.get(), (bounded ? "bounded: " : "unbounded: ") + failure.get());
        }
    }

    /**
     * The ticker moves only on the writer's thread: "s@t" is written at t with a 1 ns TTL, so from tick t+1 on no read
     * may return it, even before the next overwrite lands.
     */
    @Test
    void noReadReturnsAValuePastItsDeadline() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, Long> cache = KvCache.builder().ticker(ticker).maximumSize(1000).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            await(start);
            while (!stop.get()) {
                long t = ticker.read();
                cache.put("k", t, Duration.ofNanos(1));
                ticker.advance(1);
                cache.put("k", -1L, Duration.ofNanos(1)); // a different value for the new tick
                ticker.advance(1);
            }
        });
        Thread[] readers = new Thread[2];
        for (int i = 0; i < readers.length; i++) {
            readers[i] = new Thread(() -> {
                await(start);
                while (!stop.get()) {
                    long before = ticker.read();
                    Long v = (ThreadLocalRandom.current().nextBoolean()) ? cache.getIfPresent("k") : cache.asMap().get("k");
                    if (v != null && v >= 0 && before >= v + 1) {
                        failure.compareAndSet(null, "read at " + before + " returned the value whose deadline was " + (v + 1));
                    }
                }
            });
            readers[i].start();
        }
        writer.start();
        start.countDown();
        long end = System.nanoTime() + RUN_NANOS;
        while (System.nanoTime() < end && failure.get() == null) {
            Thread.sleep(10);
        }
        stop.set(true);
        writer.join();
        for (Thread r : readers) {
            r.join();
        }
        assertNull(failure.get());
    }

    /**
     * Conservation: racing puts, replaces and removes of a few keys; every value ever stored is notified exactly once
     * (REPLACED when overwritten, EXPLICIT when removed), with its own key, once the cache is invalidated at the end.
     */
    @Test
    void everyStoredValueIsNotifiedExactlyOnce() throws Exception {
        ConcurrentLinkedQueue<String[]> notes = new ConcurrentLinkedQueue<>();
        KvCache<Integer, String> cache = KvCache.builder().maximumSize(1_000)
                .<Integer, String>removalListener((k, v, c) -> notes.add(new String[] {String.valueOf(k), v, c.name()}))
                .build();
        int threads = 3;
        Map<String, Integer> stored = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        long end = System.nanoTime() + RUN_NANOS;
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                await(start);
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long n = 0;
                while (System.nanoTime() < end) {
                    int key = rnd.nextInt(4);
                    String v = id + ":" + (n++);
                    switch (rnd.nextInt(6)) {
                        case 0, 1 -> { cache.put(key, v); stored.put(v, key); }
                        case 2 -> { if (cache.asMap().putIfAbsent(key, v) == null) { stored.put(v, key); } }
                        case 3 -> { if (cache.replace(key, v) != null) { stored.put(v, key); } }
                        case 4 -> cache.remove(key);
                        default -> { cache.put(key, v, Duration.ofHours(1)); stored.put(v, key); }
                    }
                }
            });
            ts.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : ts) {
            th.join();
        }
        cache.invalidateAll();
        cache.cleanUp();
        Map<String, Integer> seen = new HashMap<>();
        for (String[] n : notes) {
            Integer key = stored.get(n[1]);
            assertTrue(key != null, "notified a value never stored: " + n[1]);
            assertEquals(String.valueOf(key), n[0], "wrong key for " + n[1]);
            assertTrue(n[2].equals(RemovalCause.REPLACED.name()) || n[2].equals(RemovalCause.EXPLICIT.name()), n[2]);
            assertNull(seen.put(n[1], 1), "notified twice: " + n[1]);
        }
        assertEquals(stored.size(), seen.size(), "values stored but never notified (lost or still live after invalidateAll)");
        assertEquals(0, cache.estimatedSize());
    }

    /**
     * No resurrection: once remove(k) of value i returned, no read that starts afterwards returns value i or older, even
     * with timeToIdle readers moving the deadline by CAS while the writer removes and re-puts.
     */
    @Test
    void aRemovedValueIsNeverReadAgain() throws Exception {
        for (int config = 0; config < 3; config++) {
            FakeTicker ticker = new FakeTicker();
            var b = KvCache.builder().ticker(ticker);
            if (config == 0) {
                b.timeToIdle(Duration.ofNanos(6_400));
            } else if (config == 1) {
                b.timeToIdle(Duration.ofNanos(6_400)).maximumSize(50);
            } else {
                b.maximumWeight(1_000, (k, v) -> 1 + (int) (((Long) v) & 3));
            }
            KvCache<String, Long> cache = b.build();
            java.util.concurrent.atomic.AtomicLong removedUpTo = new java.util.concurrent.atomic.AtomicLong(-1);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread writer = new Thread(() -> {
                await(start);
                for (long i = 0; !stop.get(); i++) {
                    cache.put("k", i);
                    ticker.advance(200);
                    cache.put("k", i); // an in-place overwrite with an equal value
                    if (cache.remove("k") == null) {
                        failure.compareAndSet(null, "remove found no value " + i);
                    }
                    removedUpTo.set(i);
                }
            });
            Thread[] readers = new Thread[2];
            for (int r = 0; r < readers.length; r++) {
                readers[r] = new Thread(() -> {
                    await(start);
                    while (!stop.get()) {
                        long removed = removedUpTo.get();
                        Long v = cache.getIfPresent("k");
                        if (v != null && v <= removed) {
                            failure.compareAndSet(null, "read " + v + " after its removal (removed up to " + removed + ")");
                        }
                    }
                });
                readers[r].start();
            }
            writer.start();
            start.countDown();
            long end = System.nanoTime() + RUN_NANOS / 3;
            while (System.nanoTime() < end && failure.get() == null) {
                Thread.sleep(10);
            }
            stop.set(true);
            writer.join();
            for (Thread r : readers) {
                r.join();
            }
            assertNull(failure.get(), "config " + config + ": " + failure.get());
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
