package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the server says about itself at start, and the access log's line. */
class StartupLogTest {
    @TempDir
    Path dir;

    @Test
    void theRuntimeLineNamesVersionPidJavaAndHeapInHumanUnits() {
        String line = StartupLog.runtime();
        assertTrue(line.startsWith("kvcache-server "), line);
        assertTrue(line.contains(", PID " + ProcessHandle.current().pid() + ", Java " + Runtime.version() + " ("
                + System.getProperty("java.vendor") + "), max heap "), line);
        assertTrue(line.matches(".*max heap [0-9.]+ [KMGT]iB, collector \\S+"), line);
    }

    @Test
    void theRuntimeLineNamesTheCollectorThisJvmRuns() {
        String beans = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().toString();
        String collector = StartupLog.collector();
        assertTrue(StartupLog.runtime().endsWith(", collector " + collector), StartupLog.runtime());
        // Surefire's JVM runs the default collector here: G1 on a server-class machine, Serial on one CPU.
        assertTrue(collector.equals("G1") || collector.equals("Serial") || collector.equals("Parallel")
                || collector.equals("Shenandoah") || collector.equals("ZGC"), collector + " from " + beans);
    }

    @Test
    void sizesAndDurationsAreInHumanUnits() {
        assertEquals("250 B", ByteSizes.format(250));
        assertEquals("1 MiB", ByteSizes.format(1 << 20));
        assertEquals("1.4 GiB", ByteSizes.format(1580204032L));
        assertEquals("8 KiB", ByteSizes.format(8192));
        assertEquals("30s", StartupLog.duration(30_000));
        assertEquals("1500ms", StartupLog.duration(1_500));
        assertEquals("5m", StartupLog.duration(300_000));
        assertEquals("2h", StartupLog.duration(7_200_000));
    }

    @Test
    void ipv6AddressesAreBracketedInTheUrl() {
        assertEquals("http://[::1]:18110", StartupLog.url("http", "::1", 18110));
        assertEquals("https://[::]:8081", StartupLog.url("https", "::", 8081));
        assertEquals("http://[::1]:8081", StartupLog.url("http", "[::1]", 8081));
        assertEquals("http://127.0.0.1:8081", StartupLog.url("http", "127.0.0.1", 8081));
        assertEquals("http://localhost:8081", StartupLog.url("http", "localhost", 8081));
    }

    @Test
    void theListeningLineNamesTheUrlTheWaitAndEveryBound() {
        ServerConfig plain = ServerConfig.parse(new String[] {"--max-bytes", "64MiB"}, Map.of());
        String line = StartupLog.listening(plain, plain.handlerOptions().build(), 8081, false, 42);
        assertTrue(line.matches("Listening on http://127\\.0\\.0\\.1:8081 in 42 ms, \\d+ ms after the JVM started"
                + " \\(max key 250 B, max value 1 MiB, max 2000000 entries / 64 MiB, " + plain.poolThreads
                + " threads, idle timeout 30s, max 16384 connections, accept queue 4096, access log off,"
                + " HTTP/1\\.1 and h2c, no authentication\\)"), line);
        ServerConfig secure = ServerConfig.parse(new String[] {"--host", "::1", "--tls-keystore", "kv.p12",
            "--access-log", "--idle-timeout", "1500ms", "--max-bytes", "64MiB"}, Map.of());
        String tls = StartupLog.listening(secure, secure.handlerOptions().build(), 8443, true, 7);
        assertTrue(tls.startsWith("Listening on https://[::1]:8443 in 7 ms, ") && tls.endsWith(" threads, idle timeout"
                + " 1500ms, max 16384 connections, accept queue 4096, access log on, TLS: h2 and HTTP/1.1, bearer token"
                + " required but for /health)"), tls);
        ServerConfig open = ServerConfig.parse(new String[] {"--no-protect-metrics", "--max-bytes", "64MiB"}, Map.of());
        String scraped = StartupLog.listening(open, open.handlerOptions().build(), 8081, true, 0);
        assertTrue(scraped.endsWith(", bearer token required but for /health, /metrics, /stats)"), scraped);
    }

    @Test
    void theCertificateIsShownAndWarnedAboutNearOrPastItsExpiry() throws Exception {
        TestKeystore keystore = TestKeystore.create(dir); // valid for 2 days
        Keystores.ServerCertificate certificate = Keystores.open(keystore.file, TestKeystore.PASSWORD);
        assertEquals("CN=localhost", certificate.subject());
        Instant now = Instant.now();
        StartupLog.Line soon = StartupLog.certificate(certificate, now);
        assertTrue(soon.warning(), soon.text());
        assertTrue(soon.text().startsWith("TLS certificate CN=localhost expires on ") && soon.text().contains(", in 1 days")
                || soon.text().contains(", in 2 days"), soon.text());
        StartupLog.Line expired = StartupLog.certificate(certificate, now.plus(Duration.ofDays(5)));
        assertTrue(expired.warning() && expired.text().contains(" expired on "), expired.text());
        Keystores.ServerCertificate lasting = new Keystores.ServerCertificate("CN=cache.example",
                now.plus(Duration.ofDays(90)), "");
        StartupLog.Line fine = StartupLog.certificate(lasting, now);
        assertFalse(fine.warning(), fine.text());
        assertTrue(fine.text().startsWith("TLS certificate CN=cache.example, valid until "), fine.text());
    }

    @Test
    void aSnapshotIntervalWithoutASnapshotIsRefused() {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> ServerConfig.parse(new String[0], Map.of("KV_SNAPSHOT_INTERVAL", "1s")));
        assertEquals("KV_SNAPSHOT_INTERVAL (environment) needs --snapshot FILE (or KV_SNAPSHOT): without a file"
                + " there is nothing to write", e.getMessage());
        assertThrows(CommandLine.ParameterException.class,
                () -> ServerConfig.parse(new String[] {"--snapshot-ignore-corrupt"}, Map.of()));
        assertEquals(1_000, ServerConfig.parse(new String[] {"--snapshot", "kv.snapshot"},
                Map.of("KV_SNAPSHOT_INTERVAL", "1s")).snapshotIntervalMillis);
    }

    @Test
    void theAccessLogHasNoTimestampOfItsOwnAndDashesForMissingFields() throws Exception {
        String log = capturingStderr(() -> {
            try (TestServer server = new TestServer("--access-log")) {
                server.send(server.request("/missing").header("User-Agent", "probe \"quoted\"").GET());
                server.send(server.request("/k").header("Referer", "http://example/").POST(HttpRequest.BodyPublishers.ofString("v1")));
            }
        });
        String get = log.lines().filter(l -> l.contains("GET /missing")).findFirst().orElseThrow(() -> new AssertionError(log));
        assertTrue(get.matches(".*127\\.0\\.0\\.1 - \"GET /missing HTTP/1\\.1\" 404 0 \"-\" \"probe \\\\\"quoted\\\\\"\" \\d+ms"), get);
        assertFalse(get.matches(".*\\[\\d{2}/\\w{3}/\\d{4}:.*"), "a second timestamp: " + get);
        String post = log.lines().filter(l -> l.contains("POST /k")).findFirst().orElseThrow(() -> new AssertionError(log));
        assertTrue(post.matches(".*\"POST /k HTTP/1\\.1\" 200 2 \"http://example/\" \"[^\"]+\" \\d+ms"), post);
    }

    interface Action {
        void run() throws Exception;
    }

    /** slf4j-simple writes to whatever {@code System.err} is at the time of each line. */
    static String capturingStderr(Action action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
