package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.KvCacheBuilder;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.StatsCounter;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The weigher contract (Weigher Javadoc): one weighing per write that stores a value, never one on
 * removal, touch or setTimeToLive; the weight stored is what removals, statistics and
 * {@code weightedSize()} report. The weigher here answers differently on every call (a fresh random
 * weight), so any second weighing of a value, or any report not taken from the stored weight, shows
 * up as a sum that disagrees.
 */
class HostileWeightTest {

    /** Sums the weights the cache reports with each removal, per cause, and forwards to a striped counter. */
    static final class RemovalWeights implements StatsCounter {
        final StatsCounter delegate = StatsCounter.striped();
        final Map<RemovalCause, Long> weights = new EnumMap<>(RemovalCause.class);

        @Override public void recordHit() { delegate.recordHit(); }
        @Override public void recordMiss() { delegate.recordMiss(); }
        @Override public void recordPut() { delegate.recordPut(); }
        @Override public synchronized void recordRemoval(RemovalCause cause, long weight) {
            weights.merge(cause, weight, Long::sum);
            delegate.recordRemoval(cause, weight);
        }
        @Override public void recordLoadSuccess(long nanos) { delegate.recordLoadSuccess(nanos); }
        @Override public void recordLoadFailure(long nanos) { delegate.recordLoadFailure(nanos); }
        @Override public CacheStats snapshot() { return delegate.snapshot(); }

        synchronized long of(RemovalCause cause) {
            return weights.getOrDefault(cause, 0L);
        }
    }

    /** A random mix of every write on a weighted cache, checked against the weigher's own answers. */
    @Test
    void everyReportedWeightIsTheOneTheWeigherGaveAtWriteTime() {
        for (long seed = 1; seed <= 40; seed++) {
            run(seed);
        }
    }

