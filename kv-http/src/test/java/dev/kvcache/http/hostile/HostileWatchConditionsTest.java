package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Watch": a watch "answers exactly as a GET does, plus the header X-Kv-Index". A GET whose
 * If-None-Match names the current tag is 304, and one whose If-Match does not is 412; a watch answered 200
 * with the value for both.
 */
class HostileWatchConditionsTest {

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aWatchJudgesPreconditionsAsAGetDoes(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            String etag = c.send("PUT", "/kv/w?ttl=1h", "x").headers().firstValue("ETag").orElseThrow();
            String index = c.get("/kv/w?index=0").headers().firstValue("X-Kv-Index").orElseThrow();
            for (String method : new String[] {"GET", "HEAD"}) {
                HttpResponse<String> plain = c.send(method, "/kv/w", null, "If-None-Match", etag);
                HttpResponse<String> watch = c.send(method, "/kv/w?index=0", null, "If-None-Match", etag);
                assertEquals(304, plain.statusCode());
                assertEquals(plain.statusCode(), watch.statusCode(), method + " If-None-Match");
                assertEquals(etag, watch.headers().firstValue("ETag").orElseThrow());
                assertEquals(index, watch.headers().firstValue("X-Kv-Index").orElseThrow());
                assertTrue(watch.headers().firstValue("Content-Type").isEmpty(), watch.headers().toString());

                assertEquals(412, c.send(method, "/kv/w", null, "If-Match", "\"stale\"").statusCode());
                HttpResponse<String> failed = c.send(method, "/kv/w?index=0", null, "If-Match", "\"stale\"");
                assertEquals(412, failed.statusCode(), method + " If-Match");
                assertEquals(index, failed.headers().firstValue("X-Kv-Index").orElseThrow());

                HttpResponse<String> holds = c.send(method, "/kv/w?index=0", null, "If-Match", etag);
                assertEquals(200, holds.statusCode());
            }
            // A wait that ends on its timer with nothing changed answers 304 to a client that holds the tag.
            HttpResponse<String> timedOut = c.send("GET", "/kv/w?index=" + index + "&wait=200ms", null, "If-None-Match", etag);
            assertEquals(304, timedOut.statusCode());
            assertEquals("", timedOut.body());
        }
    }
}
