package dev.kvcache.bench.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.lists;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.http.DurationSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Parsing properties of the HTTP server, through HTTP: TTLs in every accepted form are honoured to the
 * millisecond and everything else is refused with 400 (storing nothing); any key within the limit,
 * arbitrary Unicode included, round-trips through percent-encoding on {@code /kv/{key}} and is counted by
 * {@code /size} and {@code /stats}; keys and values over the limits are refused with 414 and 413
 * (docs/http.md, "Limits").
 */
class HttpParsingPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KvTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new KvTestServer();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void everyAcceptedTtlFormIsHonouredToTheMillisecond() {
        server.reset();
        qt().withExamples(200).forAll(integers().between(0, DurationSpec.UNITS.size() - 1),
                longs().between(1, DurationSpec.MAX_MILLIS), booleans().all()).checkAssert((unit, seed, inQuery) -> {
                    long value = 1 + (seed - 1) % (DurationSpec.MAX_MILLIS / DurationSpec.UNIT_MILLIS[unit]);
                    String text = value + DurationSpec.UNITS.get(unit);
                    long millis = value * DurationSpec.UNIT_MILLIS[unit];
                    HttpRequest.Builder put = server.request("/kv/ttl" + (inQuery ? "?ttl=" + query(text) : ""))
                            .PUT(HttpRequest.BodyPublishers.ofString("x"));
                    if (!inQuery) {
                        put.header("Kv-Ttl", text);
                    }
                    assertEquals(204, server.send(put.build()).statusCode(), text);
                    HttpResponse<byte[]> get = server.send(server.request("/kv/ttl").GET().build());
                    assertEquals(200, get.statusCode(), text);
                    assertEquals(Long.toString(millis), get.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse(null),
                            () -> "remaining TTL after a write with ttl " + text);
                });
    }

    /** {@code text} as a query value: encoded, since the server decodes a query by form rules ('+' is a space). */
    private static String query(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void ttlsOutsideTheAcceptedFormsAreRefusedWith400AndStoreNothing() {
        server.reset();
        qt().withExamples(300).forAll(DurationSpec.durationLike(), booleans().all(), booleans().all())
                .checkAssert((text, inQuery, post) -> {
                    Long specified = DurationSpec.specifiedMillis(text);
                    HttpRequest.Builder write = server.request("/kv/t" + (inQuery ? "?ttl=" + query(text) : ""))
                            .method(post ? "POST" : "PUT", HttpRequest.BodyPublishers.ofString("x"));
                    if (!inQuery) {
                        write.header("Kv-Ttl", text);
                    }
                    HttpResponse<byte[]> response = server.send(write.build());
                    if (specified != null) {
                        assertEquals(post ? 200 : 204, response.statusCode(), () -> "valid ttl " + text);
                        HttpResponse<byte[]> delete = server.send(server.request("/kv/t").DELETE().build());
                        assertEquals(204, delete.statusCode(), () -> "delete after a write with ttl " + text);
                        return;
                    }
                    assertEquals(400, response.statusCode(), () -> "invalid ttl " + text);
                    String body = new String(response.body(), StandardCharsets.UTF_8);
                    String reason = DurationSpec.isZero(text)
                            ? "a TTL of 0 is refused, it must be positive (DELETE removes a key now; ttl=never keeps it"
                                    + " until it is removed or evicted)"
                            : DurationSpec.tooLong(text)
                            ? "too long, at most " + DurationSpec.MAX_MILLIS + "ms (100 years)"
                            : "expected a positive whole number of ms, or with a unit: 1500ms, 10s, 1m, 2h";
                    assertEquals("invalid duration '" + text + "': " + reason + "\n", body,
                            () -> "body for ttl " + text);
                    assertEquals(404, server.send(server.request("/kv/t").GET().build()).statusCode(),
                            () -> "a refused write stored something, ttl " + text);
                });
    }

    @Test
    void anyKeyWithinTheLimitRoundTripsThroughPercentEncoding() {
        qt().withExamples(150).forAll(keys(), integers().between(0, 64)).checkAssert((key, valueLength) -> {
            server.reset();
            byte[] value = "0123456789abcdef".repeat(5).substring(0, valueLength).getBytes(StandardCharsets.US_ASCII);
            String path = "/kv/" + KeyCodec.encode(key);
            HttpResponse<byte[]> put = server.send(server.request(path)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build());
            assertEquals(204, put.statusCode(), () -> "PUT " + path + " (key " + describe(key) + "): "
                    + new String(put.body(), StandardCharsets.UTF_8));
            HttpResponse<byte[]> get = server.send(server.request(path).GET().build());
            assertEquals(200, get.statusCode(), () -> "GET " + path);
            assertArrayEquals(value, get.body(), () -> "GET " + path);
            HttpResponse<byte[]> size = server.send(server.request("/size").GET().build());
            assertEquals("1", new String(size.body(), StandardCharsets.US_ASCII), () -> "/size after PUT " + path);
            JsonNode stats = json(server.send(server.request("/stats").GET().build()));
            assertEquals(1, stats.get("entries").asLong(), () -> "/stats entries after PUT " + path);
            assertEquals(KeyCodec.utf8Length(key) + valueLength, stats.get("bytes").asLong(),
                    () -> "/stats bytes (key + value) after PUT " + path);
            assertEquals(204, server.send(server.request(path).DELETE().build()).statusCode(), () -> "DELETE " + path);
            assertEquals(404, server.send(server.request(path).GET().build()).statusCode(), () -> "GET after DELETE");
        });
    }

    /**
     * A key is its percent-decoded path (docs/http.md), so its length and the bytes {@code /stats}
     * reports are those of the decoded key: 84 spaces are 84 bytes, within the 250-byte limit.
     */
    @Test
    void keysAreMeasuredDecoded() {
        server.reset();
        String spaces = "/kv/" + "%20".repeat(84);
        HttpResponse<byte[]> put =
                server.send(server.request(spaces).PUT(HttpRequest.BodyPublishers.ofString("")).build());
        assertEquals(204, put.statusCode(), "PUT of a key of 84 spaces (84 bytes of UTF-8)");
        server.send(server.request("/kv/a%20b%3Fc").PUT(HttpRequest.BodyPublishers.ofString("")).build());
        JsonNode stats = json(server.send(server.request("/stats").GET().build()));
        assertEquals(84 + "a b?c".length(), stats.get("bytes").asLong(), "/stats bytes of the keys held");
    }

    @Test
    void keysOverTheLimitAre414AndValuesOverTheLimitAre413() {
        server.reset();
        qt().withExamples(60).forAll(keys(), integers().between(1, 300), integers().between(-2, 2))
                .checkAssert((base, extraBytes, valueDelta) -> {
                    // Grow a valid key past the limit by whole code points.
                    StringBuilder longKey = new StringBuilder(base);
                    while (KeyCodec.utf8Length(longKey.toString()) <= KvTestServer.MAX_KEY_BYTES + extraBytes - 1) {
                        longKey.append(base);
                    }
                    String keyPath = "/kv/" + KeyCodec.encode(longKey.toString());
                    HttpResponse<byte[]> tooLong = server.send(server.request(keyPath)
                            .PUT(HttpRequest.BodyPublishers.ofString("x")).build());
                    assertEquals(414, tooLong.statusCode(), () -> "key of " + KeyCodec.utf8Length(longKey.toString())
                            + " bytes");
                    assertEquals(414, server.send(server.request(keyPath).GET().build()).statusCode(), "GET long key");

                    int size = KvTestServer.MAX_VALUE_BYTES + valueDelta;
                    HttpResponse<byte[]> write = server.send(server.request("/kv/big")
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[size])).build());
                    assertEquals(size > KvTestServer.MAX_VALUE_BYTES ? 413 : 204, write.statusCode(),
                            () -> "value of " + size + " bytes, limit " + KvTestServer.MAX_VALUE_BYTES);
                });
    }

    @Test
    void keysWithAmbiguousEncodingsAreRefusedWith400() {
        server.reset();
        // Jetty refuses %25 ('%'), %2F ('/' inside a segment), %5C ('\\') and control characters as
        // ambiguous or unsafe before the handler runs, so such keys cannot be addressed on either route.
        qt().withExamples(30).forAll(keys(), Generate.pick(List.of("%25", "%2F", "%5C", "%00", "%0A", "%7F")),
                booleans().all()).checkAssert((key, ambiguous, namespaced) -> {
                    String path = (namespaced ? "/kv/" : "/") + KeyCodec.encode(key).replace("/", "") + ambiguous;
                    HttpResponse<byte[]> put = server.sendAlone(server.request(path)
                            .PUT(HttpRequest.BodyPublishers.ofString("x")).build());
                    assertEquals(400, put.statusCode(), () -> "PUT " + path);
                    assertEquals(400, server.sendAlone(server.request(path).GET().build()).statusCode(),
                            () -> "GET " + path);
                });
        HttpResponse<byte[]> size = server.send(server.request("/size").GET().build());
        assertEquals("0", new String(size.body(), StandardCharsets.US_ASCII), "nothing was stored");
    }

    /**
     * Keys of 1 to 250 UTF-8 bytes drawn from printable ASCII (every reserved character and space
     * included), Latin-1, CJK and non-BMP code points, and {@code /}. Excluded: what docs/http.md says
     * Jetty normalizes or refuses: dot segments ({@code .}, {@code ..}), empty segments, and the
     * characters whose encodings Jetty refuses as ambiguous ({@code %}, {@code \}; see
     * {@link #keysWithAmbiguousEncodingsAreRefusedWith400}).
     */
    static Gen<String> keys() {
        List<String> alphabet = List.of("a", "Z", "0", " ", "/", "?", "#", "&", "=", "+", ";", ":", "@", "!",
                "$", "'", "(", ")", "*", ",", "[", "]", "\"", "<", ">", "^", "`", "{", "|", "}", "~", ".", "-",
                "_", "\u00e9", "\u00df", "\u65e5", "\u672c", "\ud83d\ude00", "\u0800", "\ufffd");
        Gen<String> symbol = Generate.pick(alphabet);
        return lists().of(symbol).ofSizeBetween(1, 80).map(parts -> parts.stream().collect(Collectors.joining()))
                .assuming(k -> KeyCodec.utf8Length(k) <= KvTestServer.MAX_KEY_BYTES)
                .assuming(HttpParsingPropertyTest::addressable);
    }

    private static boolean addressable(String key) {
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String describe(String key) {
        return key.codePoints().mapToObj(cp -> cp >= 0x20 && cp < 0x7F ? Character.toString(cp)
                : String.format("\\u{%x}", cp)).collect(Collectors.joining());
    }

    private static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