    private void run(long seed) {
        Random random = new Random(seed);
        FakeTicker ticker = new FakeTicker();
        Map<String, Integer> weightOf = new HashMap<>(); // value -> the weigher's (first) answer
        Map<String, Integer> calls = new HashMap<>();
        int[] serial = {0};
        Map<RemovalCause, Long> listened = new EnumMap<>(RemovalCause.class);
        RemovalWeights counter = new RemovalWeights();
        KvCacheBuilder<Object, Object> builder = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(20));
        if (seed % 2 == 0) {
            builder.timeToIdle(Duration.ofSeconds(8)); // the weighted node with the TTL's end (WeightedCapped)
        }
        KvCache<String, String> cache = builder.recordStats(() -> counter)
                .<String, String>maximumWeight(60, (k, v) -> {
                    calls.merge(v, 1, Integer::sum);
                    int w = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(15); // a new answer every call
                    weightOf.putIfAbsent(v, w);
                    return w;
                })
                .<String, String>removalListener((k, v, cause) -> listened.merge(cause, (long) weightOf.get(v), Long::sum))
                .build();
        java.util.function.Supplier<String> fresh = () -> "v" + serial[0]++;
        for (int step = 0; step < 400; step++) {
            String key = "k" + random.nextInt(12);
            String current = cache.policy().getIfPresentQuietly(key);
            switch (random.nextInt(19)) {
                case 0 -> cache.put(key, fresh.get());
                case 1 -> cache.put(key, fresh.get(), Duration.ofSeconds(1 + random.nextInt(30)));
                case 2 -> cache.putIfAbsent(key, fresh.get());
                case 3 -> cache.replace(key, fresh.get());
                case 4 -> cache.replace(key, current == null ? "none" : current, fresh.get());
                case 5 -> cache.remove(key);
                case 6 -> cache.remove(key, current == null ? "none" : current);
                case 7 -> cache.asMap().compute(key, (k, v) -> random.nextInt(4) == 0 ? null : fresh.get());
                case 8 -> cache.asMap().computeIfAbsent(key, k -> fresh.get());
                case 9 -> cache.asMap().computeIfPresent(key, (k, v) -> random.nextInt(4) == 0 ? null : fresh.get());
                case 10 -> cache.asMap().merge(key, fresh.get(), (a, b) -> random.nextInt(4) == 0 ? null : fresh.get());
                case 11 -> {
                    Map<String, String> batch = new LinkedHashMap<>();
                    for (int i = 0; i < 3; i++) {
                        batch.put("k" + random.nextInt(12), fresh.get());
                    }
                    cache.putAll(batch);
                }
                case 12 -> cache.touch(key);
                case 13 -> cache.setTimeToLive(key, Duration.ofSeconds(1 + random.nextInt(40))); // shorter ones get a new node
                case 14 -> ticker.advance(Duration.ofMillis(random.nextInt(4000)));
                case 15 -> cache.policy().setMaximum(10 + random.nextInt(80));
                case 16 -> {
                    if (random.nextBoolean()) {
                        cache.asMap().entrySet().removeIf(e -> random.nextInt(5) == 0);
                    } else {
                        cache.getIfPresent(key); // an access: moves an idle deadline, protects from eviction
                    }
                }
                case 17 -> cache.asMap().replaceAll((k, v) -> fresh.get());
                default -> {
                    if (random.nextInt(10) == 0) {
                        cache.invalidateAll();
                    } else {
                        cache.cleanUp();
                    }
                }
            }
            if (step % 25 == 0 || step == 399) {
                check(seed, step, cache, weightOf, calls, listened, counter);
            }
        }
    }

    private static void check(long seed, int step, KvCache<String, String> cache, Map<String, Integer> weightOf,
            Map<String, Integer> calls, Map<RemovalCause, Long> listened, RemovalWeights counter) {
        String at = "seed " + seed + " step " + step;
        cache.cleanUp();
        calls.forEach((v, n) -> assertEquals(1, n, at + ": the weigher ran " + n + " times for value " + v));
        long live = 0;
        for (String v : cache.asMap().values()) {
            live += weightOf.get(v);
        }
        assertEquals(live, cache.policy().weightedSize(), at + ": weightedSize() after cleanUp is the live weights' sum");
        assertTrue(live <= cache.policy().maximum().getAsLong(), at + ": within the bound after cleanUp");
        for (RemovalCause cause : RemovalCause.values()) {
            assertEquals(listened.getOrDefault(cause, 0L), counter.of(cause),
                    at + ": StatsCounter.recordRemoval weights of " + cause + " are the weigher's answers for the listener's values");
        }
        assertEquals(counter.of(RemovalCause.SIZE), cache.stats().evictionWeight(), at + ": evictionWeight");
    }

    /** Weights at Integer.MAX_VALUE add up in a long and are evicted and reported whole. */
    @Test
    void weightsNearIntegerMaxValue() {
        RemovalWeights counter = new RemovalWeights();
        List<String> evicted = new ArrayList<>();
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).recordStats(() -> counter)
                .<String, String>maximumWeight(Long.MAX_VALUE, (k, v) -> Integer.MAX_VALUE)
                .<String, String>removalListener((k, v, cause) -> evicted.add(k + ":" + cause))
                .build();
        for (int i = 0; i < 5; i++) {
            cache.put("k" + i, "v" + i);
        }
        cache.cleanUp();
        assertEquals(5L * Integer.MAX_VALUE, cache.policy().weightedSize());
        cache.policy().setMaximum(2L * Integer.MAX_VALUE);
        assertEquals(2L * Integer.MAX_VALUE, cache.policy().weightedSize());
        assertEquals(3L * Integer.MAX_VALUE, cache.stats().evictionWeight());
        assertEquals(3, cache.stats().evictionCount());
        cache.policy().setMaximum(Integer.MAX_VALUE - 1L);
        assertEquals(0, cache.policy().weightedSize(), "an entry heavier than the bound cannot stay");
        assertEquals(5L * Integer.MAX_VALUE, cache.stats().evictionWeight());
        assertEquals(5, evicted.size());
        cache.put("x", "y");
        cache.cleanUp();
        assertNull(cache.getIfPresent("x"), "a new entry heavier than the whole bound is evicted at once");
        assertEquals(6L * Integer.MAX_VALUE, counter.of(RemovalCause.SIZE));
    }

    /** maximumWeight 0 keeps only weight-zero entries; 1 keeps one entry of weight 1. */
    @Test
    void boundsOfZeroAndOne() {
        KvCache<String, Integer> zero = KvCache.builder().ticker(new FakeTicker()).recordStats()
                .<String, Integer>maximumWeight(0, (k, v) -> v).build();
        zero.put("heavy", 1); // evicted at once (put first: S3-FIFO would evict an older weight-zero entry before it)
        zero.put("free", 0);
        zero.cleanUp();
        assertEquals(Map.of("free", 0), Map.copyOf(zero.asMap()));
        assertEquals(0, zero.policy().weightedSize());
        assertEquals(1, zero.stats().evictionWeight());

        KvCache<String, Integer> one = KvCache.builder().ticker(new FakeTicker()).recordStats()
                .<String, Integer>maximumWeight(1, (k, v) -> v).build();
        one.put("a", 1);
        one.cleanUp();
        assertEquals(1, one.policy().weightedSize());
        one.put("b", 1);
        one.cleanUp();
        assertEquals(1, one.asMap().size());
        assertEquals(1, one.policy().weightedSize());
        one.put("c", 2);
        one.cleanUp();
        assertNull(one.getIfPresent("c"), "heavier than the bound");
        assertEquals(0, one.asMap().size(), "S3-FIFO evicts the older b first, then c itself");
        assertEquals(0, one.policy().weightedSize());
        assertEquals(4, one.stats().evictionWeight(), "a (1), b (1) and c (2)");
        one.put("d", 1);
        one.asMap().replace("d", 0);
        one.cleanUp();
        assertEquals(0, one.policy().weightedSize(), "an overwrite to weight 0 is reweighed");
        one.policy().setMaximum(0);
        assertEquals(Map.of("d", 0), Map.copyOf(one.asMap()), "a weight-zero entry survives a bound of zero");
    }
}
