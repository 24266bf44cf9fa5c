package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.RawHttp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bearer-token authentication and the refusal to listen beyond loopback without it. */
class AuthTest {
    private static final String TOKEN = "s3cr3t-T0ken_with.chars~+/=";
    private static final String BEARER = "Bearer " + TOKEN;
    /** Shared by the tests, which need one server only. */
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer("--auth-token", TOKEN);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void withoutTheTokenEveryKeyRequestIs401AndStoresNothing() throws Exception {
        {
            HttpResponse<String> post = server.post("/refused1", "v1");
            assertEquals(401, post.statusCode());
            assertEquals("Unauthorized\n", post.body());
            assertEquals("Bearer realm=\"kvcache\"", post.headers().firstValue("WWW-Authenticate").orElse(null));
            assertEquals(401, server.put("/kv/refused2", "v2").statusCode());
            assertEquals(401, server.method("DELETE", "/kv/refused2").statusCode());
            assertEquals(401, server.get("/refused1").statusCode());
            assertEquals(401, server.send(server.request("/size").POST(
                    java.net.http.HttpRequest.BodyPublishers.noBody())).statusCode());

            // With the token: nothing was stored by the refused writes.
            assertEquals(404, server.send(server.request("/refused1").header("Authorization", BEARER).GET())
                    .statusCode());
            assertEquals(404, server.send(server.request("/kv/refused2").header("Authorization", BEARER).GET())
                    .statusCode());
        }
    }

