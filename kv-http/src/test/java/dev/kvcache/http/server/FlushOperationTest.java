package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code DELETE /kv/?prefix=P} and {@code DELETE /kv/?all}. */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP and snapshot logic whose outcome does not depend on the JDK
class FlushOperationTest {
    private static final String TOKEN = "flush-token-0123456789";

    private static void fill(Protocol.Client client, String... headers) throws Exception {
        for (String key : List.of("user:1", "user:2", "user:3", "session:1", "other")) {
            assertEquals(204, client.send("PUT", "/kv/" + key, "v", headers).statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void refusedWithoutATokenEvenOnLoopbackUnlessAllowed(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            fill(client);
            for (String query : List.of("prefix=user:", "all")) {
                HttpResponse<String> reply = client.send("DELETE", "/kv/?" + query, null);
                assertEquals(403, reply.statusCode());
                assertEquals("Flush is disabled on this server: it needs an --auth-token (KV_AUTH_TOKEN), or"
                        + " --allow-flush on a trusted network (KvHandlerOptions.allowFlush when embedded)\n", reply.body());
            }
            assertEquals("5", client.get("/size").body());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void allowFlushRemovesAPrefixOrEverythingAndCountsIt(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--allow-flush")) {
            Protocol.Client client = protocol.client(server);
            fill(client);
            HttpResponse<String> users = client.send("DELETE", "/kv/?prefix=user:", null);
            assertEquals(200, users.statusCode());
            assertEquals("{\"removed\":3}", users.body());
            assertEquals("3", users.headers().firstValue("Kv-Removed").orElseThrow());
            assertEquals(404, client.get("/kv/user:1").statusCode());
            assertEquals(200, client.get("/kv/session:1").statusCode());
            assertEquals("{\"removed\":0}", client.send("DELETE", "/kv/?prefix=nothing", null).body());
            assertEquals("{\"removed\":2}", client.send("DELETE", "/kv/?all", null).body());
            assertEquals("0", client.get("/size").body());
            assertTrue(client.get("/stats").body().contains("\"bytes\":0"));
            String metrics = client.get("/metrics").body();
            assertTrue(metrics.contains("kv_operations_total{op=\"flush\"} 3"), metrics);
            assertTrue(metrics.contains("kv_flushed_keys_total 5"), metrics);
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aTokenAllowsItToItsHoldersOnly(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--auth-token", TOKEN)) {
            Protocol.Client client = protocol.client(server);
            String[] auth = {"Authorization", "Bearer " + TOKEN};
            fill(client, auth);
            assertEquals(401, client.send("DELETE", "/kv/?all", null).statusCode());
            assertEquals(401, client.send("DELETE", "/kv/?all", null, "Authorization", "Bearer wrong").statusCode());
            assertEquals("{\"removed\":5}", client.send("DELETE", "/kv/?all", null, auth).body());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aFlushMustSayWhat(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--allow-flush")) {
            Protocol.Client client = protocol.client(server);
            fill(client);
            for (String path : List.of("/kv/", "/kv/?prefix=", "/kv/?prefix=user&all", "/kv/?limit=3")) {
                HttpResponse<String> reply = client.send("DELETE", path, null);
                assertEquals(400, reply.statusCode(), path);
                assertEquals("A flush needs prefix=P (remove the keys starting with P) or all (remove every key), not"
                        + " neither or both\n", reply.body());
            }
            assertEquals("5", client.get("/size").body());
        }
    }

    @Test
    void aFlushIsLoggedAndInTheAccessLog() throws Exception {
        String log = StartupLogTest.capturingStderr(() -> {
            try (TestServer server = new TestServer("--allow-flush", "--access-log")) {
                Protocol.Client client = Protocol.HTTP_1_1.client(server);
                fill(client);
                client.send("DELETE", "/kv/?prefix=user%3A", null);
            }
        });
        assertTrue(log.contains("Flushed 3 key(s) starting with 'user:' at the request of 127.0.0.1"), log);
        assertTrue(log.lines().anyMatch(l -> l.matches(".*\"DELETE /kv/\\?prefix=user%3A HTTP/1\\.1\" 200 13 .* \\d+ms removed=3")), log);
    }
}
