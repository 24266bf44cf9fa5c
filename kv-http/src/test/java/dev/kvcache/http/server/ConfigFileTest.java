package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --config FILE} (or {@code KV_CONFIG}): the variables' names in a file, behind flags and the
 * environment, ahead of the defaults; {@code --print-config} shows where each setting came from.
 */
class ConfigFileTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = ServerMain.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    private Path file(String... lines) throws Exception {
        return Files.writeString(Files.createTempFile(dir, "kv", ".conf"), String.join("\n", lines) + "\n");
    }

    /** @return the --print-config line of a variable */
    private static String line(Run run, String variable) {
        assertEquals(0, run.status(), run.err());
        return run.out().lines().filter(l -> l.startsWith(variable + "=") || l.startsWith("# " + variable + " "))
                .findFirst().orElseThrow(() -> new AssertionError(variable + " missing: " + run.out()));
    }

    @Test
    void precedenceIsFlagThenEnvironmentThenFileThenDefault() throws Exception {
        Path config = file("# the file's port", "KV_PORT=3000");
        // Every combination of the three sources for one setting: which wins, and what --print-config says.
        record Row(boolean flag, boolean env, boolean file, String port, String source) {}
        List<Row> table = List.of(
                new Row(false, false, false, "8081", "default"),
                new Row(false, false, true, "3000", "file " + config + ":2"),
                new Row(false, true, false, "2000", "environment KV_PORT"),
                new Row(false, true, true, "2000", "environment KV_PORT"),
                new Row(true, false, false, "1000", "flag --port"),
                new Row(true, false, true, "1000", "flag --port"),
                new Row(true, true, false, "1000", "flag --port"),
                new Row(true, true, true, "1000", "flag --port"));
        for (Row row : table) {
            List<String> args = new ArrayList<>(List.of("--print-config"));
            Map<String, String> env = new HashMap<>();
            if (row.flag()) {
                args.addAll(List.of("--port", "1000"));
            }
            if (row.env()) {
                env.put("KV_PORT", "2000");
            }
            if (row.file()) {
                args.addAll(List.of("--config", config.toString()));
            }
            assertEquals("KV_PORT=" + row.port() + "  # " + row.source(), line(run(env, args.toArray(String[]::new)),
                    "KV_PORT"), row.toString());
            assertEquals(Integer.parseInt(row.port()), ServerConfig.parse(args.toArray(String[]::new), env).port, row.toString());
        }
    }

    @Test
    void theFileCanBeNamedByKvConfigAndUsesTheVariablesNamesAndForms() throws Exception {
        Path config = file("", "  KV_TTL = 30s  ", "KV_HOST=\"::1\"", "KV_ACCESS_LOG=yes", "KV_AUTH_TOKEN=s3cret-token",
                "KV_MAX_BYTES=10%", "KV_THREADS=");
        Run run = run(Map.of("KV_CONFIG", config.toString()), "--print-config");
        assertEquals("KV_TTL=30s  # file " + config + ":2", line(run, "KV_TTL"));
        assertEquals("KV_HOST=::1  # file " + config + ":3", line(run, "KV_HOST"));
        assertEquals("KV_ACCESS_LOG=true  # file " + config + ":4", line(run, "KV_ACCESS_LOG"));
        assertEquals("KV_AUTH_TOKEN=********  # file " + config + ":5", line(run, "KV_AUTH_TOKEN"));
        assertFalse(run.out().contains("s3cret-token"), run.out());
        assertTrue(line(run, "KV_MAX_BYTES").matches("KV_MAX_BYTES=10%  # [0-9.]+ [KMGT]iB of this heap, file .*:6"),
                line(run, "KV_MAX_BYTES"));
        assertEquals("KV_THREADS=32  # default", line(run, "KV_THREADS")); // blank: unset, as in the environment
        assertEquals("KV_CONFIG=" + config + "  # environment KV_CONFIG", line(run, "KV_CONFIG"));
        assertEquals("# KV_SNAPSHOT is not set", line(run, "KV_SNAPSHOT"));
        assertTrue(run.out().lines().noneMatch(l -> l.contains("PRINT_CONFIG") || l.contains("KV_HELP")), run.out());

        ServerConfig parsed = ServerConfig.parse(new String[0], Map.of("KV_CONFIG", config.toString()));
        assertEquals(30_000, parsed.ttlMillis);
        assertEquals("::1", parsed.host);
        assertTrue(parsed.accessLog);
    }

    @Test
    void printConfigShowsFlagsAndMasksSecretsFromEverySource() {
        Run run = run(Map.of("KV_TLS_PASSWORD", "hunter2"), "--print-config", "--auth-token", "flag-token",
                "--no-protect-metrics", "--ttl", "1m", "--tls-keystore", "server.p12");
        assertEquals("KV_AUTH_TOKEN=********  # flag --auth-token", line(run, "KV_AUTH_TOKEN"));
        assertEquals("KV_TLS_PASSWORD=********  # environment KV_TLS_PASSWORD", line(run, "KV_TLS_PASSWORD"));
        assertEquals("KV_PROTECT_METRICS=false  # flag --protect-metrics", line(run, "KV_PROTECT_METRICS"));
        assertEquals("KV_TTL=1m  # flag --ttl", line(run, "KV_TTL"));
        assertFalse(run.out().contains("flag-token") || run.out().contains("hunter2"), run.out());
        assertFalse(run.err().contains("Starting server"), run.err());
    }

    @Test
    void anUnknownNameIsRefusedWithItsLineAndTheClosestName() throws Exception {
        Path config = file("KV_PORT=8081", "# fine", "KV_PROT=9000");
        Run run = run(Map.of(), "--config", config.toString());
        assertEquals(2, run.status());
        assertTrue(run.err().startsWith("--config: " + config + ":3: unknown setting KV_PROT; did you mean KV_PORT?"),
                run.err());
        Run lower = run(Map.of(), "--config", file("max-bytes=1GiB").toString());
        assertTrue(lower.err().contains("unknown setting max-bytes; did you mean KV_MAX_BYTES?"), lower.err());
        Run far = run(Map.of(), "--config", file("COLOUR=blue").toString());
        assertTrue(far.err().contains("unknown setting COLOUR (the names"), far.err());
    }

    /** Windows editors start UTF-8 files with a byte order mark; it was read as part of the first name. */
    @Test
    void aByteOrderMarkIsNotPartOfTheFirstName() throws Exception {
        Path config = file("\uFEFFKV_PORT=18305", "KV_TTL=5s");
        assertEquals("KV_PORT=18305  # file " + config + ":1", line(run(Map.of(), "--config", config.toString(),
                "--print-config"), "KV_PORT"));
    }

    /** Like --snapshot-interval without --snapshot: a keystore password without a keystore is refused, not ignored. */
    @Test
    void aKeystorePasswordWithoutAKeystoreIsRefused() throws Exception {
        Run flag = run(Map.of(), "--tls-password", "changeit", "--print-config");
        assertEquals(2, flag.status(), flag.out());
        assertTrue(flag.err().startsWith("--tls-password needs --tls-keystore FILE (or KV_TLS_KEYSTORE): without a"
                + " keystore the server serves cleartext HTTP"), flag.err());
        Run env = run(Map.of("KV_TLS_PASSWORD_FILE", "/etc/pw"), "--print-config");
        assertEquals(2, env.status(), env.out());
        assertTrue(env.err().startsWith("KV_TLS_PASSWORD_FILE (environment) needs --tls-keystore FILE"), env.err());
    }

    @Test
    void badLinesAndBadValuesNameTheFileAndLine() throws Exception {
        Path twice = file("KV_PORT=1", "KV_PORT=2");
        assertTrue(run(Map.of(), "--config", twice.toString()).err()
                .startsWith("--config: " + twice + ":2: KV_PORT is set twice (first on line 1)"));
        Path noEquals = file("KV_PORT 8081");
        assertTrue(run(Map.of(), "--config", noEquals.toString()).err()
                .startsWith("--config: " + noEquals + ":1: expected NAME=VALUE"));
        Path itself = file("KV_CONFIG=/etc/other.conf");
        assertTrue(run(Map.of(), "--config", itself.toString()).err().contains(":1: KV_CONFIG names the config file"));
        Path badTtl = file("KV_PORT=8081", "KV_TTL=10x");
        Run run = run(Map.of(), "--config", badTtl.toString());
        assertEquals(2, run.status());
        assertTrue(run.err().startsWith("KV_TTL (" + badTtl + ":2): invalid duration '10x'"), run.err());
        Path fewThreads = file("KV_THREADS=2");
        assertTrue(run(Map.of(), "--config", fewThreads.toString()).err()
                .startsWith("KV_THREADS (" + fewThreads + ":1) must be in [8, 10000], was 2"));
        Run missing = run(Map.of("KV_CONFIG", dir.resolve("none.conf").toString()));
        assertEquals(2, missing.status());
        assertTrue(missing.err().startsWith("KV_CONFIG (environment): " + dir.resolve("none.conf") + ": no such file"),
                missing.err());
    }
}
