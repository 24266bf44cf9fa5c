package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Batch" names an item's fields (op, key, value or valueBase64, contentType, ttl) and the body's
 * ({@code ops}). A field it does not name was ignored without a word: {@code "ifMatch"} made a compare-and-set
 * an unconditional write, a misspelt {@code "tll"} gave the default TTL, {@code "atomic":true} did not make the
 * batch atomic; and a {@code "contentType":null} was stored as the type {@code null}.
 */
class HostileBatchFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aFieldTheDocsDoNotNameIsRefusedNotIgnored(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            String etag = c.send("PUT", "/kv/a", "old").headers().firstValue("ETag").orElseThrow();
            String body = "{\"ops\":["
                    + "{\"op\":\"put\",\"key\":\"a\",\"value\":\"new\",\"ifMatch\":\"\\\"stale\\\"\"},"
                    + "{\"op\":\"put\",\"key\":\"b\",\"value\":\"x\",\"tll\":\"1h\"},"
                    + "{\"op\":\"get\",\"key\":\"a\",\"ifNoneMatch\":\"*\"},"
                    + "{\"op\":\"put\",\"key\":\"d\",\"value\":\"x\",\"contentType\":null},"
                    + "{\"op\":\"put\",\"key\":\"e\",\"value\":\"x\",\"contentType\":5},"
                    + "{\"op\":\"put\",\"key\":\"f\",\"value\":\"x\",\"ttl\":\"1h\",\"contentType\":\"text/csv\"},"
                    + "{\"op\":\"delete\",\"key\":\"gone\"}"
                    + "]}";
            HttpResponse<String> r = c.send("POST", "/kv/", body, "Content-Type", "application/json");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode results = JSON.readTree(r.body()).get("results");
            int[] want = {400, 400, 400, 400, 400, 204, 404};
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], results.get(i).get("status").asInt(), "item " + i + ": " + results.get(i));
            }
            assertTrue(results.get(0).get("error").asText().contains("ifMatch"), results.get(0).toString());
            assertTrue(results.get(1).get("error").asText().contains("tll"), results.get(1).toString());
            assertTrue(results.get(3).get("error").asText().contains("contentType"), results.get(3).toString());
            HttpResponse<String> a = c.get("/kv/a");
            assertEquals("old", a.body());
            assertEquals(etag, a.headers().firstValue("ETag").orElseThrow());
            for (String key : new String[] {"b", "d", "e"}) {
                assertEquals(404, c.get("/kv/" + key).statusCode(), key);
            }
            assertEquals("text/csv", c.get("/kv/f").headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aBodyFieldBesideOpsIsRefusedAndNothingApplied(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            String body = "{\"atomic\":true,\"ops\":[{\"op\":\"put\",\"key\":\"a\",\"value\":\"1\"}]}";
            HttpResponse<String> r = c.send("POST", "/kv/", body, "Content-Type", "application/json");
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("atomic"), r.body());
            assertEquals(404, c.get("/kv/a").statusCode());
        }
    }
}
