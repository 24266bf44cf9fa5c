package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Single-key operations are atomic: racing conditional writes have exactly one winner. */
class AtomicityTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 300;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(Duration.ofSeconds(10))
            .maximumSize(1_000)
            .removalListener(listener)
            .build();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Runs {@code task(i)} on every thread at once; returns the results in thread order. */
    private <T> List<T> race(IntFunction<Callable<T>> task) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Callable<T> body = task.apply(i);
            futures.add(pool.submit(() -> {
                start.await();
                return body.call();
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(10, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void racingPutIfAbsentHasOneWinnerWhomTheOthersSee() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String key = "absent-" + round;
            List<String> results = race(i -> () -> cache.putIfAbsent(key, "v" + i));
            String winner = cache.getIfPresent(key);
            assertEquals(1, results.stream().filter(r -> r == null).count(), "round " + round + ": " + results);
            for (int i = 0; i < THREADS; i++) {
                assertEquals(results.get(i) == null ? null : winner, results.get(i));
                if (results.get(i) == null) {
                    assertEquals("v" + i, winner);
                }
            }
        }
    }

    @Test
    void racingPutIfAbsentOnAnExpiredEntryHasOneWinnerAndOneExpiry() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String key = "expired-" + round;
            cache.put(key, "old", Duration.ofNanos(1));
            ticker.advance(1);
            List<String> results = race(i -> () -> cache.putIfAbsent(key, "v" + i));
            assertEquals(1, results.stream().filter(r -> r == null).count(), "round " + round + ": " + results);
        }
        cache.cleanUp();
        assertEquals(ROUNDS, listener.count(RemovalCause.EXPIRED), () -> listener.removals().toString());
        assertEquals(ROUNDS, listener.size());
    }

    @Test
    void racingCompareAndSetHasOneWinner() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String key = "cas-" + round;
            cache.put(key, "old");
            List<Boolean> results = race(i -> () -> i % 2 == 0
                    ? cache.replace(key, "old", "v" + i)
                    : cache.replace(key, "old", "v" + i, Duration.ofMinutes(1)));
            assertEquals(1, results.stream().filter(r -> r).count(), "round " + round + ": " + results);
        }
        assertEquals(ROUNDS, listener.count(RemovalCause.REPLACED));
    }

    @Test
    void racingRemovesHaveOneWinner() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String key = "remove-" + round;
            cache.put(key, "v");
            List<Boolean> results = race(i -> () -> i % 2 == 0 ? cache.remove(key, "v") : cache.remove(key) != null);
            assertEquals(1, results.stream().filter(r -> r).count(), "round " + round + ": " + results);
        }
        assertEquals(ROUNDS, listener.count(RemovalCause.EXPLICIT));
    }

    @Test
    void compareAndSetLoopsLoseNoIncrement() throws Exception {
        int increments = 2_000;
        cache.put("counter", "0");
        race(i -> () -> {
            for (int n = 0; n < increments; n++) {
                for (;;) {
                    String current = cache.getIfPresent("counter");
                    if (cache.replace("counter", current, String.valueOf(Integer.parseInt(current) + 1))) {
                        break;
                    }
                }
            }
            return null;
        });
        assertEquals(String.valueOf(THREADS * increments), cache.getIfPresent("counter"));
    }

    @Test
    void mapViewMergeLosesNoIncrement() throws Exception {
        int increments = 2_000;
        race(i -> () -> {
            for (int n = 0; n < increments; n++) {
                cache.asMap().merge("counter", "1", (a, b) -> String.valueOf(Integer.parseInt(a) + Integer.parseInt(b)));
            }
            return null;
        });
        assertEquals(String.valueOf(THREADS * increments), cache.getIfPresent("counter"));
    }
}
