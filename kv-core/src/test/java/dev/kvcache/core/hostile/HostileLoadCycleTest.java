package dev.kvcache.core.hostile;

import static dev.kvcache.core.testing.LoadingFixture.await;
import static dev.kvcache.core.testing.LoadingFixture.selfLoading;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.BulkLoadException;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.LoadingFixture.Caller;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Loads that wait for each other across threads. A loader that gets its own key fails with
 * IllegalStateException instead of hanging; a loader of a on one thread that gets b while b's
 * loader on another thread gets a waited forever, both threads parked in the cache.
 */
class HostileLoadCycleTest {

    /** Each loader waits until both loaders run, then gets the other's key: a cycle a -> b -> a. */
    @Test
    void twoLoadersGettingEachOthersKeyOnTwoThreadsFailInsteadOfHanging() throws Exception {
        CountDownLatch bothLoading = new CountDownLatch(2);
        LoadingCache<String, String> cache = selfLoading((self, key) -> {
            bothLoading.countDown();
            await(bothLoading);
            return key + "+" + self.get(key.equals("a") ? "b" : "a");
        });
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
        LoadingCache<String, String> cache = selfLoading((self, key) -> {
            allLoading.countDown();
            await(allLoading);
            return key + "+" + self.getAll(List.of(next.get(key))).get(next.get(key));
        });
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
