package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/http.md "TTL without rewriting the value" and "Differences" 1 (--miss-status 200). */
class HostileTtlTest {
    static final String TTL0 = "invalid duration '0': a TTL of 0 is refused, it must be positive (DELETE removes a key now; ttl=never keeps it until it is removed or evicted)";

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void touchKeepsValueTypeAndEtag(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            HttpResponse<String> put = c.send("PUT", "/kv/s?ttl=30s", "abc", "Content-Type", "application/x-s");
            String etag = put.headers().firstValue("ETag").orElseThrow();
            server.ticker.advance(Duration.ofSeconds(20));
            HttpResponse<String> t = c.send("POST", "/kv/s?touch", null);
            assertEquals(204, t.statusCode(), t.body());
            assertEquals(etag, t.headers().firstValue("ETag").orElseThrow());
            assertEquals("10000", t.headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
            HttpResponse<String> t2 = c.send("POST", "/kv/s?touch&ttl=1h", null);
            assertEquals("3600000", t2.headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
            HttpResponse<String> t3 = c.send("POST", "/kv/s?touch", null, "Kv-Ttl", "2m");
            assertEquals("120000", t3.headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
            HttpResponse<String> never = c.send("POST", "/kv/s?touch&ttl=never", null);
            assertEquals(204, never.statusCode());
            assertTrue(never.headers().firstValue("Kv-Ttl-Remaining-Ms").isEmpty());
            server.ticker.advance(Duration.ofDays(30));
            HttpResponse<String> read = c.get("/kv/s");
            assertEquals(200, read.statusCode());
            assertEquals("abc", read.body());
            assertEquals("application/x-s", read.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(etag, read.headers().firstValue("ETag").orElseThrow());
            assertTrue(read.headers().firstValue("Kv-Ttl-Remaining-Ms").isEmpty());
            assertTrue(read.headers().firstValue("Cache-Control").map(v -> !v.contains("max-age")).orElse(true),
                    read.headers().toString());
            // and back to finite
            HttpResponse<String> fin = c.send("POST", "/kv/s?touch&ttl=5s", null);
            assertEquals("5000", fin.headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
            server.ticker.advance(Duration.ofSeconds(6));
            assertEquals(404, c.get("/kv/s").statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void touchRefusals(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            assertEquals(404, c.send("POST", "/kv/absent?touch", null).statusCode());
            c.send("PUT", "/kv/x?ttl=1s", "v");
            server.ticker.advance(Duration.ofMillis(1001));
            assertEquals(404, c.send("POST", "/kv/x?touch&ttl=1h", null).statusCode(), "touch revived an expired key");
            assertEquals(404, c.get("/kv/x").statusCode());

            HttpResponse<String> put = c.send("PUT", "/kv/y", "v");
            String etag = put.headers().firstValue("ETag").orElseThrow();
            assertEquals(412, c.send("POST", "/kv/y?touch&ttl=1h", null, "If-Match", "\"nope\"").statusCode());
            assertEquals(412, c.send("POST", "/kv/y?touch&ttl=1h", null, "If-None-Match", etag).statusCode());
            assertEquals(412, c.send("POST", "/kv/y?touch&ttl=1h", null, "If-None-Match", "*").statusCode());
            assertEquals("10000", c.get("/kv/y").headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
            assertEquals(204, c.send("POST", "/kv/y?touch&ttl=1h", null, "If-Match", etag).statusCode());
            assertEquals(412, c.send("POST", "/kv/absent?touch", null, "If-Match", "*").statusCode());

            HttpResponse<String> zero = c.send("POST", "/kv/y?touch&ttl=0", null);
            assertEquals(400, zero.statusCode());
            assertEquals(TTL0, zero.body().trim());
            HttpResponse<String> zeroPut = c.send("PUT", "/kv/y?ttl=0", "new");
            assertEquals(400, zeroPut.statusCode());
            assertEquals(TTL0, zeroPut.body().trim());
            HttpResponse<String> zeroHeader = c.send("PUT", "/kv/y", "new", "Kv-Ttl", "0");
            assertEquals(400, zeroHeader.statusCode());
            assertEquals(TTL0, zeroHeader.body().trim());
            assertEquals(400, c.send("POST", "/kv/y?touch", "body").statusCode());
            assertEquals(400, c.send("POST", "/kv/y?touch&ttl=-5s", null).statusCode());
            assertEquals("v", c.get("/kv/y").body());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void neverOnWrites(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            assertEquals(204, c.send("PUT", "/kv/p?ttl=never", "v").statusCode());
            assertEquals(200, c.send("POST", "/kv/q", "v", "Kv-Ttl", "never").statusCode());
            server.ticker.advance(Duration.ofDays(365));
            assertEquals(200, c.get("/kv/p").statusCode());
            assertEquals(200, c.get("/kv/q").statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void missStatus200IsExactlyTheGoMiss(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--miss-status", "200")) {
            Client c = new Client(server, proto);
            for (String path : new String[] {"/nope", "/kv/nope", "/kv/nope?index=0&wait=10ms"}) {
                HttpResponse<String> miss = c.get(path);
                assertEquals(200, miss.statusCode(), path);
                assertEquals("", miss.body(), path);
                assertEquals("text/plain; charset=utf-8", miss.headers().firstValue("Content-Type").orElseThrow(), path);
                assertTrue(miss.headers().firstValue("ETag").isEmpty(), path);
                assertTrue(miss.headers().firstValue("Kv-Ttl-Remaining-Ms").isEmpty(), path);
                assertEquals("0", miss.headers().firstValue("Content-Length").orElse("0"), path);
            }
            HttpResponse<String> head = c.send("HEAD", "/kv/nope", null);
            assertEquals(200, head.statusCode());
            assertEquals("0", head.headers().firstValue("Content-Length").orElse("0"));
            // operations on an absent key are not reads: they keep their own statuses
            assertEquals(404, c.send("POST", "/kv/nope?touch", null).statusCode());
            assertEquals(404, c.send("DELETE", "/kv/nope", null).statusCode());
        }
    }
}
