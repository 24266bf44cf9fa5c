package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The default bound on bytes held is a share of the heap, so that a flood of large values is evicted
 * before it can exhaust whatever heap the server runs with ({@code MemoryFloodIT} floods a real one).
 */
class HostileMemoryBoundTest {
    private static final long MAX_HEAP = Runtime.getRuntime().maxMemory();

    @Test
    void theDefaultByteBoundIsAQuarterOfTheMaximumHeap() {
        assertEquals(MAX_HEAP / 4, ServerConfig.parse(new String[0], Map.of()).maxBytes);
        assertEquals(MAX_HEAP / 4, KvHandlerOptions.defaults().maxBytes());
        assertEquals(MAX_HEAP / 4, KvHandlerOptions.builder().build().maxBytes());
        assertEquals(25, KvHandlerOptions.DEFAULT_HEAP_PERCENT);
    }

    @Test
    void theByteBoundTakesASizeOrAPercentageOfTheHeap() {
        assertEquals(MAX_HEAP / 10, ServerConfig.parse(new String[] {"--max-bytes", "10%"}, Map.of()).maxBytes);
        assertEquals(MAX_HEAP, ServerConfig.parse(new String[] {"--max-bytes", "100%"}, Map.of()).maxBytes);
        assertEquals(MAX_HEAP / 2, ServerConfig.parse(new String[0], Map.of("KV_MAX_BYTES", "50%")).maxBytes);
        assertEquals(64L << 20, ServerConfig.parse(new String[] {"--max-bytes", "64MiB"}, Map.of()).maxBytes);
        for (String invalid : new String[] {"0%", "-5%", "101%", "x%", "%", "NaN%", "1e3%"}) {
            assertThrows(CommandLine.ParameterException.class,
                    () -> ServerConfig.parse(new String[] {"--max-bytes", invalid}, Map.of()), invalid);
        }
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

    @Test
    void theHelpStatesTheDefaultShare() {
        StringWriter out = new StringWriter();
        PrintWriter err = new PrintWriter(new StringWriter());
        assertEquals(0, KvServer.run(new String[] {"--help"}, Map.of(), new PrintWriter(out), err));
        String help = out.toString().replaceAll("\\s+", " ");
        assertTrue(help.contains("percentage of the maximum heap (-Xmx)"), help);
        assertTrue(help.contains("Default: 25% of the heap"), help);
    }
}
