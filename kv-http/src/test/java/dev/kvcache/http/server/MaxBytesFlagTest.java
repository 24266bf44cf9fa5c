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
        assertEquals((long) (MAX_HEAP * 0.75), ServerConfig.parse(new String[] {"--max-bytes", "75%"}, Map.of()).maxBytes);
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
        assertEquals(0, ServerMain.run(new String[] {"--help"}, Map.of(), new PrintWriter(out), err));
        String help = out.toString().replaceAll("\\s+", " ");
        assertTrue(help.contains("percentage of the maximum heap (-Xmx)"), help);
        assertTrue(help.contains("Default: 25% of the heap"), help);
    }

    // Issue 11 item 5: a bound larger than the heap was accepted, and writes then failed with 500
    // OutOfMemoryError. Any bound above 75 % of the heap is now refused at start, in one sentence.
    @Test
    void aByteBoundTheHeapCannotHoldIsRefusedWithTheNumbersAndTheRule() {
        for (String tooLarge : new String[] {"76%", "100%", ((long) (MAX_HEAP * 0.75) + 1) + "", (MAX_HEAP * 2) + ""}) {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                    () -> ServerConfig.parse(new String[] {"--max-bytes", tooLarge}, Map.of()), tooLarge);
            assertTrue(e.getMessage().startsWith("--max-bytes ("), e.getMessage());
            assertTrue(e.getMessage().matches("--max-bytes \\(\\d+(\\.\\d)? [KMGT]iB\\) is more than 75% of the maximum heap"
                    + " \\(\\d+(\\.\\d)? [KMGT]iB, set by -Xmx\\): .*, so lower --max-bytes to at most \\d+(\\.\\d)? [KMGT]iB"
                    + " or give the JVM a larger -Xmx"), e.getMessage());
        }
        assertThrows(CommandLine.ParameterException.class,
                () -> ServerConfig.parse(new String[0], Map.of("KV_MAX_BYTES", "90%")));
    }

    @Test
    void theRunRefusesItWithExitStatus2BeforeStarting() {
        StringWriter err = new StringWriter();
        int status = ServerMain.run(new String[] {"--port", "0", "--max-bytes", (MAX_HEAP * 2) + ""}, Map.of(),
                new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertEquals(2, status);
        assertTrue(err.toString().contains("is more than 75% of the maximum heap"), err.toString());
    }
}
