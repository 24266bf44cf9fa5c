package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Boolean settings take the words operators write in environment files, not only true and false. */
class BooleanSettingsTest {
    private static final List<String> TRUE = List.of("true", "TRUE", "1", "yes", "Yes", "on", "ON");
    private static final List<String> FALSE = List.of("false", "False", "0", "no", "NO", "off", "Off");

    @Test
    void everyBooleanVariableAcceptsTheUsualWords() {
        for (String variable : List.of("KV_INSECURE", "KV_ACCESS_LOG", "KV_SNAPSHOT_IGNORE_CORRUPT")) {
            for (String word : TRUE) {
                assertTrue(value(ServerConfig.parse(new String[] {"--snapshot", "kv.snapshot"}, Map.of(variable, word)),
                        variable), variable + "=" + word);
            }
        }
        for (String word : FALSE) {
            assertFalse(ServerConfig.parse(new String[0], Map.of("KV_PROTECT_METRICS", word)).protectMetrics, word);
        }
    }

    @Test
    void flagsTakeTheSameWordsAndNegationStillWorks() {
        assertTrue(ServerConfig.parse(new String[] {"--insecure=yes"}, Map.of()).insecure);
        assertFalse(ServerConfig.parse(new String[] {"--insecure=off"}, Map.of()).insecure);
        assertTrue(ServerConfig.parse(new String[] {"--insecure"}, Map.of()).insecure);
        assertFalse(ServerConfig.parse(new String[] {"--no-access-log"}, Map.of("KV_ACCESS_LOG", "on")).accessLog);
        assertFalse(ServerConfig.parse(new String[] {"--no-protect-metrics"}, Map.of()).protectMetrics);
        assertTrue(ServerConfig.parse(new String[] {"--protect-metrics"}, Map.of("KV_PROTECT_METRICS", "0")).protectMetrics);
    }

    @Test
    void anyOtherWordIsRefusedWithTheAcceptedOnes() {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> ServerConfig.parse(new String[0], Map.of("KV_INSECURE", "maybe")));
        assertEquals("KV_INSECURE (environment): 'maybe' is not a boolean: use true, yes, on or 1, or false, no,"
                + " off or 0 (any case)", e.getMessage());
        assertThrows(CommandLine.ParameterException.class, () -> ServerConfig.parse(new String[] {"--insecure=2"}, Map.of()));
    }

    private static boolean value(ServerConfig config, String variable) {
        return switch (variable) {
            case "KV_INSECURE" -> config.insecure;
            case "KV_ACCESS_LOG" -> config.accessLog;
            default -> config.snapshotIgnoreCorrupt;
        };
    }
}
