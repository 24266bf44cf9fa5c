package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvcache.core.testing.FakeTicker;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * A loader of a {@code getAll} call that gets another key of the same call, not loaded yet: the get
 * loads that key at once, and the call takes its outcome instead of loading the key again. Before,
 * the nested get failed with IllegalStateException (it would have waited for the call's own
 * unstarted load of that key), which failed the key whose loader called it.
 */
class BulkNestedGetTest {
    private final AtomicReference<LoadingCache<String, String>> ref = new AtomicReference<>();
    private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    private final RecordingListener<String, String> listener = new RecordingListener<>();

    private int loadsOf(String key) {
        AtomicInteger count = loads.get(key);
        return count == null ? 0 : count.get();
    }

    private String countedLoad(BiFunction<LoadingCache<String, String>, String, String> value, String key) {
        loads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        return value.apply(ref.get(), key);
    }

    /** A cache whose {@code load(key)} counts the call and returns {@code value(cache, key)}. */
    private LoadingCache<String, String> cache(BiFunction<LoadingCache<String, String>, String, String> value) {
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).recordStats()
                .removalListener(listener).build(key -> countedLoad(value, key));
        ref.set(cache);
        return cache;
    }

    /** A cache whose own {@code loadAll} is {@code loadAll}; its {@code load} is as in {@link #cache}. */
    private LoadingCache<String, String> overriding(BiFunction<LoadingCache<String, String>, String, String> value,
            BulkLoader loadAll) {
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).recordStats()
                .removalListener(listener).build(new CacheLoader<String, String>() {
                    @Override
                    public String load(String key) {
                        return countedLoad(value, key);
                    }

                    @Override
                    public Map<String, String> loadAll(Set<? extends String> keys) {
                        return loadAll.apply(ref.get(), keys);
                    }
                });
        ref.set(cache);
        return cache;
    }

    interface BulkLoader {
        Map<String, String> apply(LoadingCache<String, String> cache, Set<? extends String> keys);
    }

    @Test
    void aLoadOfTheDefaultLoadAllMayGetALaterKeyOfTheSameCall() {
        LoadingCache<String, String> cache = cache((c, key) -> key.equals("a") ? "a+" + c.get("b") : "B");
        // Before: BulkLoadException {a=IllegalStateException: recursive load: the loader called get() for its own key}
        assertEquals(Map.of("a", "a+B", "b", "B"), cache.getAll(List.of("a", "b")));
        assertEquals(1, loadsOf("a"));
        assertEquals(1, loadsOf("b"), "b was loaded once, by the nested get");
        assertEquals(Map.of("a", "a+B", "b", "B"), cache.asMap());
        assertEquals(2, cache.stats().loadSuccessCount(), "the bulk load and the nested get's load of b");
        assertEquals(0, cache.stats().loadFailureCount());
        assertEquals(List.of(), listener.removals(), "nothing replaced");
    }

    @Test
    void aChainOfNestedGetsLoadsEachKeyOnce() {
        LoadingCache<String, String> cache = cache((c, key) -> switch (key) {
            case "a" -> "a+" + c.get("b");
            case "b" -> "b+" + c.get("c");
            default -> key.toUpperCase();
        });
        assertEquals(Map.of("a", "a+b+C", "b", "b+C", "c", "C", "d", "D"), cache.getAll(List.of("a", "b", "c", "d")));
        assertEquals(Map.of("a", 1, "b", 1, "c", 1, "d", 1), Map.of("a", loadsOf("a"), "b", loadsOf("b"),
                "c", loadsOf("c"), "d", loadsOf("d")));
    }

    @Test
    void aNestedGetAllOfKeysOfTheSameCallLoadsThemAtOnce() {
        LoadingCache<String, String> cache = cache((c, key) -> key.equals("a")
                ? "a+" + c.getAll(List.of("b", "c")) : key.toUpperCase());
        assertEquals(Map.of("a", "a+{b=B, c=C}", "b", "B", "c", "C"), cache.getAll(List.of("a", "b", "c")));
        assertEquals(1, loadsOf("b"));
        assertEquals(1, loadsOf("c"));
    }

    @Test
    void aNestedGetThatFindsNoValueLeavesTheKeyOutAndLoadsItOnce() {
        LoadingCache<String, String> cache = cache((c, key) -> key.equals("a") ? "a+" + c.get("b") : null);
        assertEquals(Map.of("a", "a+null"), cache.getAll(List.of("a", "b")));
        assertEquals(1, loadsOf("b"));
        assertNull(cache.getIfPresent("b"));
    }

    @Test
    void aNestedGetOfAKeyWhoseLoadIsRunningStillFails() {
        // a's loader gets b, whose loader gets a: a cycle on one thread, which no load can answer.
        LoadingCache<String, String> cache = cache((c, key) -> key.equals("a") ? "a+" + c.get("b") : "b+" + c.get("a"));
        BulkLoadException e = assertThrows(BulkLoadException.class, () -> cache.getAll(List.of("a", "b")));
        assertInstanceOf(IllegalStateException.class, e.failures().get("a"), e.failures().toString());
        assertInstanceOf(IllegalStateException.class, e.failures().get("b"), e.failures().toString());
        assertEquals(1, loadsOf("a"));
        assertEquals(1, loadsOf("b"));
        assertEquals(Map.of(), cache.asMap());
    }

    @Test
    void aNestedFailureFailsThatKeyOfTheCallOnly() {
        IllegalArgumentException bad = new IllegalArgumentException("no b");
        LoadingCache<String, String> cache = cache((c, key) -> {
            if (key.equals("b")) {
                throw bad;
            }
            if (key.equals("a")) {
                try {
                    return "a+" + c.get("b");
                } catch (IllegalArgumentException expected) {
                    return "a-without-b";
                }
            }
            return key.toUpperCase();
        });
        BulkLoadException e = assertThrows(BulkLoadException.class, () -> cache.getAll(List.of("a", "b", "c")));
        assertEquals(Map.of("b", bad), e.failures());
        assertEquals(Map.of("a", "a-without-b", "c", "C"), e.loaded());
        assertEquals(1, loadsOf("b"), "the call took the nested get's failure for b");
    }

    @Test
    void aLoadAllOverrideThatGetsAKeyOfItsBatchStoresItsOwnValueInPlaceOfTheNestedOne() {
        LoadingCache<String, String> cache = overriding((c, key) -> "one-" + key,
                (c, keys) -> Map.of("a", "bulk-a/" + c.get("b"), "b", "bulk-b"));
        // Before: the nested get threw IllegalStateException out of loadAll, which failed every key
        assertEquals(Map.of("a", "bulk-a/one-b", "b", "bulk-b"), cache.getAll(List.of("a", "b")));
        assertEquals(1, loadsOf("b"));
        assertEquals(Map.of("a", "bulk-a/one-b", "b", "bulk-b"), cache.asMap());
        assertEquals(List.of(new RecordingListener.Removal<>("b", "one-b", RemovalCause.REPLACED)), listener.removals());
    }

    @Test
    void aLoadAllOverrideThatLeavesOutTheKeyItGotKeepsTheNestedValue() {
        LoadingCache<String, String> cache = overriding((c, key) -> "one-" + key,
                (c, keys) -> Map.of("a", "bulk-a/" + c.get("b")));
        assertEquals(Map.of("a", "bulk-a/one-b", "b", "one-b"), cache.getAll(List.of("a", "b")));
        assertEquals(Map.of("a", "bulk-a/one-b", "b", "one-b"), cache.asMap());
    }

    @Test
    void aLoadAllOverrideThatFailsKeepsTheNestedValueAndFailsTheOtherKeys() {
        IllegalStateException down = new IllegalStateException("backend down");
        LoadingCache<String, String> cache = overriding((c, key) -> "one-" + key, (c, keys) -> {
            c.get("b");
            throw down;
        });
        BulkLoadException e = assertThrows(BulkLoadException.class, () -> cache.getAll(List.of("a", "b")));
        assertEquals(Map.of("a", down), e.failures());
        assertEquals(Map.of("b", "one-b"), e.loaded());
        assertEquals(Map.of("b", "one-b"), cache.asMap());
    }

    @Test
    void anExplicitWriteAfterTheNestedGetWinsOverTheLoadAllValue() throws InterruptedException {
        LoadingCache<String, String> cache = overriding((c, key) -> "one-" + key, (c, keys) -> {
            String b = c.get("b");
            Thread writer = new Thread(() -> c.put("b", "put-b"));
            writer.start();
            try {
                writer.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return Map.of("a", "bulk-a/" + b, "b", "bulk-b");
        });
        assertEquals(Map.of("a", "bulk-a/one-b", "b", "put-b"), cache.getAll(List.of("a", "b")));
        assertEquals(Map.of("a", "bulk-a/one-b", "b", "put-b"), cache.asMap());
    }

    @Test
    void theLoadAllsOwnWriteAfterTheNestedGetWinsOverItsReturnedValue() {
        LoadingCache<String, String> cache = overriding((c, key) -> "one-" + key, (c, keys) -> {
            String b = c.get("b");
            c.put("b", "own-b");
            return Map.of("a", "bulk-a/" + b, "b", "bulk-b");
        });
        assertEquals(Map.of("a", "bulk-a/one-b", "b", "own-b"), cache.getAll(List.of("a", "b")));
        assertEquals(Map.of("a", "bulk-a/one-b", "b", "own-b"), cache.asMap());
    }
}
