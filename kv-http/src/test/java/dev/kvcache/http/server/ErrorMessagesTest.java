package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad flag, variable or start-up condition gets one sentence naming the flag or variable and the
 * rule, never a Java exception's text.
 */
class ErrorMessagesTest {
    @TempDir
    Path dir;

    /** Runs the command line, which must refuse to start with {@code status}; returns what it printed. */
    private static String refused(int status, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(status, ServerMain.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true)),
                () -> String.join(" ", args) + ": " + err);
        String message = err.toString();
        assertFalse(message.contains("java.") || message.contains("Exception"), message);
        return message;
    }

    private static String startFailure(String... args) {
        ServerConfig config = ServerConfig.parse(args, Map.of());
        Exception e = assertThrows(Exception.class, () -> KvServer.start(config, new FakeTicker()).close());
        String message = e.getMessage();
        assertTrue(message != null && !message.contains("java.") && !message.contains("Exception"), message);
        return message;
    }

    /** Found by http-hostile: these said {@code java.nio.file.NoSuchFileException} or {@code java.io.IOException}. */
    @Test
    void aSecretFileThatCannotBeReadIsOneSentenceNamingTheFlag() throws Exception {
        String missing = dir.resolve("missing.token").toString();
        assertEquals("--auth-token-file " + missing + ": no such file",
                firstLine(refused(2, Map.of(), "--port", "0", "--auth-token-file", missing)));
        assertEquals("--auth-token-file " + dir + " is a directory; give the file that holds the secret",
                firstLine(refused(2, Map.of(), "--port", "0", "--auth-token-file", dir.toString())));
        String keystore = TestKeystore.create(dir).file.toString();
        String message = startFailure("--port", "0", "--tls-keystore", keystore, "--tls-password-file", missing);
        assertTrue(message.contains("--tls-password-file " + missing + ": no such file"), message);
        // From the command line it is a configuration error, as for --auth-token-file: exit 2, before the start.
        assertEquals("--tls-password-file " + missing + ": no such file",
                firstLine(refused(2, Map.of(), "--port", "0", "--tls-keystore", keystore, "--tls-password-file", missing)));
    }

    @Test
    void aSnapshotInAMissingDirectoryNamesTheFlagAndTheDirectory() {
        Path file = dir.resolve("nowhere").resolve("cache.snap");
        String message = startFailure("--port", "0", "--snapshot", file.toString());
        assertTrue(message.contains("--snapshot " + file + ": the directory " + dir.resolve("nowhere")
                + " does not exist"), message);
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("");
    }

    @Test
    void aDurationThatIsNotOneNamesTheFlagAndTheForms() {
        String message = refused(2, Map.of(), "--ttl", "10x");
        assertTrue(message.startsWith("--ttl: invalid duration '10x'"), message);
        assertTrue(message.contains("1500ms, 10s, 1m, 2h"), message);
        assertFalse(message.contains("cannot convert"), message);
        assertTrue(refused(2, Map.of(), "--port", "10x").startsWith("--port: '10x' is not a port"));
        assertTrue(refused(2, Map.of(), "--threads", "many").startsWith("--threads: 'many' is not a whole number"));
    }

    @Test
    void aValueFromTheEnvironmentNamesTheVariableNotTheFlag() {
        String message = refused(2, Map.of("KV_TTL", "abc"));
        assertTrue(message.startsWith("KV_TTL (environment): invalid duration 'abc'"), message);
        assertFalse(message.contains("--ttl"), message);
        String threads = refused(2, Map.of("KV_THREADS", "2"));
        assertTrue(threads.startsWith("KV_THREADS (environment) must be in [8, 10000], was 2"), threads);
    }

    @Test
    void aTtlOverTheMaximumSaysTheMaximum() throws Exception {
        String message = refused(2, Map.of(), "--ttl", "10000000000000");
        assertTrue(message.contains("at most 3153600000000ms (100 years)"), message);
        try (TestServer server = new TestServer()) {
            HttpResponse<String> query = server.send(server.request("/k?ttl=10000000000000")
                    .POST(HttpRequest.BodyPublishers.ofString("v")));
            assertEquals(400, query.statusCode());
            assertTrue(query.body().contains("at most 3153600000000ms (100 years)"), query.body());
            HttpResponse<String> header = server.send(server.request("/k").header("Kv-Ttl", "5000000000000000")
                    .POST(HttpRequest.BodyPublishers.ofString("v")));
            assertEquals(400, header.statusCode());
            assertTrue(header.body().contains("at most 3153600000000ms (100 years)"), header.body());
        }
    }

    @Test
    void aByteBoundBelowTheEntryBoundExplainsTheRuleInTermsOfBoth() {
        String message = refused(2, Map.of(), "--max-bytes", "10");
        assertTrue(message.contains("--max-bytes (10 B) must be at least --max-entries (2000000)"), message);
        assertTrue(message.contains("at least 1 byte"), message);
        assertTrue(message.contains("raise --max-bytes or lower --max-entries"), message);
    }

    @Test
    void anUnresolvableHostIsNotReportedAsAnAuthenticationProblem() {
        String message = refused(2, Map.of(), "--host", "no-such-host.invalid");
        assertTrue(message.startsWith("--host: cannot resolve 'no-such-host.invalid' to an address"), message);
        assertFalse(message.contains("authentication"), message);
    }

    /** Found by hostile15: a blank --host listened on every interface (with --insecure), silently. */
    @Test
    void aBlankHostIsRefusedNotTakenForEveryInterface() {
        for (String blank : new String[] {"", " "}) {
            String message = refused(2, Map.of(), "--host", blank, "--insecure");
            assertTrue(message.startsWith("--host is blank: give an address"), message);
        }
    }

    @Test
    void aSnapshotThatNamesADirectoryNamesThePath() {
        String message = refused(2, Map.of(), "--snapshot", dir.toString());
        assertTrue(message.startsWith("--snapshot: " + dir + " is a directory"), message);
    }

    @Test
    void aTakenPortSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            // No warm-up: it runs before the bind, and would only delay the failure by 3 s.
            String message = startFailure("--port", Integer.toString(taken.getLocalPort()), "--warm-up", "0");
            assertEquals("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use (--port, --host):"
                    + " stop the process that holds it, or choose another port", message);
        }
    }

    @Test
    void aKeystoreWithoutItsPasswordSaysWhichVariableGivesIt() throws Exception {
        TestKeystore keystore = TestKeystore.create(dir);
        String message = startFailure("--port", "0", "--tls-keystore", keystore.file.toString());
        assertTrue(message.startsWith("--tls-keystore " + keystore.file + " needs its password"), message);
        assertTrue(message.contains("KV_TLS_PASSWORD"), message);
        assertFalse(message.contains("\"password\" is null"), message);

        String wrong = startFailure("--port", "0", "--tls-keystore", keystore.file.toString(), "--tls-password", "nope");
        assertTrue(wrong.startsWith("--tls-keystore " + keystore.file + ": wrong password"), wrong);
    }

    @Test
    void aFileThatIsNotAKeystoreSaysSo() throws Exception {
        Path notKeystore = Files.writeString(dir.resolve("server.pem"), "# a PEM file, say\n");
        String message = startFailure("--port", "0", "--tls-keystore", notKeystore.toString(), "--tls-password", "x");
        assertTrue(message.startsWith("--tls-keystore " + notKeystore + " is not a PKCS12 keystore"), message);
        assertFalse(message.contains("toDerInputStream"), message);
        String missing = startFailure("--port", "0", "--tls-keystore", dir.resolve("none.p12").toString(),
                "--tls-password", "x");
        assertTrue(missing.startsWith("--tls-keystore " + dir.resolve("none.p12") + ": no such file"), missing);
    }
}
