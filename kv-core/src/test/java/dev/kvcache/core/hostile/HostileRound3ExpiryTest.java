package dev.kvcache.core.hostile;

import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.busyKeys;
import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.otherKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review, round 3, of 89af84f (b): "an expired node in a busy segment is filed again at the
 * current time". What becomes of a key re-written right after the compute ends, of a time-to-idle entry
 * kept alive by reads while its segment is held, and of a refresh of a key of a held segment.
 */
class HostileRound3ExpiryTest {
    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(70);

    private static <V> Thread holder(KvCache<Integer, V> cache, int key, V result, CountDownLatch in,
            CountDownLatch release) {
        return SegmentHolder.hold(cache, key, result, in, release);
    }

    /**
     * Entries of a held segment expire and are re-filed "at the current time" by passes; the compute ends
     * and each key is written again before any pass reclaims it. The new entries have a deadline 1 s away
     * ("From the instant the ticker reads the deadline or later, no read returns the entry" and the
     * converse: a live entry is returned): two ticks later, passes having run, every one must be present;
     * the old values notified EXPIRED (or REPLACED) once, the new ones not at all.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aKeyRewrittenAfterItsReFiledExpiredNodeIsNotReclaimedEarly(boolean bounded) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            FakeTicker ticker = new FakeTicker();
            Map<Integer, List<String>> notified = new ConcurrentHashMap<>();
            var b = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(1)).initialCapacity(10_000);
            if (bounded) {
                b = b.maximumSize(5_000);
            }
            KvCache<Integer, Integer> cache = b.<Integer, Integer>removalListener((k, v, c) ->
                    notified.computeIfAbsent(k, x -> new CopyOnWriteArrayList<>()).add(v + ":" + c)).build();
            List<Integer> busy = busyKeys(100, 1);
            List<Integer> others = otherKeys(3_000, 1);
            for (int k : busy) {
                cache.put(k, 1);
            }
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread h = holder(cache, busyKeys(1, 2_000_000).get(0), 1, in, release);
            assertTrue(in.await(10, TimeUnit.SECONDS));
            int next = 0;
            for (int step = 0; step < 20; step++) { // 1.4 s: the busy entries expire, passes re-file them
                ticker.advance(TICK);
                for (int j = 0; j < 50; j++) {
                    cache.put(others.get(next++), 0);
                }
            }
            release.countDown();
            h.join(10_000);
            for (int k : busy) {
                cache.put(k, 2);
            }
            List<Integer> lost = new ArrayList<>();
            for (int step = 0; step < 3; step++) {
                ticker.advance(TICK);
                for (int j = 0; j < 50; j++) {
                    cache.put(others.get(next++), 0);
                }
                cache.cleanUp();
            }
            for (int k : busy) {
                if (cache.getIfPresent(k) == null) {
                    lost.add(k);
                }
            }
            List<String> bad = new ArrayList<>();
            for (int k : busy) {
                List<String> n = notified.getOrDefault(k, List.of());
                if (n.size() != 1 || !n.get(0).startsWith("1:")) {
                    bad.add(k + "=" + n);
                }
            }
            assertTrue(lost.isEmpty() && bad.isEmpty(), "rewritten keys lost " + lost.size()
                    + " of 100; bad notifications " + bad.size() + " e.g. " + (bad.isEmpty() ? "" : bad.get(0)));
        });
    }

    /**
     * timeToIdle 1 s: "a read hit ... moves it to now + idle". An entry of a held segment read every tick
     * must stay live the whole time (3.5 s) although passes find its segment busy; once reads stop, it
     * expires and, the cache in use, is reclaimed within about idle + a tick.
     */
    @Test
    void anIdleEntryKeptAliveByReadsWhileItsSegmentIsHeldStaysLive() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            FakeTicker ticker = new FakeTicker();
            List<String> removed = new CopyOnWriteArrayList<>();
            KvCache<Integer, Integer> cache = KvCache.builder().ticker(ticker).timeToIdle(Duration.ofSeconds(1))
                    .initialCapacity(10_000).maximumSize(5_000)
                    .<Integer, Integer>removalListener((k, v, c) -> removed.add(k + ":" + c)).build();
            List<Integer> busy = busyKeys(20, 1);
            List<Integer> others = otherKeys(3_000, 1);
            for (int k : busy) {
                cache.put(k, 1);
            }
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            int hk = busyKeys(1, 2_000_000).get(0);
            Thread h = holder(cache, hk, 1, in, release);
            assertTrue(in.await(10, TimeUnit.SECONDS));
            int next = 0;
            List<String> missed = new ArrayList<>();
            for (int step = 0; step < 50; step++) {
                ticker.advance(TICK);
                for (int j = 0; j < 20; j++) {
                    cache.put(others.get(next++), 0);
                }
                for (int k : busy) {
                    if (cache.getIfPresent(k) == null) {
                        missed.add("step " + step + " key " + k);
                    }
                }
            }
            release.countDown();
            h.join(10_000);
            for (int step = 0; step < 5; step++) {
                ticker.advance(TICK);
                cache.put(others.get(next++), 0);
                for (int k : busy) {
                    if (cache.getIfPresent(k) == null) {
                        missed.add("after release step " + step + " key " + k);
                    }
                }
            }
            assertTrue(missed.isEmpty(), "read-kept idle entries lost: " + missed.size() + ", first "
                    + (missed.isEmpty() ? "" : missed.get(0)) + "; removals " + removed.subList(0, Math.min(5, removed.size())));
            for (int step = 0; step < 18; step++) { // 1.26 s without reads
                ticker.advance(TICK);
                cache.put(others.get(next++), 0);
            }
            int left = 0;
            for (int k : busy) {
                if (cache.asMap().containsKey(k)) {
                    left++;
                }
            }
            assertEquals(0, left, "idle entries still live after 1.26 s without reads");
        });
    }

    /**
     * LoadingCache.refresh of a key of a held segment: "The new value is stored ... when the loader returns
     * it"; the future is "of the key's value once the reload took effect". The future must not complete
     * before the value can be read; after the compute ends it completes with the new value, which get
     * then returns.
     */
    @Test
    void refreshOfAKeyOfAHeldSegment() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            AtomicInteger loads = new AtomicInteger();
            LoadingCache<Integer, Integer> cache = KvCache.builder().maximumSize(1_000).initialCapacity(10_000)
                    .<Integer, Integer>build(k -> loads.incrementAndGet());
            int key = busyKeys(1, 1).get(0);
            assertEquals(1, cache.get(key));
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread h = holder(cache, busyKeys(1, 2_000_000).get(0), 9, in, release);
            assertTrue(in.await(10, TimeUnit.SECONDS));
            CompletableFuture<Integer> f = cache.refresh(key);
            Thread.sleep(300);
            boolean doneWhileHeld = f.isDone();
            Integer readWhileHeld = cache.getIfPresent(key);
            Integer futureWhileHeld = doneWhileHeld ? f.getNow(null) : null;
            release.countDown();
            h.join(10_000);
            Integer v = f.get(10, TimeUnit.SECONDS);
            Integer after = cache.get(key);
            assertTrue((!doneWhileHeld || futureWhileHeld.equals(readWhileHeld)) && v == 2 && after == 2,
                    "done while held " + doneWhileHeld + " (future " + futureWhileHeld + ", read " + readWhileHeld
                            + "), future " + v + ", get after " + after + ", loads " + loads.get());
        });
    }
}
