package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code POST /kv/{key}?touch}: a new TTL without rewriting the value. */
class TtlOperationTest {
    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void touchRestartsTheDefaultTtlAndKeepsTheValueAndEtag(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            HttpResponse<String> put = client.send("PUT", "/kv/session?ttl=2s", "abc", "Content-Type", "application/json");
            String etag = header(put, "ETag");
            server.ticker.advance(Duration.ofMillis(1_500));
            HttpResponse<String> touch = client.send("POST", "/kv/session?touch", null);
            assertEquals(204, touch.statusCode());
            assertEquals(etag, header(touch, "ETag"));
            assertEquals("10000", header(touch, "Kv-Ttl-Remaining-Ms"));
            server.ticker.advance(Duration.ofMillis(9_999));
            HttpResponse<String> get = client.get("/kv/session");
            assertEquals("abc", get.body());
            assertEquals(etag, header(get, "ETag"));
            assertEquals("application/json", header(get, "Content-Type"));
            assertEquals("1", header(get, "Kv-Ttl-Remaining-Ms"));
            server.ticker.advance(Duration.ofMillis(1));
            assertEquals(404, client.get("/kv/session").statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void touchSetsAGivenTtlOrNever(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            client.send("PUT", "/kv/k", "v");
            assertEquals("30000", header(client.send("POST", "/kv/k?touch&ttl=30s", null), "Kv-Ttl-Remaining-Ms"));
            assertEquals("30000", header(client.get("/kv/k"), "Kv-Ttl-Remaining-Ms"));
            assertEquals("1500", header(client.send("POST", "/kv/k?touch", null, "Kv-Ttl", "1500ms"),
                    "Kv-Ttl-Remaining-Ms"));
            HttpResponse<String> never = client.send("POST", "/kv/k?touch&ttl=never", null);
            assertEquals(204, never.statusCode());
            assertEquals(null, header(never, "Kv-Ttl-Remaining-Ms"));
            server.ticker.advance(Duration.ofDays(3650));
            HttpResponse<String> get = client.get("/kv/k");
            assertEquals("v", get.body());
            assertEquals(null, header(get, "Kv-Ttl-Remaining-Ms"));
            assertEquals(null, header(get, "Cache-Control"));
            // A TTL again ends "never".
            client.send("POST", "/kv/k?touch&ttl=1s", null);
            server.ticker.advance(Duration.ofSeconds(1));
            assertEquals(404, client.get("/kv/k").statusCode());
            // ttl=never works on a write too.
            client.send("PUT", "/kv/forever?ttl=never", "x");
            server.ticker.advance(Duration.ofDays(3650));
            assertEquals("x", client.get("/kv/forever").body());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void badInputIsRefusedWithASentence(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            client.send("PUT", "/kv/k", "v");
            String etag = header(client.get("/kv/k"), "ETag");
            HttpResponse<String> zero = client.send("POST", "/kv/k?touch&ttl=0", null);
            assertEquals(400, zero.statusCode());
            assertEquals("invalid duration '0': a TTL of 0 is refused, it must be positive (DELETE removes a key now;"
                    + " ttl=never keeps it until it is removed or evicted)\n", zero.body());
            assertEquals(400, client.send("PUT", "/kv/k?ttl=0s", "v2").statusCode());
            HttpResponse<String> soon = client.send("POST", "/kv/k?touch&ttl=soon", null);
            assertEquals(400, soon.statusCode());
            assertTrue(soon.body().startsWith("invalid duration 'soon'"), soon.body());
            HttpResponse<String> body = client.send("POST", "/kv/k?touch", "new value");
            assertEquals(400, body.statusCode());
            assertEquals("touch takes no body: it changes only the TTL (send the value with PUT or POST without touch)\n",
                    body.body());
            assertEquals(404, client.send("POST", "/kv/absent?touch", null).statusCode());
            assertEquals(412, client.send("POST", "/kv/k?touch", null, "If-Match", "\"other\"").statusCode());
            assertEquals(204, client.send("POST", "/kv/k?touch", null, "If-Match", etag).statusCode());
            // Nothing above rewrote the value.
            HttpResponse<String> get = client.get("/kv/k");
            assertEquals("v", get.body());
            assertEquals(etag, header(get, "ETag"));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void touchKeepsTheByteCountAndIsCounted(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            client.send("PUT", "/kv/k", "12345");
            String before = client.get("/stats").body();
            for (int i = 0; i < 5; i++) {
                client.send("POST", "/kv/k?touch", null);
            }
            String after = client.get("/stats").body();
            assertTrue(before.contains("\"bytes\":6"), before);
            assertTrue(after.contains("\"bytes\":6"), after);
            assertTrue(client.get("/metrics").body().contains("kv_operations_total{op=\"touch\"} 5"));
        }
    }

    /** Touches racing increments never undo one: each touch replaces only the value it read. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void touchIsAtomicWithConcurrentWrites(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> tasks = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    tasks.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            assertEquals(200, client.send("POST", "/kv/n?incr=1", null).statusCode());
                        }
                        return null;
                    }));
                    tasks.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            int status = client.send("POST", "/kv/n?touch&ttl=never", null).statusCode();
                            assertTrue(status == 204 || status == 404, "status " + status);
                        }
                        return null;
                    }));
                }
                for (Future<?> task : tasks) {
                    task.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals("200", client.get("/kv/n").body());
            client.send("POST", "/kv/n?touch&ttl=never", null);
            assertFalse(client.get("/kv/n").headers().firstValue("Kv-Ttl-Remaining-Ms").isPresent());
        }
    }
}
