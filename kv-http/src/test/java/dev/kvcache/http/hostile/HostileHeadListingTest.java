package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Listing keys": at most --max-list-cursors listings are open at once, then 429. A {@code HEAD}
 * of a listing opened a server-side cursor whose id its client never sees (no body), so HEADs alone filled the
 * table and every real listing got 429 until they idled out.
 */
class HostileHeadListingTest {

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void headsOpenNoCursors(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--max-list-cursors", "2")) {
            Client c = new Client(server, proto);
            for (int i = 0; i < 3; i++) {
                assertEquals(204, c.send("PUT", "/kv/k" + i, "x").statusCode());
            }
            HttpResponse<String> get = c.get("/kv/?limit=1");
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> head = c.send("HEAD", "/kv/?limit=1", null);
                assertEquals(200, head.statusCode(), "HEAD " + i);
                assertEquals(get.headers().firstValue("Content-Length"), head.headers().firstValue("Content-Length"));
            }
            assertEquals(200, c.get("/kv/?limit=1").statusCode(), "a GET after the HEADs");
            assertEquals(429, c.get("/kv/?limit=1").statusCode(), "the bound still holds for GETs");
        }
    }
}
