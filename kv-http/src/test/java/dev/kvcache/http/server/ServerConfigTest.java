package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class ServerConfigTest {
    @Test
    void defaultsReproduceTheGoServerButListenOnLoopback() {
        ServerConfig config = ServerConfig.parse(new String[0], Map.of());
        assertEquals(8081, config.port);
        assertEquals(10_000, config.ttlMillis);
        assertEquals("127.0.0.1", config.host);
        assertFalse(config.listenAddress().allInterfaces());
        assertEquals(250, config.maxKeyBytes);
        assertEquals(1 << 20, config.maxValueBytes);
        assertEquals(8 * 1024, config.maxHeaderBytes);
        assertEquals(2_000_000, config.maxEntries);
        assertEquals(Runtime.getRuntime().maxMemory() / 4, config.maxBytes); // 25 % of -Xmx
        assertEquals(30_000, config.idleTimeoutMillis);
        assertEquals(10_000, config.shutdownTimeoutMillis);
        assertEquals(0, config.shutdownDelayMillis);
        assertEquals(3_000, config.warmUpMillis);
        assertFalse(config.accessLog);
    }

    /**
     * {@code --host *} is every interface for the rules (it need not resolve) and for protected mode, so the
     * listener must bind every interface too: Jetty took {@code *} for a name, and the start failed after
     * its warning with "Failed to bind to *&#47;&lt;unresolved&gt;". Built with a stop requested, so nothing is
     * bound: the connector is given no host, Jetty's every interface (IPv4 and IPv6).
     */
    @Test
    void aStarHostMakesAListenerOnEveryInterface() throws Exception {
        Starting stopped = new Starting();
        stopped.requestStop(); // the listener never opens
        KvServer kv = KvServer.start(ServerConfig.parse(new String[] {"--host", "*", "--insecure", "--port", "0",
                "--warm-up", "0"}, Map.of()), new dev.kvcache.core.testing.FakeTicker(), java.time.Clock.systemUTC(),
                stopped);
        try {
            org.eclipse.jetty.server.ServerConnector connector =
                    (org.eclipse.jetty.server.ServerConnector) kv.jetty().getConnectors()[0];
            assertEquals(null, connector.getHost(), "Jetty's every interface, not a host named '*'");
        } finally {
            kv.stop();
        }
        for (String host : new String[] {"0.0.0.0", "::", "[::]", "127.0.0.1", "[::1]", "localhost"}) {
            assertEquals(host, new ListenAddress(host).bindHost(), host + " is bound as given");
        }
    }

    @Test
    void flagsSetEverySetting() {
        ServerConfig config = ServerConfig.parse(new String[] {
            "-p", "9000", "--host", "0.0.0.0", "--ttl", "1m", "--max-key-bytes", "100", "--max-value-bytes", "64KiB",
            "--max-header-bytes", "16k", "--max-entries", "1000", "--max-bytes", "1GiB", "--idle-timeout", "5s",
            "--threads", "12", "--shutdown-timeout", "2s", "--shutdown-delay", "1500ms", "--access-log"}, Map.of());
        assertEquals(9000, config.port);
        assertTrue(config.listenAddress().allInterfaces());
        assertEquals(60_000, config.ttlMillis);
        assertEquals(100, config.maxKeyBytes);
        assertEquals(64 * 1024, config.maxValueBytes);
        assertEquals(16 * 1024, config.maxHeaderBytes);
        assertEquals(1000, config.maxEntries);
        assertEquals(1L << 30, config.maxBytes);
        assertEquals(5_000, config.idleTimeoutMillis);
        assertEquals(12, config.threads);
        assertEquals(2_000, config.shutdownTimeoutMillis);
        assertEquals(1_500, config.shutdownDelayMillis);
        assertTrue(config.accessLog);
    }

    @Test
    void everyFlagHasAnEnvironmentVariableAndTheCommandLineWins() {
        Map<String, String> env = Map.of("KV_PORT", "7000", "KV_TTL", "5s", "KV_MAX_VALUE_BYTES", "2MiB",
                "KV_ACCESS_LOG", "true", "KV_HOST", "::", "KV_SHUTDOWN_DELAY", "2s");
        ServerConfig fromEnv = ServerConfig.parse(new String[0], env);
        assertEquals(7000, fromEnv.port);
        assertEquals(5_000, fromEnv.ttlMillis);
        assertEquals(2L << 20, fromEnv.maxValueBytes);
        assertTrue(fromEnv.accessLog);
        assertTrue(fromEnv.listenAddress().allInterfaces());
        assertEquals(2_000, fromEnv.shutdownDelayMillis);

        ServerConfig flagWins = ServerConfig.parse(new String[] {"--port", "7001", "--no-access-log"}, env);
        assertEquals(7001, flagWins.port);
        assertFalse(flagWins.accessLog);
        assertEquals(5_000, flagWins.ttlMillis);
    }

    @Test
    void theHelpNamesEachFlagsVariable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path emptyFile = java.nio.file.Files.writeString(dir.resolve("kv.conf"), "");
        CommandLine commandLine = ServerConfig.commandLine(Map.of());
        CommandLine defaults = ServerConfig.commandLine(Map.of());
        ServerConfig.parse(defaults, new String[0]);
        String usage = HelpText.render(80).replaceAll("\\s+", " ");
        for (OptionSpec option : commandLine.getCommandSpec().options()) {
            if (!ConfigSources.isSetting(option)) {
                continue;
            }
            String variable = ServerConfig.environmentVariable(option);
            assertTrue(usage.contains("Env " + variable), variable + " missing from the help");
            // The variable really is read: it changes the option's value.
            String value = Map.ofEntries(Map.entry("--access-log", "true"), Map.entry("--max-bytes", "1GiB"),
                    Map.entry("--max-header-bytes", "2KiB"), Map.entry("--host", "::1"),
                    Map.entry("--shutdown-delay", "12s"), Map.entry("--protect-metrics", "false"),
                    Map.entry("--insecure", "true"), Map.entry("--snapshot-ignore-corrupt", "true"),
                    Map.entry("--config", emptyFile.toString()), Map.entry("--miss-status", "200"), Map.entry("--allow-flush", "true"), Map.entry("--batch-max-bytes", "2MiB"))
                    .getOrDefault(option.longestName(), "12");
            CommandLine withVariable = ServerConfig.commandLine(Map.of(variable, value));
            // These only mean something with a snapshot file or a keystore, and are refused without one.
            boolean needsSnapshot = option.longestName().startsWith("--snapshot-");
            boolean needsKeystore = option.longestName().startsWith("--tls-password");
            ServerConfig.parse(withVariable, needsSnapshot ? new String[] {"--snapshot", "kv.snapshot"}
                    : needsKeystore ? new String[] {"--tls-keystore", "server.p12"} : new String[0]);
            Object fromVariable = withVariable.getCommandSpec().findOption(option.longestName()).getValue();
            Object byDefault = defaults.getCommandSpec().findOption(option.longestName()).getValue();
            assertTrue(!fromVariable.equals(byDefault), variable + "=" + value + " left " + fromVariable);
        }
        assertEquals("KV_MAX_KEY_BYTES", ServerConfig.environmentVariable(commandLine.getCommandSpec().findOption("--max-key-bytes")));
    }

    @Test
    void invalidValuesAreRefused() {
        String[][] invalid = {
            {"--port", "70000"}, {"--port", "x"}, {"--ttl", "0"}, {"--ttl", "soon"}, {"--threads", "2"}, {"--threads", "100000"}, {"--accept-queue", "0"},
            {"--accept-queue", "100000"},
            {"--max-value-bytes", "2GiB"}, {"--max-bytes", "10", "--max-entries", "100"}, {"--max-key-bytes", "0"},
            {"--max-header-bytes", "10"}, {"--warm-up", "-1"}, {"--warm-up", "11s"}, {"--unknown"}};
        for (String[] args : invalid) {
            assertThrows(CommandLine.ParameterException.class, () -> ServerConfig.parse(args, Map.of()), String.join(" ", args));
        }
        assertThrows(CommandLine.ParameterException.class, () -> ServerConfig.parse(new String[0], Map.of("KV_TTL", "-1")));
        CommandLine.ParameterException tooLong = assertThrows(CommandLine.ParameterException.class,
                () -> ServerConfig.parse(new String[] {"--warm-up", "1m"}, Map.of()));
        assertTrue(tooLong.getMessage().contains("--warm-up must be at most 10000ms, was 60000ms"), tooLong.getMessage());
        assertEquals(0, ServerConfig.parse(new String[] {"--warm-up", "0"}, Map.of()).warmUpMillis);
    }

    @Test
    void helpVersionAndUsageErrorsExitWithoutStarting() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, ServerMain.run(new String[] {"--help"}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true)));
        assertTrue(out.toString().contains("--max-value-bytes"), out.toString());
        assertTrue(out.toString().contains("Usage: java -jar kvcache-server.jar"), out.toString());

        out.getBuffer().setLength(0);
        assertEquals(0, ServerMain.run(new String[] {"--version"}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true)));
        assertTrue(out.toString().startsWith("kvcache-server "), out.toString());

        assertEquals(2, ServerMain.run(new String[] {"--ttl", "forever"}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true)));
        assertTrue(err.toString().contains("invalid duration 'forever'"), err.toString());
        assertTrue(err.toString().contains("--help"), err.toString());
    }

    @Test
    void aTakenPortExitsWith1() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            StringWriter sink = new StringWriter();
            assertEquals(1, ServerMain.run(new String[] {"--port", Integer.toString(taken.getLocalPort())}, Map.of(),
                    new PrintWriter(sink, true), new PrintWriter(sink, true)));
        }
    }
}
