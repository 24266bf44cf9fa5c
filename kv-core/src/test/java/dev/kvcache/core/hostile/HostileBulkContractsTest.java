package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvcache.core.CacheLoader;
import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** getAll / getAllPresent / putAll as their Javadoc states them: order, duplicates, extras, nulls, stats. */
class HostileBulkContractsTest {
    @Test
    void getAllKeepsTheCallersOrderCountsDuplicatesOnceAndIgnoresExtras() {
        List<Set<? extends String>> calls = new ArrayList<>();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).recordStats()
                .build(new CacheLoader<String, String>() {
                    @Override
                    public String load(String key) {
                        throw new AssertionError("load(" + key + ") instead of loadAll");
                    }

                    @Override
                    public Map<String, String> loadAll(Set<? extends String> keys) {
                        calls.add(Set.copyOf(keys));
                        Map<String, String> values = new HashMap<>();
                        for (String key : keys) {
                            if (!key.equals("none")) {
                                values.put(key, "v" + key);
                            }
                        }
                        values.put("extra", "not asked for");
                        return values;
                    }
                });
        cache.put("b", "stored b");
        Map<String, String> got = cache.getAll(List.of("c", "b", "none", "a", "c", "b"));
        assertEquals(List.of("c", "b", "a"), new ArrayList<>(got.keySet()));
        assertEquals(List.of("vc", "stored b", "va"), new ArrayList<>(got.values()));
        assertEquals(List.of(Set.of("c", "none", "a")), calls);
        CacheStats stats = cache.stats(); // before the lookups below, which count too
        assertEquals(null, cache.getIfPresent("extra"), "an entry not asked for was stored");
        assertEquals(null, cache.getIfPresent("none"));
        assertThrows(UnsupportedOperationException.class, () -> got.put("x", "y"));
        assertEquals(1, stats.hitCount(), stats.toString());
        assertEquals(3, stats.missCount(), stats.toString());
    }

    @Test
    void getAllPresentCountsDuplicatesOnceInTheCallersOrder() {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).recordStats().build();
        cache.put("a", "1");
        cache.put("b", "2");
        Map<String, String> got = cache.getAllPresent(Arrays.asList("b", "x", "a", "b", "x"));
        assertEquals(List.of("b", "a"), new ArrayList<>(got.keySet()));
        assertEquals(2, cache.stats().hitCount());
        assertEquals(1, cache.stats().missCount());
        assertThrows(NullPointerException.class, () -> cache.getAllPresent(Arrays.asList("a", null)));
        assertEquals(2, cache.stats().hitCount(), "a lookup ran before the null was found");
    }

    @Test
    void putAllChecksEveryEntryBeforeStoringAny() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(5)).build();
        Map<String, String> withNull = new LinkedHashMap<>();
        withNull.put("a", "1");
        withNull.put("b", null);
        assertThrows(NullPointerException.class, () -> cache.putAll(withNull));
        assertThrows(IllegalArgumentException.class, () -> cache.putAll(Map.of("a", "1"), Duration.ZERO));
        assertEquals(0, cache.estimatedSize());
        cache.putAll(Map.of("a", "1", "b", "2"), Duration.ofSeconds(1));
        cache.putAll(Map.of("c", "3"));
        ticker.advance(Duration.ofSeconds(1));
        assertEquals(Map.of("c", "3"), cache.getAllPresent(List.of("a", "b", "c")));
    }
}
