package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A key that is overwritten again and again is present the whole time, so every operation running
 * concurrently with the overwrites must see it present (per-key linearizability). Each case races one
 * operation against a thread that keeps putting new values for the key, for a quarter of a second
 * (iteration, whose miss window is narrow, three times as long).
 */
class ReplacementRaceTest {
    private static final String KEY = "k";
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(150);

    /** One probe of the key; returns whether it saw the key present. */
    static Stream<Arguments> probes() {
        Stream<Arguments> singleKey = Stream.of(
                probe("getIfPresent", c -> c.getIfPresent(KEY) != null),
                probe("getEntryIfPresent", c -> c.getEntryIfPresent(KEY) != null),
                probe("get with loader", c -> c.get(KEY, k -> -1L) != -1L),
                probe("asMap().get", c -> c.asMap().get(KEY) != null),
                probe("asMap().containsKey", c -> c.asMap().containsKey(KEY)),
                probe("asMap().keySet().contains", c -> c.asMap().keySet().contains(KEY)),
                probe("putIfAbsent", c -> c.putIfAbsent(KEY, -1L) != null),
                probe("replace", c -> c.replace(KEY, -2L) != null),
                probe("asMap().putIfAbsent", c -> c.asMap().putIfAbsent(KEY, -1L) != null),
                probe("asMap().computeIfPresent", c -> c.asMap().computeIfPresent(KEY, (k, v) -> v) != null),
                probe("asMap().isEmpty() of a one-key cache", c -> !c.asMap().isEmpty()))
                .map(probe -> Arguments.of(probe, 0, RUN_NANOS));
        // Iteration copies a segment, then reads its nodes one by one: other keys widen that window,
        // and a longer run makes a rare miss show up in (almost) every run.
        Stream<Arguments> iteration = Stream.of(Arguments.of(
                probe("iteration", c -> c.asMap().keySet().stream().filter(KEY::equals).count() == 1),
                300, 3 * RUN_NANOS));
        return Stream.concat(singleKey, iteration);
    }

    private static Named<Predicate<KvCache<String, Long>>> probe(
            String name, Predicate<KvCache<String, Long>> probe) {
        return Named.of(name, probe);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probes")
    void keyBeingOverwrittenIsAlwaysPresent(Predicate<KvCache<String, Long>> sawKey, int otherKeys,
            long runNanos) throws InterruptedException {
        KvCache<String, Long> cache = KvCache.builder().ticker(new FakeTicker()).build();
        cache.put(KEY, 0L);
        for (int i = 0; i < otherKeys; i++) {
            cache.put("other-" + i, 0L);
        }
        if (!sawKey.test(cache) || !sawKey.test(cache)) {
            throw new AssertionError("the probe does not see the key even without a race");
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong writes = new AtomicLong();
        Thread writer = new Thread(() -> {
            for (long i = 1; running.get(); i++) {
                cache.put(KEY, i);
                writes.incrementAndGet();
            }
        });
        writer.start();
        long probes = 0;
        long misses = 0;
        try {
            long endAt = System.nanoTime() + runNanos;
            // On a loaded machine the writer may not be scheduled within runNanos: probe on (up to 30 s)
            // until it has overwritten the key often enough for the race to be real.
            long giveUpAt = endAt + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < endAt || (writes.get() < 1_000 && System.nanoTime() < giveUpAt)) {
                probes++;
                if (!sawKey.test(cache)) {
                    misses++;
                }
            }
        } finally {
            running.set(false);
            writer.join();
        }
        assertEquals(0, misses, misses + " of " + probes + " probes missed the key during " + writes + " overwrites");
        assertTrue(writes.get() > 0 && probes > 0);
    }
}
