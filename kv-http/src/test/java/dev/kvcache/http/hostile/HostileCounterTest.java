package dev.kvcache.http.hostile;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Counters as docs/http.md "Counters" promises, attacked at their edges. */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP logic whose outcome does not depend on the JDK
class HostileCounterTest {
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void nonCanonicalDecimalsAre409AndUnchanged(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            for (String bad : new String[] {"007", "-0", "+1", " 1", "1 ", "", "9223372036854775808", "12a", "--1", "0x10", "1e3"}) {
                c.send("PUT", "/kv/k", bad);
                HttpResponse<String> r = c.send("POST", "/kv/k?incr", null);
                assertEquals(409, r.statusCode(), "value '" + bad + "': " + r.body());
                assertTrue(r.body().startsWith("The value of k is not a decimal integer"), r.body());
                assertTrue(r.body().trim().endsWith("it is unchanged"), r.body());
                assertEquals(bad, c.get("/kv/k").body());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void overflowBothWaysIs409(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            c.send("PUT", "/kv/max", "9223372036854775807");
            HttpResponse<String> r = c.send("POST", "/kv/max?incr", null);
            assertEquals(409, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("Adding 1 to 9223372036854775807 (the value of max) would overflow"), r.body());
            c.send("PUT", "/kv/min", "-9223372036854775808");
            assertEquals(409, c.send("POST", "/kv/min?decr", null).statusCode());
            assertEquals("-9223372036854775808", c.get("/kv/min").body());
            c.send("PUT", "/kv/m2", "-2");
            assertEquals(409, c.send("POST", "/kv/m2?decr=9223372036854775807", null).statusCode());
            assertEquals("-2", c.get("/kv/m2").body());
            // decr from -1 by 2^63-1 is exactly Long.MIN_VALUE: allowed
            c.send("PUT", "/kv/m1", "-1");
            HttpResponse<String> ok = c.send("POST", "/kv/m1?decr=9223372036854775807", null);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("-9223372036854775808", ok.body());
            // an absent key whose initial + N overflows is the same overflow, and stores nothing
            HttpResponse<String> init = c.send("POST", "/kv/fresh?incr=1&initial=9223372036854775807", null);
            assertEquals(409, init.statusCode(), init.body());
            assertEquals(404, c.get("/kv/fresh").statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void badArgumentsAre400(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            for (String q : new String[] {"incr=-1", "incr=9223372036854775808", "incr=abc", "incr=1.5", "incr&decr",
                    "incr=1&initial=x", "incr=1&initial=9223372036854775808", "incr&ttl=0", "incr&ttl=soon",
                    "incr=1&decr=1"}) {
                HttpResponse<String> r = c.send("POST", "/kv/z?" + q, null);
                assertEquals(400, r.statusCode(), q + ": " + r.body());
                assertFalse(r.body().isBlank(), q);
                assertEquals(404, c.get("/kv/z").statusCode(), q + " stored something");
            }
            HttpResponse<String> body = c.send("POST", "/kv/z?incr", "5");
            assertEquals(400, body.statusCode(), body.body());
            assertEquals(404, c.get("/kv/z").statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void keepsDeadlineAndContentTypeAndNeverStaysNever(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            c.send("PUT", "/kv/c?ttl=1h", "5", "Content-Type", "application/x-count");
            server.ticker.advance(Duration.ofMinutes(30));
            HttpResponse<String> r = c.send("POST", "/kv/c?incr=2", null);
            assertEquals("7", r.body());
            HttpResponse<String> read = c.get("/kv/c");
            long left = Long.parseLong(read.headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
            assertTrue(left >= 30 * 60_000 - 5 && left <= 30 * 60_000 + 5, "remaining " + left);
            assertEquals("application/x-count", read.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(r.headers().firstValue("ETag"), read.headers().firstValue("ETag"));

            c.send("PUT", "/kv/n?ttl=never", "1");
            c.send("POST", "/kv/n?incr", null);
            server.ticker.advance(Duration.ofDays(3));
            HttpResponse<String> n = c.get("/kv/n");
            assertEquals(200, n.statusCode());
            assertEquals("2", n.body());
            assertTrue(n.headers().firstValue("Kv-Ttl-Remaining-Ms").isEmpty());

            // an expired counter counts from initial again
            c.send("PUT", "/kv/e?ttl=1s", "40");
            server.ticker.advance(Duration.ofSeconds(2));
            assertEquals("1", c.send("POST", "/kv/e?incr", null).body());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void concurrentIncrementsLoseNone(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                clients.add(new Client(server, proto));
            }
            int perClient = 60;
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (Client c : clients) {
                runs.add(CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < perClient; i++) {
                            HttpResponse<String> r = c.send("POST", "/kv/ctr?incr=3&ttl=never", null);
                            assertEquals(200, r.statusCode(), r.body());
                            // interleave plain writes on another key and decrements to stress the CAS loop
                            c.send("POST", "/kv/ctr?decr=2", null);
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(String.valueOf(clients.size() * perClient), clients.get(0).get("/kv/ctr").body());
        }
    }
}
