package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Counters" and "TTL without rewriting the value": {@code touch}, {@code incr} and {@code decr} are
 * {@code POST} operations. A {@code PUT} naming one was a plain write: {@code PUT ?incr} replaced the counter
 * with the (empty) body, {@code PUT ?touch&ttl=1h} the value it meant to keep.
 */
class HostilePutOperationTest {

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aPutThatNamesAnOperationLeavesTheValue(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            assertEquals("5", c.send("POST", "/kv/hits?incr=5", null).body());
            String etag = c.get("/kv/hits").headers().firstValue("ETag").orElseThrow();
            for (String query : new String[] {"incr", "incr=2", "decr", "touch", "touch&ttl=1h", "ttl=1m&decr=1"}) {
                for (String body : new String[] {null, "7"}) {
                    HttpResponse<String> r = c.send("PUT", "/kv/hits?" + query, body);
                    assertEquals(400, r.statusCode(), query + " -> " + r.body());
                    assertTrue(r.body().contains("are POST operations"), query + " -> " + r.body());
                    HttpResponse<String> read = c.get("/kv/hits");
                    assertEquals("5", read.body(), "PUT ?" + query);
                    assertEquals(etag, read.headers().firstValue("ETag").orElseThrow(), "PUT ?" + query);
                }
            }
            assertEquals(204, c.send("PUT", "/kv/hits?ttl=1m", "9").statusCode());
            assertEquals("10", c.send("POST", "/kv/hits?incr", null).body());
        }
    }
}
