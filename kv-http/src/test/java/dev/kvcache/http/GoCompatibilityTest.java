package dev.kvcache.http;

import dev.kvcache.http.server.TestServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Go server's contract, byte for byte in status and body, against a real server. */
class GoCompatibilityTest {
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
    void theReadmeCurlLines() throws Exception {
        // curl -X POST localhost:8081/k1 -d v1
        HttpResponse<String> post = server.send(server.request("/k1")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("v1")));
        assertEquals(200, post.statusCode());
        assertEquals("v1", post.body());

        // curl localhost:8081/k1
        HttpResponse<String> get = server.get("/k1");
        assertEquals(200, get.statusCode());
        assertEquals("v1", get.body());

        // curl -X POST localhost:8081/size
        HttpResponse<String> size = server.post("/size", "");
        assertEquals(200, size.statusCode());
        assertTrue(size.body().matches("\\d+"), size.body());
        assertTrue(Long.parseLong(size.body()) >= 1);
    }

    @Test
    void sizeCountsEntriesInPlainDecimal() throws Exception {
        try (TestServer fresh = new TestServer()) {
            assertEquals("0", fresh.post("/size", "").body());
            fresh.post("/a", "1");
            fresh.post("/b", "2");
            fresh.post("/a", "3");
            HttpResponse<String> post = fresh.post("/size", "");
            HttpResponse<String> get = fresh.get("/size");
            assertEquals("2", post.body());
            assertEquals("2", get.body());
            assertEquals(200, get.statusCode());
            assertEquals("text/plain; charset=utf-8", get.headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @Test
    void theOneDeliberateDifferenceIsA404ForMissingKeys() throws Exception {
        HttpResponse<String> missing = server.get("/never-written");
        assertEquals(404, missing.statusCode());
        assertEquals("", missing.body());
    }

    @Test
    void emptyKeyIs400WithTheGoMessage() throws Exception {
        for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
            HttpResponse<String> reply = server.method(method, "/");
            assertEquals(400, reply.statusCode(), method);
            assertEquals("Must provide a key in the path\n", reply.body(), method);
        }
    }

    @Test
    void otherMethodsOnAKeyAre405WithAShortMessage() throws Exception {
        HttpResponse<String> patch = server.method("PATCH", "/k1");
        assertEquals(405, patch.statusCode());
        assertEquals("Only GET, HEAD, POST, PUT and DELETE methods are supported.\n", patch.body());
        assertEquals("GET, HEAD, POST, PUT, DELETE", patch.headers().firstValue("Allow").orElseThrow());
        assertEquals(405, server.method("OPTIONS", "/k1").statusCode());
    }

    @Test
    void theKeyIsTheFirstPathSegmentAsInGo() throws Exception {
        server.post("/seg", "first");
        assertEquals("first", server.get("/seg/ignored/rest").body());
    }

    @Test
    void metricsUseTheGoServersNames() throws Exception {
        server.post("/m1", "x");
        server.get("/m1");
        server.get("/m-missing");
        HttpResponse<String> metrics = server.get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String text = metrics.body();
        assertTrue(text.contains("# TYPE in_flight_requests gauge\nin_flight_requests 1\n"), text);
        assertTrue(text.contains("# TYPE api_requests_total counter\n"), text);
        assertTrue(text.matches("(?s).*\napi_requests_total\\{code=\"200\",method=\"post\"} [1-9]\\d*\n.*"), text);
        assertTrue(text.matches("(?s).*\napi_requests_total\\{code=\"404\",method=\"get\"} [1-9]\\d*\n.*"), text);
        assertTrue(text.contains("# TYPE request_duration_seconds histogram\n"), text);
        assertTrue(text.contains("request_duration_seconds_bucket{le=\"+Inf\"} "), text);
        assertTrue(text.contains("\nrequest_duration_seconds_sum "), text);
        assertTrue(text.contains("\nrequest_duration_seconds_count "), text);
        assertTrue(text.matches("(?s).*\ncache_size [1-9]\\d*\n.*"), text);
        assertEquals(405, server.post("/metrics", "").statusCode());
    }

    @Test
    void tenPipelinedRequestsOnOneConnectionAreAnsweredCompleteAndInOrder() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                batch.append(RawHttp.request("POST", "/pipe" + i, "value-" + i + "-" + "x".repeat(i * 100)));
                batch.append(RawHttp.request("GET", "/pipe" + i, null));
            }
            // All ten leave in one write: the server sees them back to back in one buffer.
            raw.send(batch.toString());
            List<RawHttp.Reply> replies = raw.read(10);
            for (int i = 0; i < 5; i++) {
                String expected = "value-" + i + "-" + "x".repeat(i * 100);
                assertEquals(200, replies.get(2 * i).status(), "POST " + i);
                assertEquals(expected, replies.get(2 * i).body(), "POST " + i);
                assertEquals(200, replies.get(2 * i + 1).status(), "GET " + i);
                assertEquals(expected, replies.get(2 * i + 1).body(), "GET " + i);
            }
            // Keep-alive: the connection still serves.
            raw.send(RawHttp.request("GET", "/pipe3", null));
            assertEquals(200, raw.read().status());
        }
    }

    @Test
    void pipelinedMixOfStatusesStaysInOrder() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(RawHttp.request("GET", "/pipe-missing", null)
                    + RawHttp.request("POST", "/pipe-x", "1")
                    + RawHttp.request("PATCH", "/pipe-x", null)
                    + RawHttp.request("GET", "/", null)
                    + RawHttp.request("DELETE", "/pipe-x", null)
                    + RawHttp.request("GET", "/pipe-x", null)
                    + RawHttp.request("PUT", "/pipe-x", "2")
                    + RawHttp.request("HEAD", "/pipe-x", null)
                    + RawHttp.request("GET", "/pipe-x", null)
                    + RawHttp.request("GET", "/health", null));
            int[] expected = {404, 200, 405, 400, 204, 404, 204, 200, 200, 200};
            for (int i = 0; i < expected.length; i++) {
                RawHttp.Reply reply = raw.read(i == 7);
                assertEquals(expected[i], reply.status(), "reply " + i);
                if (i == 7) {
                    assertEquals("1", reply.headers().get("content-length"));
                }
                if (i == 8) {
                    assertEquals("2", reply.body());
                }
            }
        }
    }
}
