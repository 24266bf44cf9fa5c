package dev.kvcache.core.hostile;

import static dev.kvcache.core.hostile.HostileMaintenanceBoundTest.busyKeys;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review, round 3, of 89af84f: (a) exempts writers "inside any cache's compute function" from
 * waiting. cleanUp and setMaximum of cache B called from inside a compute function of another cache A are
 * not exempted by the docs (only "from inside a compute function of this cache's map view" throws):
 * "cleanUp() always restores the bound (waiting for compute functions if it must)", "A lowered bound is
 * restored on the calling thread before this returns". B's victims are all in a segment that a B compute
 * holds for 300 ms (it does not wait for anything of A).
 */
class HostileRound3NestedCleanUpTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void cleanUpAndSetMaximumOfBFromInsideAComputeOfARestoreTheBound(boolean viaSetMaximum) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            KvCache<Integer, Integer> a = KvCache.builder().build();
            KvCache<Integer, Integer> b = KvCache.builder().maximumSize(1_000).initialCapacity(10_000).build();
            List<Integer> busy = busyKeys(61, 1);
            for (int i = 0; i < 60; i++) {
                b.put(busy.get(i), i);
            }
            CountDownLatch in = new CountDownLatch(1);
            Thread h = new Thread(() -> b.asMap().compute(busy.get(60), (k, v) -> {
                in.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }), "holder");
            h.setDaemon(true);
            h.start();
            assertTrue(in.await(10, TimeUnit.SECONDS));
            AtomicLong seen = new AtomicLong(-1);
            a.asMap().compute(1, (k, v) -> {
                if (viaSetMaximum) {
                    b.policy().setMaximum(10);
                } else {
                    b.policy().setMaximum(10); // may not restore: then cleanUp must
                    b.cleanUp();
                }
                seen.set(b.estimatedSize());
                return 1;
            });
            h.join(10_000);
            assertTrue(seen.get() <= 10, (viaSetMaximum ? "setMaximum(10)" : "setMaximum(10) + cleanUp()")
                    + " from inside A's compute returned with B at " + seen.get() + " entries");
        });
    }
}
