package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.http.RawHttp;
import dev.kvcache.http.server.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Go server's requests as Go's {@code net/http} client writes them (its headers, in its order), and
 * what such a client reads back: README "the Go server's three lines work unchanged", docs/http.md
 * "Status and body are byte-compatible for the Go server's requests" and "Every entry expires --ttl
 * (default 10 000 ms) after its last write". Pins contracts no test held exactly: an empty POST, a POST
 * /size with a body, GET /size, and the 10 s deadline to the millisecond (on the server's fake ticker).
 */
class HostileGoClientTest {
    private static String go(String method, String path, String body, int port) {
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\nUser-Agent: Go-http-client/1.1\r\n");
        if (body != null) {
            request.append("Content-Length: ").append(body.length()).append("\r\n");
        }
        return request.append("Accept-Encoding: gzip\r\n\r\n").append(body == null ? "" : body).toString();
    }

    private static RawHttp.Reply exchange(TestServer server, String method, String path, String body) throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(go(method, path, body, server.port()));
            return raw.read(method.equals("HEAD"));
        }
    }

    @Test
    void whatAGoClientSees() throws Exception {
        try (TestServer server = new TestServer()) {
            // http.Post(url, "", nil): Content-Length 0. Go stored and echoed the empty value.
            RawHttp.Reply empty = exchange(server, "POST", "/k1", "");
            assertEquals(200, empty.status());
            assertEquals("", empty.body());
            assertEquals("0", empty.headers().get("content-length"));
            assertEquals("text/plain; charset=utf-8", empty.headers().get("content-type"));
            RawHttp.Reply read = exchange(server, "GET", "/k1", null);
            assertEquals(200, read.status(), "an empty value is a hit, not a miss");
            assertEquals("", read.body());
            assertEquals("0", read.headers().get("content-length"));

            assertEquals("v2", exchange(server, "POST", "/k2", "v2").body());
            // POST /size with a body: the count, and the body is not a write of anything.
            RawHttp.Reply sizeWithBody = exchange(server, "POST", "/size", "abc");
            assertEquals(200, sizeWithBody.status());
            assertEquals("2", sizeWithBody.body());
            assertEquals("text/plain; charset=utf-8", sizeWithBody.headers().get("content-type"));
            RawHttp.Reply getSize = exchange(server, "GET", "/size", null);
            assertEquals(200, getSize.status());
            assertEquals("2", getSize.body());
            assertEquals("1", exchange(server, "HEAD", "/size", null).headers().get("content-length"));

            // The Go server's TTL: live for 9 999 ms, gone at 10 000 ms after the write.
            server.ticker.advance(Duration.ofMillis(9_999));
            assertEquals("v2", exchange(server, "GET", "/k2", null).body());
            server.ticker.advance(Duration.ofMillis(1));
            RawHttp.Reply expired = exchange(server, "GET", "/k2", null);
            assertEquals(404, expired.status());
            assertEquals("", expired.body());
        }
    }

    @Test
    void withMissStatus200AnExpiredKeyReadsAsTheGoServerAnsweredIt() throws Exception {
        try (TestServer server = new TestServer("--miss-status", "200")) {
            exchange(server, "POST", "/k1", "v1");
            server.ticker.advance(Duration.ofMillis(10_000));
            RawHttp.Reply expired = exchange(server, "GET", "/k1", null);
            assertEquals(200, expired.status());
            assertEquals("", expired.body());
            assertEquals("0", expired.headers().get("content-length"));
            assertEquals("text/plain; charset=utf-8", expired.headers().get("content-type"));
        }
    }
}
