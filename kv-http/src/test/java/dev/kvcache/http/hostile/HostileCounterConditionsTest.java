package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Conditional requests": on a {@code POST}, {@code If-Match} writes only if the current tag is
 * listed and {@code If-None-Match} only if it is not, else 412. A counter's {@code POST ?incr} ignored both:
 * {@code If-Match} with a stale tag incremented, {@code If-None-Match: *} incremented an existing counter.
 */
class HostileCounterConditionsTest {

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aCounterJudgesItsPreconditionsAsEveryWriteDoes(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            HttpResponse<String> first = c.send("POST", "/kv/n?incr=5", null);
            assertEquals("5", first.body());
            String etag = first.headers().firstValue("ETag").orElseThrow();
            String[][] refused = {
                    {"If-Match", "\"stale\""}, {"If-Match", "W/" + etag}, {"If-None-Match", "*"},
                    {"If-None-Match", etag}, {"If-None-Match", "\"a\", W/" + etag}};
            for (String[] header : refused) {
                HttpResponse<String> r = c.send("POST", "/kv/n?incr", null, header);
                assertEquals(412, r.statusCode(), header[0] + ": " + header[1] + " -> " + r.body());
                assertEquals("5", c.get("/kv/n").body(), header[0] + ": " + header[1]);
            }
            assertEquals(412, c.send("POST", "/kv/absent?incr", null, "If-Match", "*").statusCode());
            assertEquals(412, c.send("POST", "/kv/absent?decr", null, "If-Match", etag).statusCode());
            assertEquals(404, c.get("/kv/absent").statusCode());

            HttpResponse<String> cas = c.send("POST", "/kv/n?incr", null, "If-Match", etag);
            assertEquals(200, cas.statusCode(), cas.body());
            assertEquals("6", cas.body());
            assertEquals(412, c.send("POST", "/kv/n?incr", null, "If-Match", etag).statusCode(), "the tag moved on");
            assertEquals("5", c.send("POST", "/kv/n?decr", null, "If-Match", "*").body());
            assertEquals("1", c.send("POST", "/kv/fresh?incr", null, "If-None-Match", "*").body());
            assertEquals("4", c.send("POST", "/kv/n?decr", null, "If-None-Match", "\"other\"").body());
        }
    }
}
