package dev.kvcache.http.server;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** {@code POST /kv/{key}?incr=N&initial=V}: atomic counters on decimal values. */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP logic whose outcome does not depend on the JDK
class CounterOperationTest {
    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void incrementsAndDecrementsFromAStartingValue(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            HttpResponse<String> first = client.send("POST", "/kv/hits?incr", null);
            assertEquals(200, first.statusCode());
            assertEquals("1", first.body());
            assertEquals("6", client.send("POST", "/kv/hits?incr=5", null).body());
            assertEquals("4", client.send("POST", "/kv/hits?decr=2", null).body());
            assertEquals("-96", client.send("POST", "/kv/hits?decr=100", null).body());
            assertEquals("110", client.send("POST", "/kv/fresh?incr=10&initial=100", null).body());
            // initial applies only to an absent key.
            assertEquals("111", client.send("POST", "/kv/fresh?incr=1&initial=5000", null).body());
            HttpResponse<String> get = client.get("/kv/fresh");
            assertEquals("111", get.body());
            assertEquals("text/plain; charset=utf-8", header(get, "Content-Type"));
            // A value written as decimal counts, and keeps its content type.
            client.send("PUT", "/kv/json", "41", "Content-Type", "application/json");
            HttpResponse<String> json = client.send("POST", "/kv/json?incr=1", null);
            assertEquals("42", json.body());
            assertEquals("application/json", header(client.get("/kv/json"), "Content-Type"));
            assertTrue(client.get("/metrics").body().contains("kv_operations_total{op=\"incr\"} 7"));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theTtlIsKeptUnlessTheRequestGivesOne(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            client.send("POST", "/kv/c?incr=1&ttl=5s", null);
            server.ticker.advance(Duration.ofMillis(2_000));
            client.send("POST", "/kv/c?incr=1", null);
            // The fake ticker stands still between the read and the replace, so the deadline is exact.
            assertEquals("3000", header(client.get("/kv/c"), "Kv-Ttl-Remaining-Ms"));
            client.send("POST", "/kv/c?incr=1&ttl=1m", null);
            assertEquals("60000", header(client.get("/kv/c"), "Kv-Ttl-Remaining-Ms"));
            client.send("POST", "/kv/c?touch&ttl=never", null);
            client.send("POST", "/kv/c?incr=1", null);
            assertEquals(null, header(client.get("/kv/c"), "Kv-Ttl-Remaining-Ms"));
            assertEquals("4", client.get("/kv/c").body());
            // A new counter gets the default TTL.
            client.send("POST", "/kv/d?incr=1", null);
            assertEquals("10000", header(client.get("/kv/d"), "Kv-Ttl-Remaining-Ms"));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aNonDecimalValueOrAnOverflowIs409AndLeavesTheValue(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            for (String value : List.of("abc", "", "1.5", " 1", "+1", "007", "-0", "99999999999999999999")) {
                client.send("PUT", "/kv/v", value);
                HttpResponse<String> reply = client.send("POST", "/kv/v?incr=1", null);
                assertEquals(409, reply.statusCode(), value);
                assertEquals("The value of v is not a decimal integer (an optional minus sign and 1 to 19 digits,"
                        + " within a signed 64-bit long), so it cannot be incremented; it is unchanged\n", reply.body());
                assertEquals(value, client.get("/kv/v").body());
            }
            client.send("PUT", "/kv/max", Long.toString(Long.MAX_VALUE));
            HttpResponse<String> over = client.send("POST", "/kv/max?incr=1", null);
            assertEquals(409, over.statusCode());
            assertEquals("Adding 1 to 9223372036854775807 (the value of max) would overflow a signed 64-bit integer"
                    + " (-9223372036854775808 to 9223372036854775807); it is unchanged\n", over.body());
            client.send("PUT", "/kv/min", Long.toString(Long.MIN_VALUE));
            assertEquals(409, client.send("POST", "/kv/min?decr=1", null).statusCode());
            assertEquals("-9223372036854775807", client.send("POST", "/kv/min?incr=1", null).body());
            assertEquals(409, client.send("POST", "/kv/new?incr=1&initial=9223372036854775807", null).statusCode());
            assertEquals(404, client.get("/kv/new").statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void badParametersAre400(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            HttpResponse<String> abc = client.send("POST", "/kv/c?incr=abc", null);
            assertEquals(400, abc.statusCode());
            assertEquals("incr must be a whole number from 0 to 9223372036854775807, was 'abc'\n", abc.body());
            assertEquals(400, client.send("POST", "/kv/c?incr=-1", null).statusCode());
            assertEquals(400, client.send("POST", "/kv/c?decr=99999999999999999999", null).statusCode());
            assertEquals("initial must be a whole number from -9223372036854775808 to 9223372036854775807, was 'x'\n",
                    client.send("POST", "/kv/c?incr=1&initial=x", null).body());
            assertEquals("Give either incr or decr, not both\n", client.send("POST", "/kv/c?incr=1&decr=1", null).body());
            assertEquals(400, client.send("POST", "/kv/c?incr=1&ttl=0", null).statusCode());
            HttpResponse<String> body = client.send("POST", "/kv/c?incr=1", "5");
            assertEquals(400, body.statusCode());
            assertEquals("incr and decr take no body: the amount is the incr or decr parameter\n", body.body());
            assertEquals(404, client.get("/kv/c").statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void concurrentIncrementsLoseNone(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> tasks = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    tasks.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            client.send("POST", "/kv/n?incr=3", null);
                            client.send("POST", "/kv/n?decr=1", null);
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
            assertEquals("800", client.get("/kv/n").body());
        }
    }
}
