package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheLoader;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.FakeTicker;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A bulk load whose value for one key a removal made stale reloads that key. It did so while it still
 * held the loads of the keys it had not stored yet, so a loader of the stale key that got another key
 * of the same bulk load (no cycle among the loaders: a needs b, b needs nothing) failed with
 * IllegalStateException "recursive load" on the bulk's own thread, and, when another thread had begun
 * the newer load of the stale key, the cycle check failed that thread (before the check, both hung).
 */
class HostileStaleBulkKeyTest {

    /** Runs {@code call} on a daemon thread; {@link #outcome} is its result or throwable. */
    private static final class Caller extends Thread {
        private final AtomicReference<Object> outcome = new AtomicReference<>();
        private final Supplier<Object> call;

        Caller(String name, Supplier<Object> call) {
            super(name);
            this.call = call;
            setDaemon(true); // on a regression it stays parked: it must not keep the test JVM alive
            start();
        }

        @Override
        public void run() {
            try {
                outcome.set(call.get());
            } catch (Throwable t) {
                outcome.set(t);
            }
        }

        Object outcome() throws InterruptedException {
            join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(isAlive(), "deadlocked: " + getName() + " still waits in " + List.of(getStackTrace()));
            return outcome.get();
        }

        /** Waits (at most 10 s) until this thread waits in the cache for another thread's load. */
        void awaitWaitingForALoad() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (List.of(getStackTrace()).stream().noneMatch(
                    frame -> frame.getClassName().equals("dev.kvcache.core.Loading") && frame.getMethodName().equals("await"))) {
                assertTrue(System.nanoTime() < deadline, getName() + " never waited for a load: " + List.of(getStackTrace()));
                Thread.sleep(1);
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "latch timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** a's value is "a+" and b's; b's is "b-one". loadAll waits for {@code release} once it started. */
    private static CacheLoader<String, String> loader(AtomicReference<LoadingCache<String, String>> ref,
            CountDownLatch inLoadAll, CountDownLatch release, Runnable beforeGettingB) {
        return new CacheLoader<>() {
            @Override
            public String load(String key) {
                if (key.equals("a")) {
                    beforeGettingB.run();
                    return "a+" + ref.get().get("b");
                }
                return "b-one";
            }

            @Override
            public Map<String, String> loadAll(Set<? extends String> keys) {
                inLoadAll.countDown();
                await(release);
                return Map.of("a", "a-bulk", "b", "b-bulk");
            }
        };
    }

    @Test
    void theReloadOfAStaleBulkKeyMayGetAnotherKeyOfThatBulkLoad() throws Exception {
        CountDownLatch inLoadAll = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<LoadingCache<String, String>> ref = new AtomicReference<>();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker())
                .build(loader(ref, inLoadAll, release, () -> { }));
        ref.set(cache);
        Caller bulk = new Caller("bulk", () -> cache.getAll(List.of("a", "b")));
        await(inLoadAll);
        cache.remove("a"); // the bulk's value of a is now stale: a is loaded again, by load("a")
        release.countDown();
        // Before: BulkLoadException {a=IllegalStateException: recursive load: the loader called get() for its own key}
        assertEquals(Map.of("a", "a+b-bulk", "b", "b-bulk"), bulk.outcome());
        assertEquals(Map.of("a", "a+b-bulk", "b", "b-bulk"), cache.asMap());
    }

    @Test
    void aNewerLoadOfAStaleBulkKeyOnAnotherThreadMayGetAnotherKeyOfThatBulkLoad() throws Exception {
        CountDownLatch inLoadAll = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch newerLoading = new CountDownLatch(1);
        CountDownLatch bulkWaits = new CountDownLatch(1);
        AtomicReference<LoadingCache<String, String>> ref = new AtomicReference<>();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker())
                .build(loader(ref, inLoadAll, release, () -> {
                    newerLoading.countDown();
                    await(bulkWaits);
                }));
        ref.set(cache);
        Caller bulk = new Caller("bulk", () -> cache.getAll(List.of("a", "b")));
        await(inLoadAll);
        cache.remove("a");
        Caller newer = new Caller("newer", () -> cache.get("a")); // the load of a after the removal
        await(newerLoading);
        release.countDown();
        bulk.awaitWaitingForALoad(); // the bulk found its a stale and waits for the newer load of a
        bulkWaits.countDown(); // now the newer load's loader gets b
        // Before: the cycle check failed the newer load (the bulk waits for it and held b), and the bulk with it.
        assertEquals("a+b-bulk", newer.outcome());
        assertEquals(Map.of("a", "a+b-bulk", "b", "b-bulk"), bulk.outcome());
    }
}
