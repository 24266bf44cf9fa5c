package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a batch item can carry that a single request cannot: JSON escapes name any UTF-16 unit and any
 * control character, where a path is percent-decoded UTF-8 (validated) and a header has no CR or LF.
 */
class HostileBatchInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode results(Client c, String ops) throws Exception {
        HttpResponse<String> r = c.send("POST", "/kv/", "{\"ops\":[" + ops + "]}", "Content-Type", "application/json");
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("results");
    }

    /**
     * docs/http.md, Snapshots: "What is kept: each live entry's key, value bytes ..."; Keys: "at most
     * --max-key-bytes bytes of UTF-8". A key holding a lone surrogate ({@code "a\ud800b"}) has no UTF-8
     * form: it was stored, the snapshot wrote it as {@code a?b}, and the restart put its value over the
     * key {@code a?b}'s (and the key itself was gone).
     */
    @Test
    void aKeyWithoutAUtf8FormIsRefusedSoARestartCannotRenameItOverAnotherKey() throws Exception {
        Path file = dir.resolve("cache.snap");
        try (TestServer server = new TestServer("--snapshot", file.toString(), "--ttl", "10m")) {
            Client c = new Client(server, Client.Proto.HTTP_1_1);
            JsonNode r = results(c, "{\"op\":\"put\",\"key\":\"a?b\",\"value\":\"question\"},"
                    + "{\"op\":\"put\",\"key\":\"a\\ud800b\",\"value\":\"lone\"},"
                    + "{\"op\":\"get\",\"key\":\"\\udc00\"},{\"op\":\"delete\",\"key\":\"x\\ud800\"}");
            assertEquals(204, r.get(0).get("status").asInt());
            for (int i = 1; i < 4; i++) {
                assertEquals(400, r.get(i).get("status").asInt(), r.get(i).toString());
                assertTrue(r.get(i).get("error").asText().contains("not valid Unicode"), r.get(i).toString());
            }
            // A well-formed pair is a key like any other.
            assertEquals(204, results(c, "{\"op\":\"put\",\"key\":\"\\ud83d\\ude00\",\"value\":\"smile\"}")
                    .get(0).get("status").asInt());
            assertEquals("smile", c.get("/kv/%F0%9F%98%80").body());
        }
        try (TestServer server = new TestServer("--snapshot", file.toString(), "--ttl", "10m")) {
            Client c = new Client(server, Client.Proto.HTTP_1_1);
            assertEquals("question", c.get("/kv/a%3Fb").body());
            assertEquals("smile", c.get("/kv/%F0%9F%98%80").body());
            assertEquals("2", c.get("/size").body());
        }
    }

    /** Batch: "value" is "stored as UTF-8"; a lone surrogate cannot be, and came back as {@code ?}. */
    @Test
    void aTextValueWithoutAUtf8FormIsRefusedNotAltered() throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, Client.Proto.HTTP_1_1);
            JsonNode r = results(c, "{\"op\":\"put\",\"key\":\"v\",\"value\":\"a\\ud800b\"}");
            assertEquals(400, r.get(0).get("status").asInt(), r.toString());
            assertTrue(r.get(0).get("error").asText().contains("valueBase64"), r.toString());
            assertEquals(404, c.get("/kv/v").statusCode());
        }
    }

    /**
     * docs/http.md: "Routes, limits, statuses and bodies are the same under every protocol". A batch put's
     * contentType with CR LF was stored; HTTP/1.1 reads got it with the CR LF blanked out, and over h2c the
     * field went out as it was and the client refused the whole response: the key could no longer be read.
     */
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aContentTypeWithControlCharactersIsRefused(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            JsonNode r = results(c, "{\"op\":\"put\",\"key\":\"crlf\",\"value\":\"x\",\"contentType\":\"text/plain\\r\\nX-Evil: 1\"},"
                    + "{\"op\":\"put\",\"key\":\"nul\",\"value\":\"x\",\"contentType\":\"a\\u0000b\"},"
                    + "{\"op\":\"put\",\"key\":\"tab\",\"value\":\"x\",\"contentType\":\"text/plain;\\tcharset=utf-8\"}");
            assertEquals(400, r.get(0).get("status").asInt(), r.toString());
            assertTrue(r.get(0).get("error").asText().contains("contentType"), r.toString());
            assertEquals(400, r.get(1).get("status").asInt(), r.toString());
            assertEquals(204, r.get(2).get("status").asInt(), "a tab is allowed in a field value: " + r);
            assertEquals(404, c.get("/kv/crlf").statusCode());
            assertEquals(404, c.get("/kv/nul").statusCode());
            HttpResponse<String> tab = c.get("/kv/tab");
            assertEquals(200, tab.statusCode());
            assertEquals("x", tab.body());
        }
    }
}
