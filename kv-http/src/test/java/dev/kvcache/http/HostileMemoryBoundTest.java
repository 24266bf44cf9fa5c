package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import org.junit.jupiter.api.Test;

/**
 * The default bound on bytes held is a share of the heap, so that a flood of large values is evicted
 * before it can exhaust whatever heap the server runs with ({@code MemoryFloodIT} floods a real one).
 */
class HostileMemoryBoundTest {
    private static final long MAX_HEAP = Runtime.getRuntime().maxMemory();

    @Test
    void theDefaultByteBoundIsAQuarterOfTheMaximumHeap() {
        assertEquals(MAX_HEAP / 4, KvHandlerOptions.defaults().maxBytes());
        assertEquals(MAX_HEAP / 4, KvHandlerOptions.builder().build().maxBytes());
        assertEquals(25, KvHandlerOptions.DEFAULT_HEAP_PERCENT);
    }

    @Test
    void aFloodOfTinyEntriesIsBoundedByTheirOverheadNotJustTheirPayload() {
        // 1 MiB bound, 50 000 entries of 3 to 7 payload bytes: 300 KB of payload, but some 12 MB of heap
        // once each entry's objects are counted. The bound must hold the latter.
        KeyStore store = new KeyStore(KvHandlerOptions.builder().maxEntries(1_000_000).maxBytes(1L << 20)
                .ticker(new FakeTicker()).build());
        for (int i = 0; i < 50_000; i++) {
            store.write("t" + i, store.newValue(new byte[] {1}, Replies.TEXT_PLAIN), null, Conditions.NONE);
        }
        long perEntry = 3 + KeyStore.ENTRY_OVERHEAD_BYTES; // the smallest key and value: "t0", one byte
        assertTrue(store.size() <= (1L << 20) / perEntry, store.size() + " entries held under a 1 MiB bound");
        assertTrue(store.size() >= (1L << 20) / perEntry / 2, "a bound is not an emptying: " + store.size());
        assertTrue(store.stats().evictionCount() > 40_000, store.stats().toString());
    }
}
