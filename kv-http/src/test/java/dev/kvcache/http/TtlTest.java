package dev.kvcache.http;

import dev.kvcache.http.server.TestServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Expiry and per-write TTLs, driven by the server's fake ticker: no sleeping. */
class TtlTest {
    // One server for the class: each test writes its own keys before moving the shared clock.
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void entriesExpire10000msAfterTheirLastWrite() throws Exception {
        server.post("/k", "v1");
        server.ticker.advance(Duration.ofMillis(9_999));
        assertEquals("v1", server.get("/k").body());
        server.post("/k", "v2"); // the last write restarts the clock
        server.ticker.advance(Duration.ofMillis(9_999));
        assertEquals("v2", server.get("/k").body());
        server.ticker.advance(Duration.ofMillis(1));
        HttpResponse<String> expired = server.get("/k");
        assertEquals(404, expired.statusCode());
        assertEquals("", expired.body());
    }

    @Test
    void readsReportTheRemainingLifetime() throws Exception {
        server.post("/r", "v");
        server.ticker.advance(Duration.ofMillis(2_500));
        HttpResponse<String> get = server.get("/r");
        assertEquals("7500", get.headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
        assertEquals("max-age=7", get.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void ttlFromTheQueryInEveryAcceptedForm() throws Exception {
        assertTtl("/q1?ttl=1500ms", 1_500);
        assertTtl("/q2?ttl=10s", 10_000);
        assertTtl("/q3?ttl=1m", 60_000);
        assertTtl("/q4?ttl=2500", 2_500);
        assertTtl("/kv/q5?x=1&ttl=2h&y=2", 7_200_000);
    }

    /** A query is percent-encoded: an encoded TTL is the same TTL (found by http-hostile: it was 400). */
    @Test
    void aPercentEncodedTtlInTheQueryIsDecoded() throws Exception {
        assertTtl("/e1?ttl=%31%30s", 10_000);
        assertTtl("/e2?ttl=1%6D", 60_000);
        try (RawHttp raw = new RawHttp(server.port())) { // java.net.URI refuses a malformed escape
            raw.send(RawHttp.request("PUT", "/kv/e3?ttl=%ZZ", "v"));
            RawHttp.Reply bad = raw.read();
            assertEquals(400, bad.status());
            assertEquals("Malformed percent-escape '%ZZ' in the query: '%' must be followed by two hexadecimal digits"
                    + " (RFC 3986 2.1)\n", bad.body());
        }
    }

    private void assertTtl(String pathAndQuery, long millis) throws Exception {
        assertEquals(204, server.put(pathAndQuery, "v").statusCode(), pathAndQuery);
        String path = pathAndQuery.substring(0, pathAndQuery.indexOf('?'));
        assertEquals(Long.toString(millis), server.get(path).headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow(), pathAndQuery);
    }

    @Test
    void ttlFromTheHeader() throws Exception {
        server.put("/h", "v", "Kv-Ttl", "1500ms");
        assertEquals("1500", server.get("/h").headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
        server.ticker.advance(Duration.ofMillis(1_499));
        assertEquals(200, server.get("/h").statusCode());
        server.ticker.advance(Duration.ofMillis(1));
        assertEquals(404, server.get("/h").statusCode());
    }

    @Test
    void theQueryWinsOverTheHeader() throws Exception {
        server.put("/both?ttl=3s", "v", "Kv-Ttl", "1s");
        assertEquals("3000", server.get("/both").headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
    }

    @Test
    void aLongTtlOutlivesTheDefault() throws Exception {
        server.post("/long?ttl=1m", "v");
        server.ticker.advance(Duration.ofSeconds(59));
        assertEquals("v", server.get("/long").body());
        server.ticker.advance(Duration.ofSeconds(1));
        assertEquals(404, server.get("/long").statusCode());
    }

    @Test
    void invalidTtlsAre400AndStoreNothing() throws Exception {
        for (String ttl : new String[] {"0", "0ms", "-5", "abc", "10x", "1.5s", "", "10 s", "999999999999999999999"}) {
            HttpResponse<String> reply = server.put("/bad?ttl=" + ttl.replace(" ", "%20"), "v");
            assertEquals(400, reply.statusCode(), ttl);
            assertTrue(reply.body().startsWith("invalid duration"), reply.body());
        }
        assertEquals(400, server.put("/bad", "v", "Kv-Ttl", "soon").statusCode());
        assertEquals(404, server.get("/bad").statusCode());
    }

    /** A bare {@code ?ttl} (no '=') was read as no TTL at all and stored with the default. */
    @Test
    void aTtlParameterWithoutAValueIs400AndStoresNothing() throws Exception {
        for (String path : new String[] {"/bare?ttl", "/bare?x=1&ttl", "/bare?ttl&x=1", "/kv/bare?ttl"}) {
            HttpResponse<String> reply = server.put(path, "v");
            assertEquals(400, reply.statusCode(), path);
            assertEquals("the ttl parameter needs a value: ttl=D (e.g. ttl=30s) or ttl=never\n", reply.body(), path);
        }
        assertEquals(404, server.get("/bare").statusCode());
        assertEquals(204, server.put("/bare?ttlx=1", "v").statusCode(), "another parameter is not a TTL");
    }

    @Test
    void serverDefaultTtlIsAFlag() throws Exception {
        try (TestServer short1 = new TestServer("--ttl", "1500ms")) {
            short1.post("/k", "v");
            assertEquals("1500", short1.get("/k").headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
            short1.ticker.advance(Duration.ofMillis(1_500));
            assertEquals(404, short1.get("/k").statusCode());
        }
    }
}
