package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kvcache.http.RawHttp;
import dev.kvcache.http.server.TestServer;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /size} is the Go server's count, and Go's server reads and ignores a small body on it,
 * keeping the connection. A well-formed {@code POST /size} with a body was answered with
 * {@code Connection: close}, dropping the requests pipelined behind it. The body is now read and
 * ignored, within the value limit; beyond it the connection still closes, so that the server never reads
 * more than a value for a request that stores nothing.
 */
class HostileSizeBodyTest {
    @Test
    void aBodyOnPostSizeIsIgnoredAndTheConnectionKept() throws Exception {
        try (TestServer server = new TestServer("--max-value-bytes", "1KiB")) {
            server.put("/kv/one", "1");
            try (RawHttp raw = new RawHttp(server.port())) {
                raw.send(RawHttp.request("POST", "/size", "abc") + RawHttp.request("GET", "/size", null));
                RawHttp.Reply post = raw.read();
                assertEquals(200, post.status());
                assertEquals("1", post.body());
                assertFalse("close".equalsIgnoreCase(post.headers().get("connection")), post.toString());
                RawHttp.Reply get = raw.read();
                assertEquals(200, get.status(), "the GET pipelined behind the POST");
                assertEquals("1", get.body());
            }
            try (RawHttp raw = new RawHttp(server.port())) {
                raw.send("POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\n\r\n"
                        + RawHttp.request("GET", "/size", null));
                assertEquals("1", raw.read().body());
                assertEquals("1", raw.read().body(), "the GET pipelined behind a chunked POST /size");
            }
            // Over the value limit the body is not read: the count, and the connection closes.
            try (RawHttp raw = new RawHttp(server.port())) {
                raw.send("POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n");
                RawHttp.Reply post = raw.read();
                assertEquals(200, post.status());
                assertEquals("close", post.headers().get("connection"));
            }
            assertEquals("1", server.get("/size").body(), "a body on POST /size stores nothing");
        }
    }
}
