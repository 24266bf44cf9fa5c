package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.http.server.TestServer;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Limits" and "Batch" at exactly each limit and one past it, with the length declared and
 * without it (chunked over HTTP/1.1, no length over h2c): the limit is accepted, one more byte or item is
 * refused with the documented status and sentence, and nothing of it is stored. Keys are measured in
 * UTF-8 on every route that takes one. Pins contracts tested before only past the limit, or in ASCII.
 */
class HostileLimitEdgesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> streamed(TestServer server, Client.Proto proto, String method, String path,
            String body) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(proto == Client.Proto.H2C ? HttpClient.Version.HTTP_2
                : HttpClient.Version.HTTP_1_1).build();
        if (proto == Client.Proto.H2C) {
            http.send(HttpRequest.newBuilder(server.uri("/health")).build(), HttpResponse.BodyHandlers.discarding());
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // An InputStream publisher has no length: chunked over HTTP/1.1, DATA frames without one over h2.
        HttpRequest request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertTrue(response.headers().firstValue("Content-Length").isPresent() || response.statusCode() == 204);
        return response;
    }

    /** A batch body of exactly {@code bytes} bytes: one put of key {@code key}, padded with spaces. */
    private static String batchOf(int bytes, String key) {
        String ops = "{\"ops\":[{\"op\":\"put\",\"key\":\"" + key + "\",\"value\":\"v\"}]}";
        return ops + " ".repeat(bytes - ops.length());
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void bodiesAtTheLimitAreTakenAndOneBytePastAreRefused(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--max-value-bytes", "1000", "--batch-max-bytes", "2000",
                "--batch-max-items", "3")) {
            Client c = new Client(server, proto);
            assertEquals(204, c.send("PUT", "/kv/declared", "x".repeat(1000)).statusCode());
            HttpResponse<String> over = c.send("PUT", "/kv/declared-over", "x".repeat(1001));
            assertEquals(413, over.statusCode());
            assertEquals("Value too large: the limit is 1000 bytes\n", over.body());
            assertEquals(204, streamed(server, proto, "PUT", "/kv/streamed", "y".repeat(1000)).statusCode());
            HttpResponse<String> streamedOver = streamed(server, proto, "PUT", "/kv/streamed-over", "y".repeat(1001));
            assertEquals(413, streamedOver.statusCode());
            assertEquals("Value too large: the limit is 1000 bytes\n", streamedOver.body());
            assertEquals(1000, c.get("/kv/declared").body().length());
            assertEquals(1000, c.get("/kv/streamed").body().length());
            assertEquals(404, c.get("/kv/declared-over").statusCode());
            assertEquals(404, c.get("/kv/streamed-over").statusCode());

            String tooLarge = "Batch too large: the limit is 2000 bytes of body (--batch-max-bytes)\n";
            assertEquals(200, c.send("POST", "/kv/", batchOf(2000, "b1")).statusCode());
            HttpResponse<String> batchOver = c.send("POST", "/kv/", batchOf(2001, "b2"));
            assertEquals(413, batchOver.statusCode());
            assertEquals(tooLarge, batchOver.body());
            assertEquals(200, streamed(server, proto, "POST", "/kv/", batchOf(2000, "b3")).statusCode());
            HttpResponse<String> streamedBatchOver = streamed(server, proto, "POST", "/kv/", batchOf(2001, "b4"));
            assertEquals(413, streamedBatchOver.statusCode());
            assertEquals(tooLarge, streamedBatchOver.body());
            assertEquals(200, c.get("/kv/b1").statusCode());
            assertEquals(404, c.get("/kv/b2").statusCode());
            assertEquals(200, c.get("/kv/b3").statusCode());
            assertEquals(404, c.get("/kv/b4").statusCode());

            String item = "{\"op\":\"put\",\"key\":\"i\",\"value\":\"v\"}";
            assertEquals(200, c.send("POST", "/kv/", "{\"ops\":[" + item + "," + item + "," + item + "]}").statusCode());
            HttpResponse<String> items = c.send("POST", "/kv/", "{\"ops\":[" + item + "," + item + "," + item + ","
                    + "{\"op\":\"put\",\"key\":\"fourth\",\"value\":\"v\"}]}");
            assertEquals(413, items.statusCode());
            assertEquals("Batch too large: 4 items, the limit is 3 (--batch-max-items)\n", items.body());
            assertEquals(404, c.get("/kv/fourth").statusCode());
        }
    }

    /** "Keys are at most --max-key-bytes (250) bytes of UTF-8", on every route that takes a key. */
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void keysAreMeasuredInUtf8OnEveryRoute(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            String emoji = "\uD83D\uDE00"; // 4 bytes of UTF-8, 2 chars
            String atLimit = emoji.repeat(62) + "ab"; // 250 bytes
            String overLimit = emoji.repeat(62) + "abc"; // 251 bytes
            String at = URLEncoder.encode(atLimit, StandardCharsets.UTF_8);
            String over = URLEncoder.encode(overLimit, StandardCharsets.UTF_8);
            String tooLong = "Key too long: the limit is 250 bytes\n";
            for (String base : new String[] {"/kv/", "/"}) {
                assertEquals(204, c.send("PUT", base + at, "v").statusCode(), base);
                HttpResponse<String> r = c.send("PUT", base + over, "v");
                assertEquals(414, r.statusCode(), base);
                assertEquals(tooLong, r.body(), base);
            }
            assertEquals(204, c.send("POST", "/kv/" + at + "?touch", null).statusCode());
            assertEquals(414, c.send("POST", "/kv/" + over + "?touch", null).statusCode());
            assertEquals(414, c.send("POST", "/kv/" + over + "?incr", null).statusCode());
            assertEquals(414, c.send("GET", "/kv/" + over + "?index=0&wait=1s", null).statusCode());
            assertEquals(414, c.send("DELETE", "/kv/" + over, null).statusCode());
            JsonNode results = JSON.readTree(c.send("POST", "/kv/", "{\"ops\":[{\"op\":\"get\",\"key\":\"" + atLimit
                    + "\"},{\"op\":\"put\",\"key\":\"" + overLimit + "\",\"value\":\"v\"}]}").body()).get("results");
            assertEquals(200, results.get(0).get("status").asInt(), results.toString());
            assertEquals(414, results.get(1).get("status").asInt(), results.toString());
            assertEquals("Key too long: the limit is 250 bytes", results.get(1).get("error").asText());
            assertEquals("1", c.get("/size").body());
        }
    }
}
