package dev.kvcache.http;

import dev.kvcache.http.server.TestServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Key, value and header limits, and the entry/byte bounds, against a server with small limits. */
class LimitsTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer("--max-value-bytes", "1KiB", "--max-header-bytes", "4KiB");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void keysUpTo250BytesAreAccepted() throws Exception {
        assertEquals(204, server.put("/" + "k".repeat(250), "v").statusCode());
        HttpResponse<String> tooLong = server.put("/" + "k".repeat(251), "v");
        assertEquals(414, tooLong.statusCode());
        assertEquals("Key too long: the limit is 250 bytes\n", tooLong.body());
        assertEquals(414, server.get("/kv/" + "k".repeat(251)).statusCode());
        // Measured in UTF-8: 126 x 'é' is 252 bytes.
        assertEquals(414, server.put("/kv/" + "%C3%A9".repeat(126), "v").statusCode());
        assertEquals(204, server.put("/kv/" + "%C3%A9".repeat(125), "v").statusCode());
    }

    @Test
    void valuesUpToTheLimitAreAccepted() throws Exception {
        String atLimit = "x".repeat(1024);
        assertEquals(atLimit, server.post("/big", atLimit).body());
        HttpResponse<String> over = server.post("/big", atLimit + "y");
        assertEquals(413, over.statusCode());
        assertEquals("Value too large: the limit is 1024 bytes\n", over.body());
        assertEquals(atLimit, server.get("/big").body());
    }

    @Test
    void anOversizedContentLengthIsRefusedBeforeTheBodyIsSent() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            // The body never comes: the answer must not wait for it.
            raw.send("PUT /huge HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
            assertEquals(413, raw.read().status());
        }
        try (RawHttp raw = new RawHttp(server.port())) {
            // What curl sends for bodies over 1 MiB: it waits for "100 Continue" before sending the body.
            raw.send("PUT /huge HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(413, raw.read().status());
        }
        assertEquals(404, server.get("/huge").statusCode());
    }

    @Test
    void anOversizedChunkedBodyIsRefused() throws Exception {
        byte[] body = new byte[4096];
        HttpResponse<String> chunked = server.send(server.request("/chunked")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
        assertEquals(413, chunked.statusCode());
        assertEquals(404, server.get("/chunked").statusCode());
    }

    @Test
    void chunkedBodiesAndBodiesArrivingInPiecesAreReadWhole() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("POST /pieces HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            Thread.sleep(50); // the server has read the first chunk and is waiting on demand
            raw.send("6\r\n world\r\n0\r\n\r\n");
            RawHttp.Reply reply = raw.read();
            assertEquals(200, reply.status());
            assertEquals("hello world", reply.body());

            raw.send("PUT /pieces2 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234");
            Thread.sleep(50);
            raw.send("56789");
            assertEquals(204, raw.read().status());
        }
        assertEquals("hello world", server.get("/pieces").body());
        assertEquals("0123456789", server.get("/pieces2").body());
    }

    @Test
    void aRejectedBodyClosesTheConnectionAndOthersKeepIt() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(RawHttp.request("GET", "/", null) + RawHttp.request("GET", "/" + "k".repeat(300), null));
            assertEquals(400, raw.read().status());
            RawHttp.Reply tooLong = raw.read();
            assertEquals(414, tooLong.status());
            assertEquals(null, tooLong.headers().get("connection"));
            // A body the server will not read: it says it closes, then does.
            // (ttl=never is valid since TtlOperationTest's operations; "soon" is not.)
            raw.send(RawHttp.request("PUT", "/k?ttl=soon", "value"));
            RawHttp.Reply badTtl = raw.read();
            assertEquals(400, badTtl.status());
            assertEquals("close", badTtl.headers().get("connection"));
            assertEquals("", raw.readToEnd());
        }
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("GET /k HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(5000) + "\r\n\r\n");
            assertEquals(431, raw.read().status());
        }
    }

    @Test
    void anOversizedRequestLineIs414() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(414, raw.read().status());
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        try (TestServer quick = new TestServer("--idle-timeout", "300ms"); RawHttp raw = new RawHttp(quick.port())) {
            raw.send(RawHttp.request("GET", "/health", null));
            assertEquals(200, raw.read().status());
            long begin = System.nanoTime();
            assertEquals("", raw.readToEnd()); // blocks until the server closes it
            long millis = (System.nanoTime() - begin) / 1_000_000;
            // Generous margins: a loaded 2-core machine can delay the close, never advance it much.
            assertTrue(millis >= 200 && millis < 8_000, "closed after " + millis + " ms");
        }
    }

    @Test
    void theEntryBoundEvicts() throws Exception {
        try (TestServer small = new TestServer("--max-entries", "100", "--max-bytes", "1MiB")) {
            for (int i = 0; i < 1000; i++) {
                small.put("/e" + i, "v");
            }
            assertTrue(Long.parseLong(small.get("/size").body()) <= 100, small.get("/size").body());
            JsonNode stats = new ObjectMapper().readTree(small.get("/stats").body());
            assertTrue(stats.get("evictions").asLong() >= 900, stats.toString());
        }
    }

    @Test
    void theByteBoundEvicts() throws Exception {
        try (TestServer small = new TestServer("--max-entries", "1000", "--max-bytes", "10KiB")) {
            String value = "v".repeat(1000);
            for (int i = 0; i < 100; i++) {
                small.put("/b" + i, value);
            }
            JsonNode stats = new ObjectMapper().readTree(small.get("/stats").body());
            assertTrue(stats.get("bytes").asLong() <= 10 * 1024, stats.toString());
            assertTrue(stats.get("entries").asLong() <= 10, stats.toString());
            assertTrue(stats.get("entries").asLong() >= 5, "a bound is not an emptying: " + stats);
            assertTrue(stats.get("evictions").asLong() >= 90, stats.toString());
        }
    }
}
