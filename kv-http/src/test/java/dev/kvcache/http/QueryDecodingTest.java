package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Query parameter names are percent-decoded as their values are (as Jetty's
 * {@code Request.extractQueryParameters} decodes them), for every documented parameter; a malformed escape
 * is 400. Before, only values were decoded: {@code ?tt%6C=5s} stored with the default TTL.
 */
class QueryDecodingTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer("--allow-flush");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String remaining(String path) throws Exception {
        return server.get(path).headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("none");
    }

    @Test
    void anEncodedTtlNameIsTheTtl() throws Exception {
        assertEquals(204, server.put("/kv/n1?tt%6C=5s", "v").statusCode());
        assertEquals("5000", remaining("/kv/n1"));
        assertEquals(204, server.put("/kv/n2?%74%74%6c=never", "v").statusCode());
        assertEquals("none", remaining("/kv/n2"));
        assertEquals(400, server.put("/kv/n3?tt%6C", "v").statusCode(), "a bare encoded ttl is still bare");
    }

    @Test
    void encodedOperationNamesAreTheOperations() throws Exception {
        HttpResponse<String> incr = server.post("/kv/c1?%69ncr=2", "");
        assertEquals(200, incr.statusCode(), incr.body());
        assertEquals("2", incr.body());
        assertEquals("-1", server.post("/kv/c1?de%63r=3", "").body());
        assertEquals("9", server.post("/kv/c2?incr&%69nitial=8", "").body());

        server.put("/kv/t1", "v");
        assertEquals(204, server.post("/kv/t1?%74ouch&ttl=1h", "").statusCode());
        assertEquals("3600000", remaining("/kv/t1"));
        assertEquals("v", server.get("/kv/t1").body(), "a touch leaves the value");

        HttpResponse<String> watch = server.get("/kv/t1?%69ndex=0");
        assertEquals(200, watch.statusCode());
        assertTrue(watch.headers().firstValue(WatchOperation.INDEX_HEADER).isPresent(), "a watch answers its index");
    }

    @Test
    void encodedListingAndFlushNamesAreRead() throws Exception {
        server.put("/kv/lst-a", "v");
        server.put("/kv/lst-b", "v");
        String page = server.get("/kv/?%70refix=lst-a").body();
        assertTrue(page.contains("lst-a") && !page.contains("lst-b"), page);
        String one = server.get("/kv/?prefix=lst-&li%6Dit=1").body();
        assertTrue(one.contains("lst-a") != one.contains("lst-b"), one);
        HttpResponse<String> flush = server.method("DELETE", "/kv/?pre%66ix=lst-");
        assertEquals(200, flush.statusCode(), flush.body());
        assertEquals("{\"removed\":2}", flush.body());
    }

    @Test
    void aParameterGivenTwiceTakesItsFirstValueEncodedOrNot() throws Exception {
        server.put("/kv/twice-a", "v");
        server.put("/kv/twice-b", "v");
        server.put("/kv/twice-c", "v");
        assertEquals(1, keys(server.get("/kv/?prefix=twice-&limit=1&limit=3").body()));
        assertEquals(1, keys(server.get("/kv/?prefix=twice-&li%6Dit=1&limit=3").body()));
        assertEquals(1, keys(server.get("/kv/?prefix=twice-&limit=1&li%6Dit=3").body()));
    }

    @Test
    void aTtlGivenTwiceEncodedOrNotIs400() throws Exception {
        for (String query : new String[] {"ttl=2s&ttl=9s", "tt%6C=2s&ttl=9s", "ttl=2s&tt%6C=9s", "ttl&ttl=9s", "ttl=2s&ttl=2s"}) {
            HttpResponse<String> put = server.put("/kv/d?" + query, "v");
            assertEquals(400, put.statusCode(), query);
            assertEquals("the ttl parameter is given 2 times; give it once", put.body().strip(), query);
            assertEquals(404, server.get("/kv/d").statusCode(), query);
        }
    }

    private static int keys(String page) {
        return page.split("\"twice-", -1).length - 1;
    }

    @Test
    void aPlusIsASpaceAsInJettysFormDecoding() throws Exception {
        server.put("/kv/p%20q", "v");
        String page = server.get("/kv/?prefix=p+q").body();
        assertTrue(page.contains("p q"), page);
        HttpResponse<String> ttl = server.put("/kv/p2?ttl=1+s", "v");
        assertEquals(400, ttl.statusCode());
        assertTrue(ttl.body().startsWith("invalid duration '1 s'"), ttl.body());
    }

    @Test
    void aMalformedEscapeIs400NamingTheRule() throws Exception {
        String[][] cases = {
            {"PUT", "/kv/m1?ttl=%G1", "%G1"},
            {"PUT", "/kv/m1?x=1&%", "%"},
            {"PUT", "/kv/m1?ttl=5%", "%"},
            {"PUT", "/kv/m1?ttl=5s&x=%4", "%4"},
            {"POST", "/kv/m1?incr=%zz", "%zz"},
            {"GET", "/kv/m1?index=%", "%"},
            {"GET", "/kv/?prefix=%G1", "%G1"},
            {"DELETE", "/kv/?prefix=a%", "%"},
        };
        for (String[] c : cases) {
            try (RawHttp raw = new RawHttp(server.port())) { // java.net.URI refuses a malformed escape
                raw.send(RawHttp.request(c[0], c[1], c[0].equals("PUT") ? "v" : null));
                RawHttp.Reply reply = raw.read();
                assertEquals(400, reply.status(), c[1]);
                assertEquals("Malformed percent-escape '" + c[2] + "' in the query: '%' must be followed by two"
                        + " hexadecimal digits (RFC 3986 2.1)\n", reply.body(), c[1]);
            }
        }
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(RawHttp.request("PUT", "/kv/m2?ttl=%FF%FE", "v"));
            RawHttp.Reply reply = raw.read();
            assertEquals(400, reply.status());
            assertEquals("Percent-escapes in the query must encode UTF-8, and '%FF%FE' does not\n", reply.body());
        }
        assertEquals(404, server.get("/kv/m1").statusCode(), "nothing was stored");
        assertEquals(404, server.get("/kv/m2").statusCode(), "nothing was stored");
    }
}
