package dev.kvcache.http;

import dev.kvcache.http.server.TestServer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** If-None-Match / If-Match on writes, deletes and reads. */
class ConditionalWriteTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String etag(HttpResponse<?> response) {
        return response.headers().firstValue("ETag").orElseThrow();
    }

    @Test
    void ifNoneMatchStarCreatesOnly() throws Exception {
        HttpResponse<String> created = server.put("/c1", "first", "If-None-Match", "*");
        assertEquals(201, created.statusCode());
        HttpResponse<String> refused = server.put("/c1", "second", "If-None-Match", "*");
        assertEquals(412, refused.statusCode());
        assertEquals("Precondition Failed\n", refused.body());
        assertEquals("first", server.get("/c1").body());
        assertEquals(etag(created), etag(server.get("/c1")));
    }

    @Test
    void postWithIfNoneMatchStarAlsoCreatesOnly() throws Exception {
        HttpResponse<String> created = server.send(server.request("/c2").header("If-None-Match", "*")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("a")));
        assertEquals(200, created.statusCode());
        assertEquals("a", created.body());
        HttpResponse<String> refused = server.send(server.request("/c2").header("If-None-Match", "*")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("b")));
        assertEquals(412, refused.statusCode());
    }

    @Test
    void ifMatchIsCompareAndSet() throws Exception {
        String v1 = etag(server.put("/cas", "1"));
        HttpResponse<String> swapped = server.put("/cas", "2", "If-Match", v1);
        assertEquals(204, swapped.statusCode());
        String v2 = etag(swapped);
        // The old tag no longer matches: a lost update is refused.
        assertEquals(412, server.put("/cas", "lost", "If-Match", v1).statusCode());
        assertEquals("2", server.get("/cas").body());
        assertEquals(204, server.put("/cas", "3", "If-Match", "\"nope\", " + v2).statusCode());
        assertEquals("3", server.get("/cas").body());
        // Weak tags never match strongly.
        String v3 = etag(server.get("/cas"));
        assertEquals(412, server.put("/cas", "4", "If-Match", "W/" + v3).statusCode());
    }

    @Test
    void ifMatchOnAnAbsentKeyFails() throws Exception {
        assertEquals(412, server.put("/absent", "x", "If-Match", "*").statusCode());
        assertEquals(412, server.put("/absent", "x", "If-Match", "\"abc\"").statusCode());
        assertEquals(404, server.get("/absent").statusCode());
        server.put("/present", "x");
        assertEquals(204, server.put("/present", "y", "If-Match", "*").statusCode());
    }

    @Test
    void conditionalDelete() throws Exception {
        String tag = etag(server.put("/cd", "x"));
        assertEquals(412, server.method("DELETE", "/cd", "If-Match", "\"other\"").statusCode());
        assertEquals(200, server.get("/cd").statusCode());
        assertEquals(204, server.method("DELETE", "/cd", "If-Match", tag).statusCode());
        assertEquals(404, server.get("/cd").statusCode());
        assertEquals(412, server.method("DELETE", "/cd", "If-Match", tag).statusCode());
    }

    @Test
    void conditionalReads() throws Exception {
        String tag = etag(server.put("/cr", "x"));
        HttpResponse<String> notModified = server.send(server.request("/cr").header("If-None-Match", tag).GET());
        assertEquals(304, notModified.statusCode());
        assertEquals("", notModified.body());
        assertEquals(tag, etag(notModified));
        assertEquals(200, server.send(server.request("/cr").header("If-None-Match", "\"old\"").GET()).statusCode());
        assertEquals(412, server.send(server.request("/cr").header("If-Match", "\"old\"").GET()).statusCode());
        assertEquals(200, server.send(server.request("/cr").header("If-Match", tag).GET()).statusCode());
    }

    /**
     * RFC 9110, 8.6: a 304 may carry a Content-Length only if it is the one a 200 would carry; a HEAD
     * carries the GET's. The value here is 3 bytes.
     */
    @Test
    void notModifiedAndHeadCarryTheValuesLength() throws Exception {
        String tag = etag(server.put("/cl", "abc"));
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("GET /cl HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + tag + "\r\n\r\n");
            RawHttp.Reply notModified = raw.read();
            assertEquals(304, notModified.status());
            assertEquals("3", notModified.headers().getOrDefault("content-length", "3"), notModified.headers().toString());

            raw.send("HEAD /cl HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Reply head = raw.read(true);
            assertEquals(200, head.status());
            assertEquals("3", head.headers().get("content-length"));

            raw.send("HEAD /cl HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + tag + "\r\n\r\n");
            RawHttp.Reply headNotModified = raw.read(true);
            assertEquals(304, headNotModified.status());
            assertEquals("3", headNotModified.headers().getOrDefault("content-length", "3"));

            // The connection is still in step: the next answer is the next request's.
            raw.send("GET /cl HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("abc", raw.read().body());
        }
    }

    @Test
    void concurrentCompareAndSetLetsExactlyOneWin() throws Exception {
        String tag = etag(server.put("/race", "0"));
        int contenders = 8;
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> replies = new java.util.ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            replies.add(server.client.sendAsync(server.request("/race").header("If-Match", tag)
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("winner-" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int won = 0;
        for (var reply : replies) {
            int status = reply.get().statusCode();
            if (status == 204) {
                won++;
            } else {
                assertEquals(412, status);
            }
        }
        assertEquals(1, won);
    }
}
