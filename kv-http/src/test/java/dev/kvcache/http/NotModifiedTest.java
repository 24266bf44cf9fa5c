package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 304 carries what RFC 9110 15.4.5 lists (ETag, Cache-Control, Date, ...) and the entry's remaining
 * lifetime, and no representation metadata but the 200's Content-Length (RFC 9110 8.6; without it Jetty
 * would send a wrong 0): it used to carry Content-Type and X-Content-Type-Options too.
 */
class NotModifiedTest {
    /** The 304's fields: those RFC 9110 15.4.5 names that this server sends, and its own lifetime field. */
    private static final Set<String> ALLOWED = Set.of("etag", "cache-control", "date", "kv-ttl-remaining-ms", "server",
            "content-length");

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
    void everyRouteAndMethodAnswers304WithoutRepresentationFields() throws Exception {
        String tag = server.put("/kv/nm?ttl=1h", "{\"a\":1}", "Content-Type", "application/json").headers()
                .firstValue("ETag").orElseThrow();
        server.put("/kv/nm-never?ttl=never", "abc");
        String neverTag = server.get("/kv/nm-never").headers().firstValue("ETag").orElseThrow();
        try (RawHttp raw = new RawHttp(server.port())) {
            for (String path : new String[] {"/kv/nm", "/nm", "/kv/nm-never"}) {
                String match = path.endsWith("never") ? neverTag : tag;
                for (String method : new String[] {"GET", "HEAD"}) {
                    for (String condition : new String[] {match, "W/" + match, "\"x\", " + match, "*"}) {
                        raw.send(method + " " + path + " HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + condition + "\r\n\r\n");
                        RawHttp.Reply reply = raw.read(true);
                        String what = method + " " + path + " If-None-Match: " + condition + " " + reply.headers();
                        assertEquals(304, reply.status(), what);
                        assertEquals(match, reply.headers().get("etag"), what);
                        for (Map.Entry<String, String> field : reply.headers().entrySet()) {
                            assertTrue(ALLOWED.contains(field.getKey()), "unexpected " + field + " in " + what);
                        }
                        assertEquals(path.endsWith("never") ? "3" : "7", reply.headers().get("content-length"), what);
                        assertEquals(!path.endsWith("never"), reply.headers().containsKey("cache-control"), what);
                    }
                }
            }
            // No body was sent: the connection is in step, and a 200 still carries every field.
            raw.send("GET /kv/nm HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Reply ok = raw.read();
            assertEquals(200, ok.status());
            assertEquals("{\"a\":1}", ok.body());
            assertEquals("application/json", ok.headers().get("content-type"));
            assertEquals("nosniff", ok.headers().get("x-content-type-options"));
            assertFalse(ok.headers().get("kv-ttl-remaining-ms").isEmpty());
        }
    }
}
