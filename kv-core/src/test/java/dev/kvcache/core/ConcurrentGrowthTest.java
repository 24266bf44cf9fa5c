package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lock-free reads and weakly consistent iteration stay correct while the table grows under concurrent
 * writes: a key that is present from before a read starts until after it ends is always found, and an
 * iteration returns every such key exactly once. Bounded to about a second per configuration.
 */
class ConcurrentGrowthTest {
    private static final int STABLE_KEYS = 2_000;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

    @ParameterizedTest(name = "bounded = {0}")
    @ValueSource(booleans = {false, true})
    void stableKeysAreAlwaysFoundWhileOtherKeysGrowAndChurnTheTable(boolean bounded) throws InterruptedException {
        KvCacheBuilder<Object, Object> builder = KvCache.builder().ticker(new FakeTicker()).initialCapacity(0);
        if (bounded) {
            builder.maximumSize(Long.MAX_VALUE / 2); // the eviction paths run, nothing is evicted
        }
        KvCache<Integer, Integer> cache = builder.build();
        for (int i = 0; i < STABLE_KEYS; i++) {
            cache.put(i, i);
        }
        Queue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        long endAt = System.nanoTime() + RUN_NANOS;
        List<Thread> threads = new ArrayList<>();
        // Two writers insert ever more keys (doubling every segment's table many times) and churn them.
        for (int w = 0; w < 2; w++) {
            int base = 1_000_000 * (w + 1);
            threads.add(new Thread(() -> {
                SplittableRandom random = new SplittableRandom(base);
                for (int i = 0; System.nanoTime() < endAt && i < 400_000; i++) {
                    cache.put(base + i, base + i);
                    if (random.nextInt(4) == 0) {
                        cache.remove(base + random.nextInt(i + 1));
                    }
                    if (random.nextInt(8) == 0) {
                        cache.put(random.nextInt(STABLE_KEYS), random.nextInt(STABLE_KEYS)); // never a new key
                    }
                }
            }));
        }
        // Two readers: every stable key must be found, by every read path.
        for (int r = 0; r < 2; r++) {
            int seed = r;
            threads.add(new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                while (writing.get()) {
                    int key = random.nextInt(STABLE_KEYS);
                    String missedBy = cache.getIfPresent(key) == null ? "getIfPresent"
                            : cache.getEntryIfPresent(key) == null ? "getEntryIfPresent"
                            : cache.asMap().get(key) == null ? "asMap().get"
                            : !cache.asMap().containsKey(key) ? "asMap().containsKey"
                            : null;
                    if (missedBy != null) {
                        errors.add(missedBy + " missed stable key " + key + " during growth");
                        if (errors.size() > 20) {
                            return;
                        }
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (int i = 0; i < 2; i++) {
            threads.get(i).join();
        }
        writing.set(false);
        for (Thread t : threads) {
            t.join();
        }

        assertTrue(errors.isEmpty(), () -> errors.size() + " misses: " + errors);
        for (int i = 0; i < STABLE_KEYS; i++) {
            assertTrue(cache.getIfPresent(i) != null, "stable key " + i);
        }
    }

    @ParameterizedTest(name = "bounded = {0}")
    @ValueSource(booleans = {false, true})
    void iterationDuringGrowthReturnsEveryStableKeyExactlyOnce(boolean bounded) throws InterruptedException {
        KvCacheBuilder<Object, Object> builder = KvCache.builder().ticker(new FakeTicker()).initialCapacity(0);
        if (bounded) {
            builder.maximumSize(Long.MAX_VALUE / 2);
        }
        KvCache<Integer, Integer> cache = builder.build();
        for (int i = 0; i < STABLE_KEYS; i++) {
            cache.put(i, i);
        }
        long endAt = System.nanoTime() + RUN_NANOS;
        Thread writer = new Thread(() -> {
            for (int i = 0; System.nanoTime() < endAt && i < 400_000; i++) {
                cache.put(-1 - i, i);
                if ((i & 3) == 0) {
                    cache.remove(-1 - i / 2);
                }
            }
        });
        writer.start();
        int passes = 0;
        try {
            while (writer.isAlive() || passes == 0) {
                Map<Integer, Integer> visits = new HashMap<>();
                for (Integer key : cache.asMap().keySet()) {
                    visits.merge(key, 1, Integer::sum);
                }
                for (int i = 0; i < STABLE_KEYS; i++) {
                    assertEquals(1, visits.getOrDefault(i, 0), "visits of stable key " + i + " in pass " + passes);
                }
                for (Map.Entry<Integer, Integer> v : visits.entrySet()) {
                    assertEquals(1, v.getValue(), "visits of key " + v.getKey() + " in pass " + passes);
                }
                passes++;
            }
        } finally {
            writer.join();
        }
    }
}
