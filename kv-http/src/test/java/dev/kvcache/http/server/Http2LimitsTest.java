package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits answer over HTTP/2 as over HTTP/1.1 (413, 414, 431), with a response and not a reset stream
 * or a closed connection. Repeated, since the outcome raced with the arrival of the body.
 */
@Tag("heavy") // .ci/run runs it on JDK 17 only
class Http2LimitsTest {
    private static final int TRIES = 30;
    /** RFC 9113, 7: the error codes a stream may end with after a complete response. */
    private static final int NO_ERROR = 0;

    private static TestServer server;
    private static H2Client h2c;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer("--max-value-bytes", "64KiB", "--max-header-bytes", "8KiB");
        h2c = new H2Client(server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        h2c.close();
        server.close();
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        byte[] body = new byte[64 * 1024 + 1];
        for (int i = 0; i < TRIES; i++) {
            H2Client.Exchange exchange = h2c.exchange("PUT", "/kv/big", H2Client.fields(Map.of()), body, body.length);
            assertEquals(413, exchange.status(), "try " + i + ": " + exchange);
            assertEquals("Value too large: the limit is 65536 bytes\n", exchange.body(), "try " + i);
            // The server may tell the client to stop sending, but only without an error (RFC 9113, 8.1).
            assertTrue(exchange.reset() == -1 || exchange.reset() == NO_ERROR, "try " + i + ": " + exchange);
            assertEquals(-1, exchange.goAway(), "try " + i + ": " + exchange);
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws Exception {
        byte[] body = new byte[256 * 1024];
        for (int i = 0; i < TRIES; i++) {
            H2Client.Exchange exchange = h2c.exchange("PUT", "/kv/big", H2Client.fields(Map.of()), body, -1);
            assertEquals(413, exchange.status(), "try " + i + ": " + exchange);
            assertTrue(exchange.reset() == -1 || exchange.reset() == NO_ERROR, "try " + i + ": " + exchange);
            assertEquals(-1, exchange.goAway(), "try " + i + ": " + exchange);
        }
    }

    @Test
    void headersOverTheLimitAre431() throws Exception {
        for (int i = 0; i < TRIES; i++) {
            H2Client.Exchange exchange = h2c.exchange("GET", "/kv/k",
                    H2Client.fields(Map.of("X-Big", "x".repeat(9 * 1024))), null, -1);
            assertEquals(431, exchange.status(), "try " + i + ": " + exchange);
            assertEquals("Request Header Fields Too Large\n", exchange.body(), "try " + i);
            assertEquals(-1, exchange.goAway(), "try " + i + ": " + exchange);
        }
        // Just under the limit (HTTP/2's measure: the value, the name and 32 bytes a field) is served.
        H2Client.Exchange under = h2c.exchange("GET", "/kv/k", H2Client.fields(Map.of("X-Big", "x".repeat(7 * 1024))),
                null, -1);
        assertEquals(404, under.status(), under.toString());
    }

    /** As over HTTP/1.1, a request target over the limit on its own is 414, not 431 (found by http-hostile). */
    @Test
    void aRequestTargetOverTheLimitIs414() throws Exception {
        String path = "/kv/k?" + "x".repeat(9 * 1024);
        H2Client.Exchange exchange = h2c.exchange("GET", path, H2Client.fields(Map.of()), null, -1);
        assertEquals(414, exchange.status(), exchange.toString());
        assertEquals("URI Too Long\n", exchange.body());
        assertEquals(-1, exchange.goAway(), exchange.toString());
        try (RawHttp http1 = new RawHttp(server.port())) {
            http1.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(414, http1.read().status(), "HTTP/1.1 says 414");
        }
        // A target within the limit with headers that take it over is still 431.
        H2Client.Exchange headers = h2c.exchange("GET", "/kv/k?" + "x".repeat(5 * 1024),
                H2Client.fields(Map.of("X-Big", "x".repeat(4 * 1024))), null, -1);
        assertEquals(431, headers.status(), headers.toString());
    }

    /** The same over TLS, h2 by ALPN, with java.net.http. */
    @Test
    void overH2TheLimitsAre413And431(@TempDir Path dir) throws Exception {
        TestKeystore keystore = TestKeystore.create(dir);
        try (TestServer tls = new TestServer("--max-value-bytes", "64KiB", "--tls-keystore", keystore.file.toString(),
                "--tls-password", TestKeystore.PASSWORD)) {
            HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(keystore.clientContext()).build();
            URI uri = URI.create("https://127.0.0.1:" + tls.port() + "/kv/big");
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> tooLarge = h2.send(HttpRequest.newBuilder(uri)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[64 * 1024 + 1])).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(HttpClient.Version.HTTP_2, tooLarge.version());
                assertEquals(413, tooLarge.statusCode(), "try " + i);
                HttpResponse<String> headers = h2.send(HttpRequest.newBuilder(uri).header("X-Big", "x".repeat(9 * 1024))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(431, headers.statusCode(), "try " + i);
            }
        }
    }
}
