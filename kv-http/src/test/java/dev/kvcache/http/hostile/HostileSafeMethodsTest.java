package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 9110 9.2.1: GET and HEAD are safe, so an operation named in their query must not change the entry. */
class HostileSafeMethodsTest {
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void readsNeverIncrementOrTouch(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            String etag = c.send("PUT", "/kv/n?ttl=5s", "5").headers().firstValue("ETag").orElseThrow();
            for (String method : new String[] {"GET", "HEAD"}) {
                for (String q : new String[] {"incr", "decr=2", "touch&ttl=1h", "incr&initial=9"}) {
                    HttpResponse<String> r = c.send(method, "/kv/n?" + q, null);
                    assertTrue(r.statusCode() == 200 || r.statusCode() == 400 || r.statusCode() == 405, method + " ?" + q + ": " + r.statusCode());
                    HttpResponse<String> read = c.get("/kv/n");
                    assertEquals("5", read.body(), method + " ?" + q);
                    assertEquals(etag, read.headers().firstValue("ETag").orElseThrow(), method + " ?" + q);
                    assertEquals("5000", read.headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow(), method + " ?" + q);
                }
            }
            HttpResponse<String> head = c.send("HEAD", "/kv/n?index=0", null);
            assertEquals(200, head.statusCode());
            assertTrue(head.headers().firstValue("X-Kv-Index").isPresent());
            assertEquals("", head.body());
        }
    }
}
