package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Tag;

/** docs/http.md "Batch" and "Flush". */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP and snapshot logic whose outcome does not depend on the JDK
class HostileBatchFlushTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void malformedBatchesApplyNothing(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--batch-max-items", "3")) {
            Client c = new Client(server, proto);
            String put = "{\"op\":\"put\",\"key\":\"half\",\"value\":\"1\"}";
            for (String body : new String[] {
                    "{\"ops\":[" + put + ",",
                    "{\"ops\":[" + put + "]",
                    "{\"ops\":[" + put + "]} trailing",
                    "{\"ops\":[" + put + "]}{\"ops\":[]}",
                    "{\"ops\":[" + put + "],\"ops\":[" + put + "]}",
                    "{\"ops\":[" + put + "," + put + "," + put + "," + put + "]}",
                    "{\"ops\":[" + put + "], \"extra\": {\"deep\": [1,2,}}",
                    "[" + put + "]",
                    "{\"ops\":{}}", "{}", "", "null", "{\"ops\":null}"}) {
                HttpResponse<String> r = c.send("POST", "/kv/", body, "Content-Type", "application/json");
                assertTrue(r.statusCode() == 400 || r.statusCode() == 413, body + " -> " + r.statusCode() + " " + r.body());
                assertTrue(!r.body().isBlank(), body);
                assertEquals(404, c.get("/kv/half").statusCode(), "half-applied: " + body);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void itemErrorsAreTheirsAlone(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--max-value-bytes", "10", "--max-key-bytes", "8")) {
            Client c = new Client(server, proto);
            String body = "{\"ops\":["
                    + "{\"op\":\"put\",\"key\":\"a\",\"value\":\"1\"},"
                    + "{\"op\":\"frob\",\"key\":\"a\"},"
                    + "{\"op\":\"put\",\"key\":\"b\",\"value\":\"12345678901\"},"
                    + "{\"op\":\"put\",\"key\":\"123456789\",\"value\":\"x\"},"
                    + "{\"op\":\"put\",\"key\":\"c\",\"value\":\"x\",\"ttl\":\"0\"},"
                    + "{\"op\":\"put\",\"key\":\"d\",\"value\":\"x\",\"valueBase64\":\"eA==\"},"
                    + "{\"op\":\"put\",\"key\":\"e\",\"valueBase64\":\"!!!\"},"
                    + "{\"op\":\"put\",\"value\":\"x\"},"
                    + "{\"op\":\"put\",\"key\":\"\",\"value\":\"x\"},"
                    + "{\"op\":\"put\",\"key\":\"f\",\"value\":12},"
                    + "{\"op\":\"get\",\"key\":\"a\"},"
                    + "{\"op\":\"delete\",\"key\":\"a\"},"
                    + "{\"op\":\"get\",\"key\":\"a\"},"
                    + "{\"op\":\"put\",\"key\":\"g\",\"valueBase64\":\"/w==\"},"
                    + "{\"op\":\"get\",\"key\":\"g\"}"
                    + "]}";
            HttpResponse<String> r = c.send("POST", "/kv/", body, "Content-Type", "application/json");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode res = JSON.readTree(r.body()).get("results");
            int[] want = {204, 400, 413, 414, 400, 400, 400, 400, 400, 400, 200, 204, 404, 204, 200};
            assertEquals(want.length, res.size(), r.body());
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], res.get(i).get("status").asInt(), "item " + i + ": " + res.get(i));
                if (want[i] >= 400 && want[i] != 404) {
                    assertTrue(res.get(i).hasNonNull("error"), "item " + i + ": " + res.get(i));
                }
            }
            assertEquals("/w==", res.get(14).get("valueBase64").asText());
            for (String k : new String[] {"b", "c", "d", "e", "f"}) {
                assertEquals(404, c.get("/kv/" + k).statusCode(), k);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void batchBytesBound(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--batch-max-bytes", "1024")) {
            Client c = new Client(server, proto);
            String big = "{\"ops\":[{\"op\":\"put\",\"key\":\"big\",\"value\":\"" + "x".repeat(2000) + "\"}]}";
            HttpResponse<String> r = c.send("POST", "/kv/", big, "Content-Type", "application/json");
            assertEquals(413, r.statusCode(), r.body());
            assertEquals("Batch too large: the limit is 1024 bytes of body (--batch-max-bytes)", r.body().trim());
            assertEquals(404, c.get("/kv/big").statusCode());
            // the answer is bounded too
            c.send("PUT", "/kv/v1", "y".repeat(700));
            c.send("PUT", "/kv/v2", "y".repeat(700));
            HttpResponse<String> gets = c.send("POST", "/kv/",
                    "{\"ops\":[{\"op\":\"get\",\"key\":\"v1\"},{\"op\":\"get\",\"key\":\"v2\"}]}");
            JsonNode res = JSON.readTree(gets.body()).get("results");
            assertEquals(200, res.get(0).get("status").asInt());
            assertEquals(413, res.get(1).get("status").asInt(), gets.body());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void flushIsGuarded(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            c.send("PUT", "/kv/u:1", "v");
            HttpResponse<String> r = c.send("DELETE", "/kv/?all", null);
            assertEquals(403, r.statusCode());
            assertTrue(r.body().startsWith("Flush is disabled on this server: it needs an --auth-token (KV_AUTH_TOKEN), or --allow-flush"), r.body());
            assertEquals(403, c.send("DELETE", "/kv/?prefix=u:", null).statusCode());
            assertEquals(200, c.get("/kv/u:1").statusCode());
        }
        try (TestServer server = new TestServer("--auth-token", "s3cret-token-long-enough")) {
            Client c = new Client(server, proto);
            String[] auth = {"Authorization", "Bearer s3cret-token-long-enough"};
            c.send("PUT", "/kv/u:1", "v", auth);
            assertEquals(401, c.send("DELETE", "/kv/?all", null).statusCode());
            HttpResponse<String> ok = c.send("DELETE", "/kv/?prefix=u:", null, auth);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("{\"removed\":1}", ok.body().trim());
        }
        try (TestServer server = new TestServer("--allow-flush")) {
            Client c = new Client(server, proto);
            for (int i = 0; i < 5; i++) {
                c.send("PUT", "/kv/u:" + i, "v");
            }
            c.send("PUT", "/kv/v:1", "v");
            c.send("PUT", "/kv/u:x?ttl=1s", "v");
            server.ticker.advance(java.time.Duration.ofSeconds(2));
            for (String q : new String[] {"", "?prefix=", "?all&prefix=u:"}) {
                HttpResponse<String> bad = c.send("DELETE", "/kv/" + q, null);
                assertEquals(400, bad.statusCode(), q + ": " + bad.body());
            }
            HttpResponse<String> ok = c.send("DELETE", "/kv/?prefix=u:", null);
            assertEquals(200, ok.statusCode());
            assertEquals("{\"removed\":5}", ok.body().trim(), "expired keys counted as removed?");
            assertEquals("5", ok.headers().firstValue("Kv-Removed").orElseThrow());
            assertEquals(200, c.get("/kv/v:1").statusCode());
            String metrics = c.get("/metrics").body();
            assertTrue(metrics.contains("kv_flushed_keys_total 5"), metrics);
            assertTrue(metrics.contains("kv_operations_total{op=\"flush\"} 1"), metrics);
        }
    }
}
