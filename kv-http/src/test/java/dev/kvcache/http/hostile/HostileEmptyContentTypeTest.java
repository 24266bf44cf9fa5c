package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Content types and values": a write without a {@code Content-Type} reads back as
 * {@code text/plain; charset=utf-8}. An empty {@code Content-Type:} field (or a batch's {@code "contentType":""})
 * was stored as the type and answered as {@code Content-Type: } with nothing, which names no media type.
 */
class HostileEmptyContentTypeTest {

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void anEmptyContentTypeIsNoContentType(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            assertEquals(204, c.send("PUT", "/kv/a", "x", "Content-Type", "").statusCode());
            assertEquals(200, c.send("POST", "/b", "x", "Content-Type", " ").statusCode());
            String batch = "{\"ops\":[{\"op\":\"put\",\"key\":\"c\",\"value\":\"x\",\"contentType\":\"\"}]}";
            assertEquals(200, c.send("POST", "/kv/", batch, "Content-Type", "application/json").statusCode());
            for (String key : new String[] {"a", "b", "c"}) {
                HttpResponse<String> r = c.get("/kv/" + key);
                assertEquals("x", r.body(), key);
                assertEquals("text/plain; charset=utf-8", r.headers().firstValue("Content-Type").orElse(null), key);
            }
        }
    }
}
