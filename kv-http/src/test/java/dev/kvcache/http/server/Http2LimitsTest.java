package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limits answer over HTTP/2 as over HTTP/1.1 (413, 431), with a response and not a reset stream
 * or a closed connection. Repeated, since the outcome raced with the arrival of the body.
 */
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
            assertEquals(-1, exchange.goAway(), "try " + i + ": " + exchange);
        }
    }
}
