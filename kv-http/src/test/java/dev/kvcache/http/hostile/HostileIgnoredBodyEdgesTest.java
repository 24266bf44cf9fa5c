package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kvcache.http.RawHttp;
import dev.kvcache.http.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edges of the body POST /size reads and ignores (IgnoredBody, limit --max-value-bytes 1KiB): a body
 * of exactly the limit is read and the connection kept, one byte more closes it, declared or chunked; a
 * body that arrives in many small writes is read to its end; Expect: 100-continue gets its 100; and the
 * conditional writes behind Expect: 100-continue that must go ahead (a matching If-Match, create-only on
 * an absent key) still get their 100 and write.
 */
class HostileIgnoredBodyEdgesTest {
    private static final int LIMIT = 1024;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer("--max-value-bytes", "1KiB");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String chunked(int bytes) {
        return "POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(bytes) + "\r\n" + "x".repeat(bytes) + "\r\n0\r\n\r\n";
    }

    @Test
    void aBodyOfExactlyTheLimitIsReadAndTheConnectionKept() throws Exception {
        for (String post : new String[] {RawHttp.request("POST", "/size", "x".repeat(LIMIT)), chunked(LIMIT)}) {
            try (RawHttp raw = new RawHttp(server.port())) {
                raw.send(post + RawHttp.request("GET", "/size", null));
                RawHttp.Reply reply = raw.read();
                assertEquals(200, reply.status());
                assertFalse("close".equalsIgnoreCase(reply.headers().get("connection")), reply.toString());
                assertEquals(200, raw.read().status(), "the GET behind a body of exactly the limit");
            }
        }
    }

    @Test
    void aBodyOneByteOverTheLimitClosesTheConnection() throws Exception {
        for (String post : new String[] {RawHttp.request("POST", "/size", "x".repeat(LIMIT + 1)), chunked(LIMIT + 1)}) {
            try (RawHttp raw = new RawHttp(server.port())) {
                raw.send(post);
                RawHttp.Reply reply = raw.read();
                assertEquals(200, reply.status());
                assertEquals("close", reply.headers().get("connection"), reply.toString());
            }
        }
    }

    @Test
    void aBodyInManySmallWritesIsReadToItsEnd() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: " + LIMIT + "\r\n\r\n");
            for (int i = 0; i < LIMIT / 8; i++) {
                raw.send("xxxxxxxx");
            }
            raw.send(RawHttp.request("GET", "/size", null));
            RawHttp.Reply reply = raw.read();
            assertEquals(200, reply.status());
            assertFalse("close".equalsIgnoreCase(reply.headers().get("connection")), reply.toString());
            assertEquals(200, raw.read().status());
        }
    }

    @Test
    void expectContinueOnPostSizeGetsThe100() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("POST /size HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
            assertEquals(100, raw.read().status());
            raw.send("abc" + RawHttp.request("GET", "/size", null));
            assertEquals(200, raw.read().status());
            assertEquals(200, raw.read().status());
        }
    }

    @Test
    void expectContinueWithAPreconditionThatHoldsUploadsAndWrites() throws Exception {
        String etag = server.put("/kv/edge", "old").headers().firstValue("ETag").orElseThrow();
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("PUT /kv/edge HTTP/1.1\r\nHost: x\r\nIf-Match: " + etag + "\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 3\r\n\r\n");
            assertEquals(100, raw.read().status());
            raw.send("new");
            assertEquals(204, raw.read().status());
        }
        assertEquals("new", server.get("/kv/edge").body());
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("POST /kv/edge-new HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 3\r\n\r\n");
            assertEquals(100, raw.read().status());
            raw.send("one");
            assertEquals(200, raw.read().status());
        }
        assertEquals("one", server.get("/kv/edge-new").body());
    }

    /** The check before the 100 is a hint: the write judges again, so a key that expired meanwhile is 412. */
    @Test
    void aMatchingIfMatchWhoseKeyExpiresDuringTheUploadIs412() throws Exception {
        String etag = server.put("/kv/brief?ttl=1s", "old").headers().firstValue("ETag").orElseThrow();
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("PUT /kv/brief HTTP/1.1\r\nHost: x\r\nIf-Match: " + etag + "\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 3\r\n\r\n");
            assertEquals(100, raw.read().status());
            server.ticker.advance(java.time.Duration.ofSeconds(2));
            raw.send("new");
            assertEquals(412, raw.read().status());
        }
        assertEquals(404, server.get("/kv/brief").statusCode());
    }
}
