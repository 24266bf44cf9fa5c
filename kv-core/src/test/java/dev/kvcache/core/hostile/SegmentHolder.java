package dev.kvcache.core.hostile;

import dev.kvcache.core.KvCache;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The hostile tests' one way to hold a table segment: a compute function that waits on a latch. */
final class SegmentHolder {
    private SegmentHolder() {}

    /**
     * Starts a daemon thread whose {@code compute} of {@code key} counts down {@code in}, waits for
     * {@code release} (at most 30 s) and returns {@code result}, holding the key's segment lock meanwhile.
     */
    static <V> Thread hold(KvCache<Integer, V> cache, int key, V result, CountDownLatch in, CountDownLatch release) {
        Thread t = new Thread(() -> cache.asMap().compute(key, (k, v) -> {
            in.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return result;
        }), "holder");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
