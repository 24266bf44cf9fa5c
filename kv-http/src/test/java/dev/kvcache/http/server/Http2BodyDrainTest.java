package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Over HTTP/2, a client that goes on uploading after a refusal (as curl does) gets to finish its upload,
 * within a bound, and its stream then ends without a reset ({@link Http2BodyDrain}); past the bound,
 * the stream is reset with {@code NO_ERROR} as before.
 */
class Http2BodyDrainTest {
    private static final int TRIES = 10;
    private static final int NO_ERROR = 0;
    private static final String TOO_LARGE = "Value too large: the limit is 65536 bytes\n";
    /** The drain's cap for a 64 KiB value limit: the 8 MiB floor. */
    private static final long CAP = 8L << 20;
    private static final int FRAME = 16 * 1024;

    private static TestServer server;
    private static H2Client h2c;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer("--max-value-bytes", "64KiB");
        h2c = new H2Client(server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        h2c.close();
        server.close();
    }

    @Test
    void aClientUploadingAfterThe413SendsItsWholeBodyAndGetsTheResponse() throws Exception {
        byte[] body = new byte[2_000_000];
        for (int i = 0; i < TRIES; i++) {
            for (long declared : new long[] {body.length, -1}) {
                long drainedBefore = server.server.drainedBytes();
                H2Client.Exchange exchange = h2c.upload("POST", "/kv/big", H2Client.fields(Map.of()), body, declared);
                String what = "try " + i + ", Content-Length " + declared + ": " + exchange;
                assertEquals(413, exchange.status(), what);
                assertEquals(TOO_LARGE, exchange.body(), what);
                assertEquals(body.length, exchange.sent(), what);
                assertEquals(-1, exchange.reset(), what);
                assertEquals(-1, exchange.goAway(), what);
                // All that the handler left unread, and no more.
                long drained = server.server.drainedBytes() - drainedBefore;
                assertTrue(drained > body.length - 2 * FRAME - 64 * 1024 && drained <= body.length, what + ", drained " + drained);
            }
        }
    }

    @Test
    void aDeclaredBodyOverTheCapIsResetAtOnce() throws Exception {
        byte[] body = new byte[(int) CAP + 1];
        long drainedBefore = server.server.drainedBytes();
        H2Client.Exchange exchange = h2c.upload("PUT", "/kv/big", H2Client.fields(Map.of()), body, body.length);
        assertEquals(413, exchange.status(), exchange.toString());
        assertEquals(TOO_LARGE, exchange.body(), exchange.toString());
        assertEquals(NO_ERROR, exchange.reset(), exchange.toString());
        assertTrue(exchange.sent() < body.length, exchange.toString());
        assertEquals(0, server.server.drainedBytes() - drainedBefore);
    }

    @Test
    void aBodyWithoutLengthIsDrainedUpToTheCapThenReset() throws Exception {
        byte[] body = new byte[(int) CAP * 3 / 2];
        long drainedBefore = server.server.drainedBytes();
        H2Client.Exchange exchange = h2c.upload("PUT", "/kv/big", H2Client.fields(Map.of()), body, -1);
        assertEquals(413, exchange.status(), exchange.toString());
        assertEquals(TOO_LARGE, exchange.body(), exchange.toString());
        assertEquals(NO_ERROR, exchange.reset(), exchange.toString());
        assertTrue(exchange.sent() < body.length, exchange.toString());
        long drained = server.server.drainedBytes() - drainedBefore;
        assertTrue(drained > CAP && drained <= CAP + FRAME, "drained " + drained);
    }

    @Test
    void theDrainStopsOnceTheIdleTimeoutHasPassedSinceTheResponse() throws Exception {
        byte[] body = new byte[4_000_000];
        long drainedBefore = server.server.drainedBytes();
        // The idle timeout (30 s by default) passes, by the server's ticker, after 1 MB was sent.
        H2Client.Exchange exchange = h2c.upload("PUT", "/kv/big", H2Client.fields(Map.of()), body, -1, 1_000_000,
                () -> server.ticker.advance(Duration.ofSeconds(31)));
        assertEquals(413, exchange.status(), exchange.toString());
        assertEquals(NO_ERROR, exchange.reset(), exchange.toString());
        assertTrue(exchange.sent() < body.length, exchange.toString());
        long drained = server.server.drainedBytes() - drainedBefore;
        assertTrue(drained < body.length, "drained " + drained);
    }
}
