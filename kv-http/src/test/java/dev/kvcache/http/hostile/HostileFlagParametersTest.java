package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Flush" and "TTL without rewriting the value": {@code ?all} and {@code ?touch} are bare names.
 * A value given to one of them ({@code all=false}, {@code touch=5s}) was dropped without a word: {@code
 * DELETE /kv/?all=false} removed every key, and {@code POST ?touch=5s} gave the default TTL, not 5 s. So was
 * a second {@code prefix} of a flush ({@code prefix=a&prefix=b} removed only {@code a*}).
 */
class HostileFlagParametersTest {

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aFlushWhoseAllHasAValueRemovesNothing(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--allow-flush")) {
            Client c = new Client(server, proto);
            assertEquals(204, c.send("PUT", "/kv/keep", "x").statusCode());
            for (String query : new String[] {"all=false", "all=0", "all=no", "all=", "all=true"}) {
                HttpResponse<String> r = c.send("DELETE", "/kv/?" + query, null);
                assertEquals(400, r.statusCode(), query + " -> " + r.body());
                assertTrue(r.body().contains("all takes no value"), query + " -> " + r.body());
                assertEquals(200, c.get("/kv/keep").statusCode(), "flushed by " + query);
            }
            HttpResponse<String> r = c.send("DELETE", "/kv/?prefix=a&prefix=k", null);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("prefix parameter is given 2 times"), r.body());
            assertEquals(200, c.get("/kv/keep").statusCode());
            assertEquals("{\"removed\":1}", c.send("DELETE", "/kv/?all", null).body());
            assertEquals(404, c.get("/kv/keep").statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aTouchWhoseNameHasAValueChangesNothing(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--ttl", "10s")) {
            Client c = new Client(server, proto);
            assertEquals(204, c.send("PUT", "/kv/s?ttl=1h", "abc").statusCode());
            for (String query : new String[] {"touch=5s", "touch=", "touch=never", "touch=false"}) {
                HttpResponse<String> r = c.send("POST", "/kv/s?" + query, null);
                assertEquals(400, r.statusCode(), query + " -> " + r.body());
                assertTrue(r.body().contains("touch takes no value"), query + " -> " + r.body());
                assertEquals("3600000", c.get("/kv/s").headers().firstValue("Kv-Ttl-Remaining-Ms").orElse(null), query);
            }
            HttpResponse<String> r = c.send("POST", "/kv/s?touch&ttl=5s", null);
            assertEquals(204, r.statusCode(), r.body());
            assertEquals("5000", r.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse(null));
        }
    }
}
