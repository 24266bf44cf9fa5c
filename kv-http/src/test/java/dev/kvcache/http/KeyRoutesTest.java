package dev.kvcache.http;

import dev.kvcache.http.server.TestServer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The routes beyond the Go server's: PUT, DELETE, HEAD, the /kv/ namespace, content types, stats, health. */
class KeyRoutesTest {
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
    void putStoresWith204AndAnETag() throws Exception {
        HttpResponse<String> put = server.put("/p1", "hello");
        assertEquals(204, put.statusCode());
        assertEquals("", put.body());
        String etag = put.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> get = server.get("/p1");
        assertEquals("hello", get.body());
        assertEquals(etag, get.headers().firstValue("ETag").orElseThrow());
    }

    @Test
    void deleteAnswers204Then404() throws Exception {
        server.post("/d1", "x");
        assertEquals(204, server.method("DELETE", "/d1").statusCode());
        assertEquals(404, server.get("/d1").statusCode());
        assertEquals(404, server.method("DELETE", "/d1").statusCode());
    }

    @Test
    void headSendsHeadersOnly() throws Exception {
        server.send(server.request("/h1").header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
        HttpResponse<String> head = server.method("HEAD", "/h1");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals("7", head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("application/json", head.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(head.headers().firstValue("ETag").isPresent());
        assertEquals(404, server.method("HEAD", "/h-missing").statusCode());
    }

    @Test
    void theContentTypeOfTheWriteComesBackOnRead() throws Exception {
        server.send(server.request("/ct").header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofString("png")));
        assertEquals("image/png", server.get("/ct").headers().firstValue("Content-Type").orElseThrow());
        server.send(server.request("/ct2").POST(HttpRequest.BodyPublishers.ofString("plain")));
        assertEquals("text/plain; charset=utf-8", server.get("/ct2").headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void valuesAreArbitraryBytes() throws Exception {
        byte[] every = new byte[256 * 3];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) i;
        }
        HttpResponse<byte[]> post = server.sendBytes(server.request("/bin")
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(every)));
        assertArrayEquals(every, post.body());
        HttpResponse<byte[]> get = server.sendBytes(server.request("/bin").GET());
        assertArrayEquals(every, get.body());
        assertEquals("application/octet-stream", get.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void emptyValuesAreStoredAndDistinctFromMissing() throws Exception {
        assertEquals(200, server.post("/empty", "").statusCode());
        HttpResponse<String> get = server.get("/empty");
        assertEquals(200, get.statusCode());
        assertEquals("", get.body());
    }

    @Test
    void theNamespaceServesEveryKeyIncludingReservedNames() throws Exception {
        for (String key : new String[] {"size", "metrics", "stats", "health", "kv", "a/b/c"}) {
            assertEquals(204, server.put("/kv/" + key, "value of " + key).statusCode(), key);
            HttpResponse<String> get = server.get("/kv/" + key);
            assertEquals(200, get.statusCode(), key);
            assertEquals("value of " + key, get.body(), key);
        }
        // The same key through both routes.
        server.post("/both", "root");
        assertEquals("root", server.get("/kv/both").body());
        // The root route still answers the reserved names as resources.
        assertTrue(server.get("/size").body().matches("\\d+"));
        // GET /kv/ lists the keys (KeyListingTest); a write there still names no key.
        assertEquals(200, server.get("/kv/").statusCode());
        assertEquals(400, server.put("/kv/", "v").statusCode());
        assertEquals(400, server.get("/kv").statusCode());
    }

    @Test
    void percentEncodedKeysAreDecoded() throws Exception {
        server.put("/kv/caf%C3%A9%20au%20lait", "yes");
        assertEquals("yes", server.get("/kv/caf%C3%A9%20au%20lait").body());
        assertEquals("yes", server.get("/caf%C3%A9%20au%20lait").body());
    }

    @Test
    void reservedResourcesRefuseOtherMethods() throws Exception {
        assertEquals(405, server.method("DELETE", "/size").statusCode());
        assertEquals("GET, HEAD, POST", server.method("PUT", "/size").headers().firstValue("Allow").orElseThrow());
        assertEquals(405, server.method("POST", "/stats").statusCode());
        assertEquals(405, server.method("DELETE", "/health").statusCode());
        assertEquals("GET, HEAD", server.method("DELETE", "/health").headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void statsAreJson() throws Exception {
        server.post("/s1", "abc");
        server.get("/s1");
        server.get("/s-missing");
        HttpResponse<String> stats = server.get("/stats");
        assertEquals(200, stats.statusCode());
        assertEquals("application/json", stats.headers().firstValue("Content-Type").orElseThrow());
        JsonNode json = new ObjectMapper().readTree(stats.body());
        for (String field : new String[] {"entries", "bytes", "hits", "misses", "puts", "evictions", "expirations", "uptimeMillis"}) {
            assertTrue(json.get(field).isIntegralNumber(), field + " in " + stats.body());
        }
        assertTrue(json.get("entries").asLong() >= 1);
        assertTrue(json.get("bytes").asLong() >= 5, "key s1 + value abc");
        assertTrue(json.get("hits").asLong() >= 1);
        assertTrue(json.get("misses").asLong() >= 1);
        assertTrue(json.get("puts").asLong() >= 1);
        assertFalse(json.get("draining").asBoolean());
        assertEquals(10_000, json.get("config").get("defaultTtlMillis").asLong());
        assertEquals(250, json.get("config").get("maxKeyBytes").asInt());
    }

    @Test
    void statsCountBytesHeldExactly() throws Exception {
        try (TestServer fresh = new TestServer()) {
            fresh.post("/abc", "12345");
            fresh.post("/de", "1");
            fresh.post("/abc", "1234567");
            fresh.method("DELETE", "/de");
            JsonNode json = new ObjectMapper().readTree(fresh.get("/stats").body());
            assertEquals(1, json.get("entries").asLong());
            assertEquals(3 + 7, json.get("bytes").asLong());
        }
    }

    @Test
    void healthIs200WhileServing() throws Exception {
        HttpResponse<String> health = server.get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("ok\n", health.body());
    }

    @Test
    void everyWriteChangesTheETagEvenWithTheSameBytes() throws Exception {
        String first = server.post("/e1", "same").headers().firstValue("ETag").orElseThrow();
        String second = server.post("/e1", "same").headers().firstValue("ETag").orElseThrow();
        assertNotEquals(first, second);
        assertTrue(first.startsWith("\"") && first.endsWith("\""), first);
    }
}
