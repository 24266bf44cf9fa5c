package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Tag;

/** {@code POST /kv/}: many gets, puts and deletes in one request. */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP and snapshot logic whose outcome does not depend on the JDK
class BatchOperationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode batch(Protocol.Client client, String body) throws Exception {
        HttpResponse<String> response = client.send("POST", "/kv/", body, "Content-Type", "application/json");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        return JSON.readTree(response.body()).get("results");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void getsPutsAndDeletesWithAStatusPerItem(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            String binary = Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xff, 1});
            JsonNode results = batch(client, "{\"ops\":["
                    + "{\"op\":\"put\",\"key\":\"a\",\"value\":\"caf\u00e9\",\"contentType\":\"text/x\"},"
                    + "{\"op\":\"put\",\"key\":\"b\",\"valueBase64\":\"" + binary + "\",\"ttl\":\"5s\"},"
                    + "{\"op\":\"get\",\"key\":\"a\"},{\"op\":\"get\",\"key\":\"b\"},{\"op\":\"get\",\"key\":\"none\"},"
                    + "{\"op\":\"delete\",\"key\":\"a\"},{\"op\":\"delete\",\"key\":\"a\"},{\"op\":\"get\",\"key\":\"a\"}]}");
            assertEquals(8, results.size());
            assertEquals(204, results.get(0).get("status").asInt());
            assertEquals(204, results.get(1).get("status").asInt());
            JsonNode a = results.get(2);
            assertEquals(200, a.get("status").asInt());
            assertEquals("caf\u00e9", a.get("value").asText());
            assertEquals("text/x", a.get("contentType").asText());
            assertEquals(results.get(0).get("etag").asText(), a.get("etag").asText());
            assertEquals(10_000, a.get("ttlMs").asLong());
            JsonNode b = results.get(3);
            assertEquals(binary, b.get("valueBase64").asText());
            assertFalse(b.has("value"));
            assertEquals(5_000, b.get("ttlMs").asLong());
            assertEquals(404, results.get(4).get("status").asInt());
            assertEquals(204, results.get(5).get("status").asInt());
            assertEquals(404, results.get(6).get("status").asInt());
            assertEquals(404, results.get(7).get("status").asInt());
            // What the batch wrote is what single requests read.
            HttpResponse<String> get = client.get("/kv/b");
            assertEquals(results.get(1).get("etag").asText(), get.headers().firstValue("ETag").orElseThrow());
            assertEquals(b.get("index").asLong(), Long.parseLong(b.get("etag").asText().replace("\"", ""), 36));
            assertTrue(client.get("/metrics").body().contains("kv_batch_items_total 8"));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aBadItemFailsAloneWithItsReason(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--max-key-bytes", "8", "--max-value-bytes", "4")) {
            Protocol.Client client = protocol.client(server);
            JsonNode results = batch(client, "{\"ops\":["
                    + "{\"op\":\"frob\",\"key\":\"a\"},{\"op\":\"get\"},{\"op\":\"get\",\"key\":\"123456789\"},"
                    + "{\"op\":\"put\",\"key\":\"big\",\"value\":\"12345\"},{\"op\":\"put\",\"key\":\"z\",\"value\":\"1\",\"ttl\":\"0\"},"
                    + "{\"op\":\"put\",\"key\":\"both\",\"value\":\"1\",\"valueBase64\":\"AA==\"},"
                    + "{\"op\":\"put\",\"key\":\"b64\",\"valueBase64\":\"!!\"},"
                    + "{\"op\":\"put\",\"key\":\"ok\",\"value\":\"1234\"}, 7]}");
            String[][] expected = {
                {"400", "Unknown op 'frob': use get, put or delete"},
                {"400", "An item must be an object with \"op\" (get, put or delete) and a non-empty string \"key\""},
                {"414", "Key too long: the limit is 8 bytes"},
                {"413", "Value too large: the limit is 4 bytes"},
                {"400", "invalid duration '0': a TTL of 0 is refused, it must be positive (DELETE removes a key now;"
                        + " ttl=never keeps it until it is removed or evicted)"},
                {"400", "A put needs a string \"value\" (stored as UTF-8) or \"valueBase64\", not both"},
            };
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Integer.parseInt(expected[i][0]), results.get(i).get("status").asInt(), "item " + i);
                assertEquals(expected[i][1], results.get(i).get("error").asText(), "item " + i);
            }
            assertEquals(400, results.get(6).get("status").asInt());
            assertTrue(results.get(6).get("error").asText().startsWith("valueBase64 is not base64"));
            assertEquals(204, results.get(7).get("status").asInt());
            assertEquals(400, results.get(8).get("status").asInt());
            assertEquals("1234", client.get("/kv/ok").body());
            assertEquals("1", client.get("/size").body());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aBadOrOversizedBatchIsRefusedWhole(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--batch-max-items", "3", "--batch-max-bytes", "1KiB")) {
            Protocol.Client client = protocol.client(server);
            HttpResponse<String> notJson = client.send("POST", "/kv/", "{\"ops\":[");
            assertEquals(400, notJson.statusCode());
            assertTrue(notJson.body().startsWith("A batch must be JSON {\"ops\":[...]}: the body is not JSON ("),
                    notJson.body());
            for (String body : new String[] {"", "[]", "{\"ops\":{}}", "{\"op\":\"get\"}"}) {
                HttpResponse<String> reply = client.send("POST", "/kv/", body);
                assertEquals(400, reply.statusCode(), body);
            }
            assertEquals("A batch must be JSON {\"ops\":[...]}: an object whose \"ops\" is an array of items\n",
                    client.send("POST", "/kv/", "{}").body());
            HttpResponse<String> items = client.send("POST", "/kv/", "{\"ops\":[{\"op\":\"put\",\"key\":\"a\",\"value\":\"1\"},"
                    + "{\"op\":\"get\",\"key\":\"a\"},{\"op\":\"get\",\"key\":\"a\"},{\"op\":\"get\",\"key\":\"a\"}]}");
            assertEquals(413, items.statusCode());
            assertEquals("Batch too large: 4 items, the limit is 3 (--batch-max-items)\n", items.body());
            HttpResponse<String> bytes = client.send("POST", "/kv/",
                    "{\"ops\":[{\"op\":\"put\",\"key\":\"a\",\"value\":\"" + "x".repeat(2000) + "\"}]}");
            assertEquals(413, bytes.statusCode());
            assertEquals("Batch too large: the limit is 1024 bytes of body (--batch-max-bytes)\n", bytes.body());
            assertEquals("0", client.get("/size").body());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theAnswerIsBoundedToo(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--batch-max-bytes", "1KiB")) {
            Protocol.Client client = protocol.client(server);
            client.send("PUT", "/kv/x", "x".repeat(600));
            client.send("PUT", "/kv/y", "y".repeat(600));
            JsonNode results = batch(client, "{\"ops\":[{\"op\":\"get\",\"key\":\"x\"},{\"op\":\"get\",\"key\":\"y\"}]}");
            assertEquals(200, results.get(0).get("status").asInt());
            assertEquals(413, results.get(1).get("status").asInt());
            assertEquals("This value would take the batch's answer past 1024 value bytes (--batch-max-bytes); get it on"
                    + " its own", results.get(1).get("error").asText());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aBatchWriteWakesAWatch(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            CompletableFuture<HttpResponse<String>> watch = client.sendAsync("GET", "/kv/w?index=0&wait=20s");
            WatchOperationTest.awaitWatchers(client, 1);
            batch(client, "{\"ops\":[{\"op\":\"put\",\"key\":\"w\",\"value\":\"from a batch\"}]}");
            assertEquals("from a batch", watch.get(10, TimeUnit.SECONDS).body());
        }
    }
}
