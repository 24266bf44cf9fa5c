package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A POST naming two operations on a key. {@code ?incr&decr} is 400 ("Give either incr or decr, not both"), but
 * {@code ?touch&incr} was a touch (204) that dropped the increment without a word, and {@code ?incr&touch} too.
 */
class HostileOperationsTest {
    @Test
    void aTouchAndACounterOperationTogetherAre400AndChangeNothing() throws Exception {
        try (TestServer server = new TestServer()) {
            assertEquals("5", server.post("/kv/c?incr=5&ttl=1h", "").body());
            server.ticker.advance(java.time.Duration.ofMinutes(10));
            for (String query : new String[] {"touch&incr", "incr=2&touch", "touch&decr", "t%6Fuch&%69ncr", "touch&ttl=1h&decr=3"}) {
                HttpResponse<String> reply = server.post("/kv/c?" + query, "");
                assertEquals(400, reply.statusCode(), query + ": " + reply.body());
                assertEquals("Give one operation: touch, incr or decr, not more\n", reply.body(), query);
            }
            HttpResponse<String> get = server.get("/kv/c");
            assertEquals("5", get.body());
            assertEquals("3000000", get.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("none"), "not touched");
        }
    }
}
