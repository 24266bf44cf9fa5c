package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.http.RawHttp;
import dev.kvcache.http.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one strict query parser, attacked from docs/http.md ("Query parameters"): on the key routes a query
 * with a malformed escape is 400 and does nothing, for every method; encoded separators inside names and
 * values stay data; raw non-ASCII reads as its UTF-8 escape.
 */
class HostileQueryTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer("--allow-flush");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawHttp.Reply raw(String method, String path, String body) throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) { // java.net.URI refuses a malformed escape
            raw.send(RawHttp.request(method, path, body));
            return raw.read(method.equals("HEAD"));
        }
    }

    private static final String MALFORMED = "Malformed percent-escape '%ZZ' in the query: '%' must be followed by two"
            + " hexadecimal digits (RFC 3986 2.1)\n";

    /** Was: DELETE ignored its query and removed the key (204), where GET, PUT and POST answered 400. */
    @Test
    void aDeleteWithAMalformedQueryIs400AndKeepsTheKey() throws Exception {
        assertEquals(204, server.put("/kv/del1?ttl=1h", "v").statusCode());
        for (String path : new String[] {"/kv/del1?x=%ZZ", "/del1?x=%ZZ", "/kv/del1?%ZZ"}) {
            RawHttp.Reply reply = raw("DELETE", path, null);
            assertEquals(400, reply.status(), path);
            assertEquals(MALFORMED, reply.body(), path);
            assertEquals(200, server.get("/kv/del1").statusCode(), "still there after DELETE " + path);
        }
        RawHttp.Reply utf8 = raw("DELETE", "/kv/del1?x=%FF", null);
        assertEquals(400, utf8.status());
        assertEquals("Percent-escapes in the query must encode UTF-8, and '%FF' does not\n", utf8.body());
        assertEquals(200, server.get("/kv/del1").statusCode());
        assertEquals(204, raw("DELETE", "/kv/del1?x=%41", null).status(), "a well-formed query still deletes");
        assertEquals(404, server.get("/kv/del1").statusCode());
    }

    /** Was: a batch ({@code POST /kv/}) ignored its query and ran every operation (200), malformed escape or not. */
    @Test
    void aBatchWithAMalformedQueryIs400AndRunsNothing() throws Exception {
        String body = "{\"ops\":[{\"op\":\"put\",\"key\":\"batch1\",\"value\":\"x\"}]}";
        for (String path : new String[] {"/kv/?x=%ZZ", "/kv/?%ZZ"}) {
            try (RawHttp raw = new RawHttp(server.port())) {
                raw.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body);
                RawHttp.Reply reply = raw.read();
                assertEquals(400, reply.status(), path + " " + reply.body());
                assertEquals(MALFORMED, reply.body(), path);
            }
            assertEquals(404, server.get("/kv/batch1").statusCode(), "the batch ran despite " + path);
        }
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("POST /kv/?x=%41 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body);
            assertEquals(200, raw.read().status(), "a well-formed query still runs the batch");
        }
        assertEquals(200, server.get("/kv/batch1").statusCode());
    }

    /**
     * Pins: a query just under --max-header-bytes (8 KiB) with thousands of pairs is read whole (the last pair
     * counts; a name repeated 1 900 times is no error unless it is ttl), and one over it is 414 as docs/http.md's
     * limits table says.
     */
    @Test
    void aHugeQueryIsReadWholeUpToTheHeaderLimitAnd414Past() throws Exception {
        String filler = "a&".repeat(1500) + "x=%41&".repeat(400);
        assertEquals(204, raw("PUT", "/kv/huge1?" + filler + "ttl=7s", "v").status());
        assertEquals("7000", server.get("/kv/huge1").headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("none"));
        RawHttp.Reply tooLong = raw("PUT", "/kv/huge2?" + "a&".repeat(5000) + "ttl=7s", "v");
        assertEquals(414, tooLong.status());
        assertEquals(404, server.get("/kv/huge2").statusCode());
    }

    /** Pins: encoded '&' and '=' inside a value are data, not separators; ';' separates nothing. */
    @Test
    void encodedSeparatorsInValuesAreData() throws Exception {
        assertEquals(204, server.put("/kv/sep-a&b=c", "v").statusCode());
        assertEquals(204, server.put("/kv/sep-a", "v").statusCode());
        RawHttp.Reply listing = raw("GET", "/kv/?prefix=sep-a%26b%3Dc", null);
        assertEquals(200, listing.status());
        assertEquals("{\"keys\":[\"sep-a&b=c\"],\"cursor\":null}", listing.body());
        RawHttp.Reply semicolon = raw("PUT", "/kv/sep-s?ttl=5s;incr", "v");
        assertEquals(400, semicolon.status());
        assertEquals(true, semicolon.body().startsWith("invalid duration '5s;incr'"), semicolon.body());
        // An encoded '=' inside a name keeps it one bare name: "ttl=5s", not ttl.
        assertEquals(204, server.put("/kv/sep-n?ttl%3D5s", "v").statusCode());
        assertEquals("10000", server.get("/kv/sep-n").headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("none"));
    }

    /** Pins: an empty name and empty pairs are skipped over, not taken for the next parameter. */
    @Test
    void emptyNamesAndPairsAreNotParameters() throws Exception {
        assertEquals(204, server.put("/kv/empty1?=5s&&&ttl=3s&&", "v").statusCode());
        assertEquals("3000", server.get("/kv/empty1").headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("none"));
        assertEquals(204, server.put("/kv/empty2?=&ttl%3D=9s", "v").statusCode(), "'ttl=' is a name, not ttl");
        assertEquals("10000", server.get("/kv/empty2").headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("none"));
    }

    /** Pins: raw UTF-8 in the query reads as its escapes do (Jetty decodes the request line as UTF-8). */
    @Test
    void rawNonAsciiIsItsUtf8Escape() throws Exception {
        RawHttp.Reply put = raw("PUT", "/kv/caf%C3%A9-1", "v");
        assertEquals(204, put.status());
        assertEquals("{\"keys\":[\"caf\u00e9-1\"],\"cursor\":null}", raw("GET", "/kv/?prefix=caf\u00e9", null).body());
        assertEquals("{\"keys\":[\"caf\u00e9-1\"],\"cursor\":null}", raw("GET", "/kv/?prefix=caf%C3%A9", null).body());
        RawHttp.Reply fullWidth = raw("PUT", "/kv/fw?ttl=\uff15s", "v");
        assertEquals(400, fullWidth.status(), "a full-width digit is not a digit");
    }
}
