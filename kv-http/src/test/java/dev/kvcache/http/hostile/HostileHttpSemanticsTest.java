package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a client library or a proxy relies on (docs/http.md, "Routes" and "Conditional requests"), over
 * HTTP/1.1 and h2c alike.
 */
class HostileHttpSemanticsTest {
    /**
     * RFC 9110 5.3: a list field sent as several field lines is the same list as one comma-joined line, and
     * proxies split or join them freely. docs/http.md: {@code If-None-Match: "t1", "t2"} is 304 "if listed",
     * {@code If-Match: "t1", "t2"} writes "if the current tag is listed".
     */
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aConditionListSplitOverSeveralFieldLinesIsOneList(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            String etag = c.send("PUT", "/kv/c", "1").headers().firstValue("ETag").orElseThrow();

            assertEquals(304, c.send("GET", "/kv/c", null, "If-None-Match", "\"other\"", "If-None-Match", etag).statusCode(),
                    "GET, If-None-Match listing the current tag on its second line");
            assertEquals(304, c.send("HEAD", "/kv/c", null, "If-None-Match", "\"other\"", "If-None-Match", etag).statusCode());
            assertEquals(200, c.send("GET", "/kv/c", null, "If-Match", "\"other\"", "If-Match", etag).statusCode(),
                    "GET, If-Match listing the current tag on its second line");
            assertEquals(412, c.send("PUT", "/kv/c", "2", "If-None-Match", "\"other\"", "If-None-Match", etag).statusCode(),
                    "PUT, If-None-Match listing the current tag on its second line");
            assertEquals("1", c.get("/kv/c").body());

            HttpResponse<String> cas = c.send("PUT", "/kv/c", "3", "If-Match", "\"other\"", "If-Match", etag);
            assertEquals(204, cas.statusCode(), "PUT, If-Match listing the current tag on its second line");
            assertEquals("3", c.get("/kv/c").body());
            String next = cas.headers().firstValue("ETag").orElseThrow();
            assertEquals(412, c.send("DELETE", "/kv/c", null, "If-None-Match", "\"other\"", "If-None-Match", next).statusCode());
            assertEquals(204, c.send("DELETE", "/kv/c", null, "If-Match", "\"other\"", "If-Match", next).statusCode());
            assertEquals(404, c.get("/kv/c").statusCode());
        }
    }

    /**
     * RFC 9110 13.1.2: "A recipient MUST use the weak comparison function when comparing entity tags for
     * If-None-Match", on every method; docs/http.md: on PUT/POST and DELETE, 412 "if the current tag is
     * listed". A proxy that compresses (nginx's gzip) hands clients the tag as {@code W/"..."}; such a tag in
     * If-None-Match did not stop a write. If-Match stays strong (13.1.1).
     */
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void ifNoneMatchComparesWeaklyOnWritesAsOnReads(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            String etag = c.send("PUT", "/kv/w", "1").headers().firstValue("ETag").orElseThrow();
            assertEquals(304, c.send("GET", "/kv/w", null, "If-None-Match", "W/" + etag).statusCode());
            assertEquals(412, c.send("PUT", "/kv/w", "2", "If-None-Match", "W/" + etag).statusCode());
            assertEquals(412, c.send("POST", "/kv/w", "2", "If-None-Match", "\"x\", W/" + etag).statusCode());
            assertEquals(412, c.send("DELETE", "/kv/w", null, "If-None-Match", "W/" + etag).statusCode());
            assertEquals(412, c.send("POST", "/kv/w?touch", null, "If-None-Match", "W/" + etag).statusCode());
            assertEquals("1", c.get("/kv/w").body());
            assertEquals(412, c.send("PUT", "/kv/w", "3", "If-Match", "W/" + etag).statusCode(), "If-Match is strong");
            assertEquals(204, c.send("PUT", "/kv/w", "4", "If-None-Match", "W/\"other\"").statusCode());
            assertEquals("4", c.get("/kv/w").body());
        }
    }

    /**
     * docs/http.md: "everything after /kv/ is the key"; "Keys are the percent-decoded path". A ';' is a legal
     * path character that URI libraries (java.net.URI among them) do not escape; Jetty strips it as a path
     * parameter, so {@code PUT /kv/user;1} wrote the key {@code user}, silently overwriting another key.
     * Either the key is {@code user;1} or the request is refused; never another key.
     */
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aSemicolonInTheKeyNeverWritesAnotherKey(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            assertEquals(204, c.send("PUT", "/kv/user", "mine").statusCode());
            assertEquals(204, c.send("PUT", "/kv/a", "mine").statusCode());
            for (String path : new String[] {"/kv/user;1", "/kv/a;p=1/b", "/user;1", "/a;b/c"}) {
                for (String method : new String[] {"PUT", "POST", "DELETE"}) {
                    HttpResponse<String> r = c.send(method, path, method.equals("DELETE") ? null : "theirs");
                    assertEquals(400, r.statusCode(), method + " " + path + ": " + r.body());
                    assertTrue(r.body().contains("%3B"), method + " " + path + ": " + r.body());
                }
                HttpResponse<String> read = c.get(path);
                assertEquals(400, read.statusCode(), "GET " + path + " must not read another key: " + read.body());
            }
            assertEquals("mine", c.get("/kv/user").body());
            assertEquals("mine", c.get("/kv/a").body());
            assertEquals(404, c.get("/kv/a/b").statusCode());
            // A key that starts with ';' lost it all: "/kv/;x" was /kv/ itself, a listing, a batch or a flush.
            try (TestServer flushable = new TestServer("--allow-flush")) {
                Client f = new Client(flushable, proto);
                f.send("PUT", "/kv/keep", "v");
                String batch = "{\"ops\":[{\"op\":\"delete\",\"key\":\"keep\"}]}";
                String[][] requests = {{"GET", "/kv/;x", null}, {"HEAD", "/kv/;x", null}, {"POST", "/kv/;x", batch},
                    {"DELETE", "/kv/;x?all", null}, {"DELETE", "/kv/;x?prefix=k", null}};
                for (String[] request : requests) {
                    HttpResponse<String> r = f.send(request[0], request[1], request[2]);
                    assertEquals(400, r.statusCode(), request[0] + " " + request[1] + ": " + r.body());
                }
                assertEquals("v", f.get("/kv/keep").body());
            }
            // Percent-encoded, ';' is a key character like any other.
            assertEquals(204, c.send("PUT", "/kv/user%3B1", "x").statusCode());
            assertEquals("x", c.get("/kv/user%3B1").body());
            assertEquals("mine", c.get("/kv/user").body());
        }
    }
}