    @Test
    void theRightTokenIsServedAndAWrongOneIsNot() throws Exception {
        {
            HttpResponse<String> post = server.send(server.request("/k1").header("Authorization", BEARER)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("v1")));
            assertEquals(200, post.statusCode());
            // The scheme is case-insensitive (RFC 7235).
            HttpResponse<String> get = server.send(server.request("/k1").header("Authorization", "bearer " + TOKEN).GET());
            assertEquals(200, get.statusCode());
            assertEquals("v1", get.body());

            for (String wrong : new String[] {"Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1),
                    "Bearer " + TOKEN.toUpperCase(java.util.Locale.ROOT), "Basic " + TOKEN, "Bearer", "Bearer ",
                    TOKEN, "Bearer caf\u00e9"}) {
                HttpResponse<String> refused = server.send(server.request("/k1").header("Authorization", wrong)
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("overwritten")));
                assertEquals(401, refused.statusCode(), wrong);
                assertEquals("Bearer realm=\"kvcache\", error=\"invalid_token\"",
                        refused.headers().firstValue("WWW-Authenticate").orElse(null), wrong);
            }
            assertEquals("v1", server.send(server.request("/k1").header("Authorization", BEARER).GET()).body());
        }
    }

    @Test
    void healthIsOpenAndMetricsAndStatsNeedTheTokenUnlessLeftOpen() throws Exception {
        {
            assertEquals(200, server.get("/health").statusCode());
            assertEquals(401, server.get("/metrics").statusCode());
            assertEquals(401, server.get("/stats").statusCode());
            assertEquals(200, server.send(server.request("/metrics").header("Authorization", BEARER).GET()).statusCode());
            assertEquals(200, server.send(server.request("/stats").header("Authorization", BEARER).GET()).statusCode());
        }
        try (TestServer open = new TestServer("--auth-token", TOKEN, "--no-protect-metrics")) {
            TestServer server = open;
            assertEquals(200, server.get("/health").statusCode());
            assertEquals(200, server.get("/metrics").statusCode());
            assertEquals(200, server.get("/stats").statusCode());
            assertEquals(401, server.get("/size").statusCode());
            assertEquals(401, server.get("/kv/metrics").statusCode());
        }
    }

    /**
     * docs/http.md "Keys and reserved names": encoded forms of the reserved names are judged as the handler
     * routes them. An escape of an unreserved character is that character (RFC 3986 6.2.2.2: /%68ealth is
     * /health), but an encoded '/' or '%' makes a key, which needs the token like every key; so no encoding
     * of a protected path reaches its resource without the token, and none of an open one escapes it.
     */
    @Test
    void encodedFormsOfReservedNamesNeedTheTokenAsTheRoutesTheyName() throws Exception {
        assertEquals("ok\n", server.get("/%68ealth").body());
        for (String key : new String[] {"/health%2F", "/health%25", "/health%2Fx", "/kv%2F", "/kv%2Fx", "/size%2F"}) {
            assertEquals(401, server.get(key).statusCode(), key + " is a key");
        }
        for (String resource : new String[] {"/%73ize", "/%6Detrics", "/%73tats", "/%6Bv/", "/%6B%76/x", "/health/../size"}) {
            assertEquals(401, server.get(resource).statusCode(), resource);
        }
        assertEquals(401, server.method("DELETE", "/%6Bv/?all").statusCode());
        try (TestServer open = new TestServer("--auth-token", TOKEN, "--no-protect-metrics")) {
            assertEquals(200, open.get("/%6Detrics").statusCode());
            assertEquals(200, open.get("/%73tats").statusCode());
            for (String key : new String[] {"/metrics%2F", "/stats%2F", "/metrics%25", "/stats%2F.."}) {
                assertEquals(401, open.get(key).statusCode(), key + " is a key");
            }
            assertEquals(401, open.get("/metrics/../size").statusCode());
        }
    }

    @Test
    void aRefusedWriteWithABodyClosesTheConnection() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(RawHttp.request("POST", "/refused3", "value"));
            RawHttp.Reply reply = raw.read();
            assertEquals(401, reply.status());
            assertEquals("close", reply.headers().get("connection"));
        }
    }

    @Test
    void theTokenCanComeFromAFileOrTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, TOKEN + "\n");
        try (TestServer fromFile = new TestServer("--auth-token-file", file.toString())) {
            TestServer server = fromFile;
            assertEquals(401, server.get("/k1").statusCode());
            assertEquals(404, server.send(server.request("/k1").header("Authorization", BEARER).GET()).statusCode());
        }
        assertEquals(TOKEN, Secrets.authToken(ServerConfig.parse(new String[0], Map.of("KV_AUTH_TOKEN", TOKEN))));
        assertThrows(CommandLine.ParameterException.class, () -> ServerConfig.parse(
                new String[] {"--auth-token", TOKEN, "--auth-token-file", file.toString()}, Map.of()));
        assertThrows(CommandLine.ParameterException.class, () -> ServerConfig.parse(
                new String[] {"--auth-token", "has space"}, Map.of()));
        Files.writeString(file, "\n");
        ServerConfig empty = ServerConfig.parse(new String[] {"--auth-token-file", file.toString()}, Map.of());
        assertThrows(IllegalArgumentException.class, () -> Secrets.authToken(empty));
        ServerConfig missing = ServerConfig.parse(new String[] {"--auth-token-file", dir.resolve("no").toString()},
                Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Secrets.authToken(missing));
        assertEquals("--auth-token-file " + dir.resolve("no") + ": no such file", e.getMessage());
    }

    @Test
    void tokenComparisonNeedsTheExactBytes() {
        BearerAuth auth = new BearerAuth(new KvHandler(KvHandlerOptions.defaults()), "abc", true, (method, status) -> { });
        assertTrue(auth.matches("Bearer abc"));
        assertTrue(auth.matches("BEARER  abc "));
        assertFalse(auth.matches("Bearer ab"));
        assertFalse(auth.matches("Bearer abcd"));
        assertFalse(auth.matches("Bearer abC"));
        assertFalse(auth.matches("Bearerabc"));
        assertFalse(auth.matches(null));
        assertFalse(auth.toString().contains("abc"));
        assertThrows(IllegalArgumentException.class, () -> new BearerAuth(auth, "", true, (m, s) -> { }));
        assertThrows(IllegalArgumentException.class, () -> new BearerAuth(auth, "a\u0000b", true, (m, s) -> { }));
        assertThrows(IllegalArgumentException.class, () -> new BearerAuth(auth, "x".repeat(1025), true, (m, s) -> { }));
    }

    @Test
    void aNonLoopbackAddressWithoutATokenIsRefusedUnlessInsecure() {
        for (String host : new String[] {"0.0.0.0", "::", "*", "192.0.2.1"}) {
            ServerConfig config = ServerConfig.parse(new String[] {"--host", host}, Map.of());
            String refusal = Secrets.protectedModeRefusal(config, null);
            assertNotNull(refusal, host);
            assertTrue(refusal.contains("without authentication") && refusal.contains("--insecure")
                    && refusal.contains("KV_AUTH_TOKEN"), refusal);
            assertNull(Secrets.protectedModeRefusal(config, TOKEN), host);
            assertNull(Secrets.protectedModeRefusal(
                    ServerConfig.parse(new String[] {"--host", host, "--insecure"}, Map.of()), null), host);
            assertThrows(IllegalArgumentException.class, () -> KvServer.start(config, new FakeTicker()), host);
        }
        for (String host : new String[] {"127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"}) {
            assertNull(Secrets.protectedModeRefusal(ServerConfig.parse(new String[] {"--host", host}, Map.of()), null),
                    host);
        }
    }

    @Test
    void theCommandLineExitsWith2AndExplains() {
        StringWriter err = new StringWriter();
        int status = ServerMain.run(new String[] {"--host", "0.0.0.0", "--port", "0"}, Map.of(),
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(2, status);
        assertTrue(err.toString().startsWith("Refusing to listen on 0.0.0.0 without authentication"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), "one paragraph: " + err);
    }

    /**
     * The command line reads {@code --auth-token-file} once: a pipe, which holds the secret for one read (bash's
     * {@code --auth-token-file <(pass show kv)}), must not be read again by the server it starts. It was:
     * {@link ServerMain} read it for protected mode, then {@link KvServer} read it again, got nothing, and the
     * start failed with "must hold 1 to 1024 visible ASCII characters". Here the pipe answers a second read
     * with nothing too; the start then goes on to fail only on its port, taken by the test, so that the
     * server never runs.
     */
    @Test
    void theCommandLineReadsATokenFileOnlyOnce(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("token.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, TOKEN + "\n"); // once a reader opened the pipe
                while (true) {
                    Files.writeString(fifo, ""); // any later reader gets nothing
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "token-pipe");
        writer.setDaemon(true);
        writer.start();
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
            int status = ServerMain.run(new String[] {"--auth-token-file", fifo.toString(), "--port",
                    Integer.toString(taken.getLocalPort()), "--warm-up", "0"}, Map.of(),
                    new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
            System.setErr(stderr);
            String logged = log.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(KvServer.EXIT_CANNOT_START, status, logged);
            assertTrue(logged.contains("Cannot start: port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"),
                    "the start got past the token, read once, to the taken port: " + logged);
        } finally {
            System.setErr(stderr);
        }
    }
}
