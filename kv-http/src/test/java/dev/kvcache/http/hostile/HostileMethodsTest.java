package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Routes": the methods of each route, 405 with the documented {@code Allow} otherwise, HEAD
 * "as GET, headers only", and a Content-Length on every answer that may carry a body (RFC 9110 8.6), over
 * HTTP/1.1 and h2c. Pins contracts held route by route elsewhere, here for every route and method at once.
 */
class HostileMethodsTest {
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    private static final Map<String, String> ALLOW = Map.of(
            "/kv/k", "GET, HEAD, POST, PUT, DELETE",
            "/k", "GET, HEAD, POST, PUT, DELETE",
            "/size", "GET, HEAD, POST",
            "/metrics", "GET, HEAD",
            "/stats", "GET, HEAD",
            "/health", "GET, HEAD");

    private static final Map<String, String> MESSAGES = Map.of(
            "GET, HEAD, POST, PUT, DELETE", "Only GET, HEAD, POST, PUT and DELETE methods are supported.\n",
            "GET, HEAD, POST", "Only GET, HEAD and POST methods are supported.\n",
            "GET, HEAD", "Only GET and HEAD methods are supported.\n");

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void eachRouteServesItsMethodsAndAnswers405WithItsAllowOtherwise(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--allow-flush")) {
            Client c = new Client(server, proto);
            for (Map.Entry<String, String> route : ALLOW.entrySet()) {
                List<String> allowed = List.of(route.getValue().split(", "));
                for (String method : METHODS) {
                    c.send("PUT", "/kv/k", "v");
                    HttpResponse<String> r = c.send(method, route.getKey(), method.equals("PUT") || method.equals("POST") ? "v" : null);
                    String what = method + " " + route.getKey();
                    if (allowed.contains(method)) {
                        assertTrue(r.statusCode() != 405, what + ": " + r.statusCode());
                    } else {
                        assertEquals(405, r.statusCode(), what);
                        assertEquals(route.getValue(), r.headers().firstValue("Allow").orElse(null), what);
                        assertEquals(MESSAGES.get(route.getValue()), r.body(), what);
                    }
                    assertHasLength(r, what);
                }
            }
            // /kv/: GET and HEAD list, DELETE flushes, POST is a batch; any other method has no key.
            for (String method : List.of("PUT", "PATCH", "OPTIONS")) {
                HttpResponse<String> r = c.send(method, "/kv/", null);
                assertEquals(400, r.statusCode(), method + " /kv/");
                assertEquals("Must provide a key in the path\n", r.body(), method + " /kv/");
                assertHasLength(r, method + " /kv/");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void headAnswersExactlyTheHeadersOfGet(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--max-list-limit", "5")) {
            Client c = new Client(server, proto);
            String etag = c.send("PUT", "/kv/k?ttl=1h", "value", "Content-Type", "application/json")
                    .headers().firstValue("ETag").orElseThrow();
            c.send("PUT", "/kv/never?ttl=never", "x");
            String[][] requests = {
                {"/kv/k"}, {"/k"}, {"/kv/never"}, {"/kv/missing"}, {"/kv/k", "If-None-Match", etag},
                {"/kv/k", "If-Match", "\"other\""}, {"/size"}, {"/health"}, {"/kv/?limit=1000"},
                {"/kv/?limit=1"}, {"/kv/k?index=0"}, {"/kv/k;x"}};
            for (String[] request : requests) {
                String[] headers = java.util.Arrays.copyOfRange(request, 1, request.length);
                HttpResponse<String> get = c.send("GET", request[0], null, headers);
                HttpResponse<String> head = c.send("HEAD", request[0], null, headers);
                String what = String.join(" ", request);
                assertEquals(get.statusCode(), head.statusCode(), what);
                assertEquals(comparable(get), comparable(head), what);
                assertEquals("", head.body(), what);
                assertHasLength(get, what);
            }
        }
    }

    /** The headers but the date (the fake ticker stands still, so the TTL headers agree). */
    private static Map<String, List<String>> comparable(HttpResponse<String> r) {
        Map<String, List<String>> headers = new TreeMap<>(r.headers().map());
        headers.remove("date");
        headers.remove(":status");
        return headers;
    }

    private static void assertHasLength(HttpResponse<String> r, String what) {
        if (r.statusCode() != 204 && r.statusCode() != 304) {
            assertTrue(r.headers().firstValue("Content-Length").isPresent(), what + ": " + r.headers().map());
        }
    }
}
