package dev.kvcache.core.hostile;

import static dev.kvcache.core.testing.LoadingFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.CacheLoader;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.core.testing.LoadingFixture.Caller;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A bulk load whose value for one key a removal made stale reloads that key. It did so while it still
 * held the loads of the keys it had not stored yet, so a loader of the stale key that got another key
 * of the same bulk load (no cycle among the loaders: a needs b, b needs nothing) failed with
 * IllegalStateException "recursive load" on the bulk's own thread, and, when another thread had begun
 * the newer load of the stale key, the cycle check failed that thread (before the check, both hung).
 */
class HostileStaleBulkKeyTest {

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
