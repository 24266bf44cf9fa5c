package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.BulkLoadException;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.FakeTicker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Loads that wait for each other across threads. A loader that gets its own key fails with
 * IllegalStateException instead of hanging; a loader of a on one thread that gets b while b's
 * loader on another thread gets a waited forever, both threads parked in the cache.
 */
class HostileLoadCycleTest {

    /** Runs {@code call} on a daemon thread; {@link #outcome} is its result or throwable. */
    private static final class Caller extends Thread {
        private final AtomicReference<Object> outcome = new AtomicReference<>();
        private final Supplier<Object> call;

        Caller(Supplier<Object> call) {
            this.call = call;
            setDaemon(true); // on a regression both stay parked: they must not keep the test JVM alive
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
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "latch timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Each loader waits until both loaders run, then gets the other's key: a cycle a -> b -> a. */
    @Test
    void twoLoadersGettingEachOthersKeyOnTwoThreadsFailInsteadOfHanging() throws Exception {
        CountDownLatch bothLoading = new CountDownLatch(2);
        AtomicReference<LoadingCache<String, String>> ref = new AtomicReference<>();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).build(key -> {
            bothLoading.countDown();
            await(bothLoading);
            return key + "+" + ref.get().get(key.equals("a") ? "b" : "a");
        });
        ref.set(cache);
        Caller a = new Caller(() -> cache.get("a"));
        Caller b = new Caller(() -> cache.get("b"));
        Object outcomeA = a.outcome();
        Object outcomeB = b.outcome();
        // The thread that closes the cycle fails; the other then sees that failure through the load it waited for.
        assertInstanceOf(IllegalStateException.class, outcomeA, "a: " + outcomeA);
        assertInstanceOf(IllegalStateException.class, outcomeB, "b: " + outcomeB);
        assertEquals(Map.of(), cache.asMap(), "nothing stored");
        assertEquals("a", cache.get("a", k -> "a"), "no load left in flight");
    }

    /** The same through getAll and three threads: a -> b, b -> c, c -> a. */
    @Test
    void aThreeThreadCycleThroughGetAllFailsInsteadOfHanging() throws Exception {
        CountDownLatch allLoading = new CountDownLatch(3);
        Map<String, String> next = Map.of("a", "b", "b", "c", "c", "a");
        AtomicReference<LoadingCache<String, String>> ref = new AtomicReference<>();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).build(key -> {
            allLoading.countDown();
            await(allLoading);
            return key + "+" + ref.get().getAll(List.of(next.get(key))).get(next.get(key));
        });
        ref.set(cache);
        Caller a = new Caller(() -> cache.get("a"));
        Caller b = new Caller(() -> cache.get("b"));
        Caller c = new Caller(() -> cache.getAll(List.of("c")));
        for (Caller caller : List.of(a, b, c)) {
            Object outcome = caller.outcome();
            assertTrue(outcome instanceof IllegalStateException || outcome instanceof BulkLoadException,
                    caller.getName() + ": " + outcome);
        }
        assertEquals(Map.of(), cache.asMap());
    }
}
