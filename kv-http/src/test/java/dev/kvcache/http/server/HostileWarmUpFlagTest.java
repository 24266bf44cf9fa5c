package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --warm-up} as docs/http.md's configuration table and "Durations take ms, s, m, h (bare numbers are
 * milliseconds)" describe it: default 3s, 0 in any form for none, at most 10s; from the flag, the
 * environment and a config file alike, shown by {@code --print-config} with its source, and refused in one
 * sentence that names where the value came from.
 */
class HostileWarmUpFlagTest {
    @TempDir
    Path dir;

    @Test
    void everyPromisedFormParses() {
        Map<String, Long> forms = Map.of("0", 0L, "0ms", 0L, "0s", 0L, "0m", 0L, "300ms", 300L, "1s", 1_000L,
                "10s", 10_000L, "1500", 1_500L, "10000", 10_000L, " 2s ", 2_000L);
        forms.forEach((text, millis) -> {
            assertEquals(millis, ServerConfig.parse(new String[] {"--warm-up", text}, Map.of()).warmUpMillis, text);
            assertEquals(millis, ServerConfig.parse(new String[] {"--warm-up=" + text}, Map.of()).warmUpMillis, text);
            assertEquals(millis, ServerConfig.parse(new String[0], Map.of("KV_WARM_UP", text)).warmUpMillis, text);
        });
        assertEquals(3_000, ServerConfig.parse(new String[0], Map.of()).warmUpMillis);
    }

    @Test
    void negativeOverTheMaximumAndGarbageAreRefusedNamingTheSource() {
        for (String bad : new String[] {"-1", "-1s", "10001", "10001ms", "11s", "1m", "1h", "soon", "1.5s", "", "1 s",
                "99999999999999999999"}) {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                    () -> ServerConfig.parse(new String[] {"--warm-up", bad}, Map.of()), bad);
            assertTrue(e.getMessage().contains("--warm-up"), bad + ": " + e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), bad + ": " + e.getMessage());
        }
        CommandLine.ParameterException env = assertThrows(CommandLine.ParameterException.class,
                () -> ServerConfig.parse(new String[0], Map.of("KV_WARM_UP", "11s")));
        assertTrue(env.getMessage().contains("KV_WARM_UP"), env.getMessage());
    }

    @Test
    void printConfigShowsItWithItsSource() throws Exception {
        assertEquals("KV_WARM_UP=3s  # default", line(run(Map.of(), "--print-config")));
        assertEquals("KV_WARM_UP=1s  # flag --warm-up", line(run(Map.of(), "--print-config", "--warm-up", "1s")));
        assertEquals("KV_WARM_UP=0  # environment KV_WARM_UP", line(run(Map.of("KV_WARM_UP", "0"), "--print-config")));
        Path file = Files.writeString(dir.resolve("kv.conf"), "KV_WARM_UP=2s\n");
        assertEquals("KV_WARM_UP=2s  # file " + file + ":1", line(run(Map.of(), "--print-config", "--config", file.toString())));
        assertEquals(2_000, ServerConfig.parse(new String[] {"--config", file.toString()}, Map.of()).warmUpMillis);
    }

    private static String run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = ServerMain.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, status, err.toString());
        return out.toString();
    }

    private static String line(String out) {
        return out.lines().filter(l -> l.startsWith("KV_WARM_UP=")).findFirst()
                .orElseThrow(() -> new AssertionError("KV_WARM_UP missing: " + out));
    }
}
