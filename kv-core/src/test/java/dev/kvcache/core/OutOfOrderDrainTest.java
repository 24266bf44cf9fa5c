package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two overwrites of one key can reach the write buffer in the opposite order to the one in which they
 * took effect. The later one must still take its key's place in the eviction queue, not count as a new
 * entry beside the stale one (which would evict a live entry from a cache within its bound).
 *
 * <p>The first writer is held by its own removal notification, which the cache delivers on the
 * writing thread after the table update and before the buffer push.
 */
class OutOfOrderDrainTest {
    @Test
    void anOverwriteDrainedBeforeThePreviousOneEvictsNothing() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> evicted = new CopyOnWriteArrayList<>();
        Thread[] slowWriter = new Thread[1];
        KvCache<String, String> cache = KvCache.builder()
                .maximumSize(3)
                .ticker(new FakeTicker())
                .<String, String>removalListener((key, value, cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evicted.add(key);
                    }
                    if (Thread.currentThread() == slowWriter[0] && cause == RemovalCause.REPLACED) {
                        held.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .build();
        cache.put("k2", "2");
        cache.put("k3", "3");
        cache.put("k1", "1");

        slowWriter[0] = new Thread(() -> cache.replace("k1", "a"));
        slowWriter[0].start();
        assertTrue(held.await(10, TimeUnit.SECONDS), "the first overwrite did not reach its notification");
        assertTrue(cache.replace("k1", "a", "b"), "the second overwrite, drained first");
        assertEquals(List.of(), evicted, "evicted while holding 3 keys with a bound of 3");

        release.countDown();
        slowWriter[0].join(10_000);
        cache.cleanUp();
        assertEquals(List.of(), evicted, "evicted after both overwrites were drained");
        assertEquals("2", cache.getIfPresent("k2"));
        assertEquals("3", cache.getIfPresent("k3"));
        assertEquals("b", cache.getIfPresent("k1"));
        assertEquals(3, cache.estimatedSize());
    }
}
