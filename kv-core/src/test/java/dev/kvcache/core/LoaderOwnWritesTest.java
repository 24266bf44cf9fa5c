package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.testing.FakeTicker;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A loader's own writes of the key it loads do not invalidate its load (main reran it forever). */
class LoaderOwnWritesTest {
    private final FakeTicker ticker = new FakeTicker();

    /**
     * A loader that removes its own key (to clear a stale entry, say) ran forever on main: each of its
     * removals invalidated its own load, which then ran the loader again. Its own writes leave its load
     * alone: it runs once and its value is stored.
     */
    @Test
    void aLoaderThatRemovesItsOwnKeyRunsOnceAndItsValueIsStored() {
        AtomicInteger calls = new AtomicInteger();
        LoadingCache<String, String> own = KvCache.builder().ticker(ticker).<String, String>build(key -> {
            if (calls.incrementAndGet() < 5) { // bounded, so that main's endless reruns end
                own().remove(key);
            }
            return "v" + calls.get();
        });
        ownCache = own;
        assertEquals("v1", own.get("k"));
        assertEquals(1, calls.get(), "the loader ran once");
        assertEquals("v1", own.getIfPresent("k"));
    }

    private LoadingCache<String, String> ownCache;

    private LoadingCache<String, String> own() {
        return ownCache;
    }

    /** invalidateAll() from inside a loader: the same, for the loader's own key. */
    @Test
    void aLoaderThatInvalidatesEverythingRunsOnceAndItsValueIsStored() {
        AtomicInteger calls = new AtomicInteger();
        LoadingCache<String, String> own = KvCache.builder().ticker(ticker).<String, String>build(key -> {
            if (calls.incrementAndGet() < 5) {
                own().invalidateAll();
            }
            return "v" + calls.get();
        });
        ownCache = own;
        assertEquals("v1", own.get("k"));
        assertEquals(1, calls.get(), "the loader ran once");
        assertEquals("v1", own.getIfPresent("k"));
    }
}
