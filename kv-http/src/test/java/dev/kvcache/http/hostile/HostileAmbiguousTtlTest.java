package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two TTLs in one request are refused: keeping one would drop the other without a word (hostile8). */
class HostileAmbiguousTtlTest {
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void twoTtlsInOneRequestAre400AndStoreNothing(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            HttpResponse<String> headers = c.send("PUT", "/kv/h", "x", "Kv-Ttl", "1h", "Kv-Ttl", "1s");
            assertEquals(400, headers.statusCode(), "Kv-Ttl: 1h and Kv-Ttl: 1s");
            assertTrue(headers.body().contains("the Kv-Ttl header is given 2 times; give it once"), headers.body());
            assertEquals(404, c.get("/kv/h").statusCode());
            HttpResponse<String> query = c.send("PUT", "/kv/q?ttl=1h&ttl=1s", "x");
            assertEquals(400, query.statusCode(), "?ttl=1h&ttl=1s");
            assertTrue(query.body().contains("the ttl parameter is given 2 times; give it once"), query.body());
            assertEquals(404, c.get("/kv/q").statusCode());
            // An invalid second value is no longer passed over unread.
            assertEquals(400, c.send("POST", "/q2?ttl=1s&ttl=bogus", "x").statusCode());
            assertEquals(404, c.get("/q2").statusCode());
            // One TTL in the query and one in the header stays the documented precedence: the query's.
            assertEquals(204, c.send("PUT", "/kv/both?ttl=1h", "x", "Kv-Ttl", "1s").statusCode());
            assertEquals(200, c.get("/kv/both").statusCode());
        }
    }
}
