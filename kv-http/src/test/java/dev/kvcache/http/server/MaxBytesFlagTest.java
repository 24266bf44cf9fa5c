package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --max-bytes}: by default a share of the heap, so that a flood of large values is evicted
 * before it can exhaust whatever heap the server runs with ({@code MemoryFloodIT} floods a real one).
 */
class MaxBytesFlagTest {
    private static final long MAX_HEAP = Runtime.getRuntime().maxMemory();

    @Test
    void theDefaultByteBoundIsAQuarterOfTheMaximumHeap() {
        assertEquals(MAX_HEAP / 4, ServerConfig.parse(new String[0], Map.of()).maxBytes);
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
    void theHelpStatesTheDefaultShare() {
        StringWriter out = new StringWriter();
        PrintWriter err = new PrintWriter(new StringWriter());
        assertEquals(0, KvServer.run(new String[] {"--help"}, Map.of(), new PrintWriter(out), err));
        String help = out.toString().replaceAll("\\s+", " ");
        assertTrue(help.contains("percentage of the maximum heap (-Xmx)"), help);
        assertTrue(help.contains("Default: 25% of the heap"), help);
    }
}
