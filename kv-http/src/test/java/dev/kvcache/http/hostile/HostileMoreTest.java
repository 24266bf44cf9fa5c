package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Expiry seen by watches, default waits, conditional touch racing writes, batch bounds, connection flags. */
class HostileMoreTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aWatchSeesExpiry(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            c.send("PUT", "/kv/e?ttl=1h", "v");
            long v = Long.parseLong(c.get("/kv/e?index=0").headers().firstValue("X-Kv-Index").orElseThrow());
            CompletableFuture<HttpResponse<String>> w = c.async("GET", "/kv/e?index=" + v + "&wait=60s", null);
            Thread.sleep(200);
            assertTrue(!w.isDone());
            server.ticker.advance(Duration.ofHours(2));
            HttpResponse<String> r = w.get(10, TimeUnit.SECONDS);
            assertEquals(404, r.statusCode());
            assertEquals("0", r.headers().firstValue("X-Kv-Index").orElseThrow());
        }
    }

    @Test
    void theDefaultWaitIsCappedByTheMaximum() throws Exception {
        try (TestServer server = new TestServer("--watch-max-wait", "1s")) {
            Client c = new Client(server, Client.Proto.HTTP_1_1);
            long start = System.nanoTime();
            HttpResponse<String> r = c.get("/kv/none?index=0");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(404, r.statusCode());
            assertTrue(ms >= 900 && ms < 10_000, ms + " ms");
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aConditionalTouchNeverLandsOnANewerValue(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client a = new Client(server, proto);
            Client b = new Client(server, proto);
            for (int round = 0; round < 60; round++) {
                String etag = a.send("PUT", "/kv/r?ttl=1h", "old").headers().firstValue("ETag").orElseThrow();
                CompletableFuture<HttpResponse<String>> touch = a.async("POST", "/kv/r?touch&ttl=never", null, "If-Match", etag);
                CompletableFuture<HttpResponse<String>> write = b.async("PUT", "/kv/r?ttl=20s", "new");
                int t = touch.get(10, TimeUnit.SECONDS).statusCode();
                assertEquals(204, write.get(10, TimeUnit.SECONDS).statusCode());
                assertTrue(t == 204 || t == 412, "touch " + t);
                HttpResponse<String> read = a.get("/kv/r");
                assertEquals("new", read.body());
                // the write came last or the touch was refused: either way "new" keeps its own 20 s
                long left = Long.parseLong(read.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("-1"));
                assertEquals(20_000, left, "round " + round + ", touch " + t);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void batchItemBoundAndMissStatus(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--batch-max-items", "2", "--miss-status", "200")) {
            Client c = new Client(server, proto);
            String item = "{\"op\":\"get\",\"key\":\"nope\"}";
            HttpResponse<String> over = c.send("POST", "/kv/", "{\"ops\":[" + item + "," + item + "," + item + "]}");
            assertEquals(413, over.statusCode());
            assertEquals("Batch too large: 3 items, the limit is 2 (--batch-max-items)", over.body().trim());
            HttpResponse<String> ok = c.send("POST", "/kv/", "{\"ops\":[" + item + "]}");
            JsonNode res = JSON.readTree(ok.body()).get("results");
            assertEquals(404, res.get(0).get("status").asInt(), ok.body());
            assertEquals(200, c.get("/kv/nope").statusCode());
        }
    }

    @Test
    void connectionFlagsAreValidatedWithTheirNames() {
        String[][] cases = {
                {"--accept-queue", "0", "--accept-queue"}, {"--accept-queue", "-5", "--accept-queue"},
                {"--accept-queue", "lots", "--accept-queue"}, {"--accept-queue", "99999999999", "--accept-queue"},
                {"--max-connections", "0", "--max-connections"}, {"--max-connections", "1.5", "--max-connections"},
                {"--acceptors", "0", "--acceptors"}, {"--acceptors", "17", "--acceptors"},
                {"--selectors", "-1", "--selectors"}, {"--selectors", "65", "--selectors"}};
        for (String[] k : cases) {
            Exception e = assertThrows(Exception.class, () -> new TestServer(k[0], k[1]).close(), k[0] + " " + k[1]);
            String m = String.valueOf(e.getMessage());
            assertTrue(m.contains(k[2]) && m.contains(k[1]), k[0] + " " + k[1] + ": " + m);
            assertTrue(!m.contains("\n") && !m.contains("Exception"), m);
        }
    }

    @Test
    void smallConnectionSettingsStillServe() throws Exception {
        try (TestServer server = new TestServer("--accept-queue", "1", "--max-connections", "2", "--acceptors", "1",
                "--selectors", "1")) {
            Client c1 = new Client(server, Client.Proto.HTTP_1_1);
            Client c2 = new Client(server, Client.Proto.H2C);
            for (int i = 0; i < 20; i++) {
                assertEquals(204, c1.send("PUT", "/kv/k" + i, "v").statusCode());
                assertEquals("v", c2.get("/kv/k" + i).body());
            }
        }
    }
}
