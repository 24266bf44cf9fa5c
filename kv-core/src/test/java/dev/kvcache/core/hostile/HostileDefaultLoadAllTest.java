package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvcache.core.BulkLoadException;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadException;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.FakeTicker;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * CacheLoader's default loadAll: one load per key; an exception fails its key only, an Error stops
 * the loop and fails every key of the call (what CacheLoader.loadAll now says; it said "if any of
 * them threw" it would carry the values loaded, which an Error never did).
 */
class HostileDefaultLoadAllTest {

    @Test
    void anExceptionFailsItsKeyAndAnErrorFailsTheWholeCall() {
        List<String> loaded = new CopyOnWriteArrayList<>();
        IOException io = new IOException("row b");
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).build(key -> {
            loaded.add(key);
            if (key.equals("b")) {
                throw io;
            }
            return key.toUpperCase();
        });
        BulkLoadException partial = assertThrows(BulkLoadException.class, () -> cache.getAll(List.of("a", "b", "c")));
        assertEquals(Map.of("a", "A", "c", "C"), partial.loaded());
        assertSame(io, assertInstanceOf(LoadException.class, partial.failures().get("b")).getCause());
        assertEquals(Map.of("a", "A", "c", "C"), cache.asMap());

        StackOverflowError deep = new StackOverflowError("deep");
        loaded.clear();
        LoadingCache<String, String> erring = KvCache.builder().ticker(new FakeTicker()).build(key -> {
            loaded.add(key);
            if (key.equals("y")) {
                throw deep;
            }
            return key.toUpperCase();
        });
        BulkLoadException all = assertThrows(BulkLoadException.class, () -> erring.getAll(List.of("x", "y", "z")));
        assertEquals(List.of("x", "y"), loaded, "the Error stopped the loop");
        assertEquals(Map.of(), all.loaded(), "x's value is not kept");
        assertEquals(Map.of("x", deep, "y", deep, "z", deep), all.failures());
        assertEquals(Map.of(), erring.asMap());
    }
}
