package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.UriCompliance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Keys and reserved names": every key works on {@code /kv/{key}}, as its percent-encoded path.
 * Jetty's default URI compliance refused {@code %25} (a '%' in the key) and {@code %2F} before the handler ran,
 * so such keys could not be addressed at all.
 */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP and snapshot logic whose outcome does not depend on the JDK
class PercentEncodedKeysTest {
    /** Paths and the keys they name; each value written is its key, so a read shows which key it hit. */
    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("/kv/50%25", "50%");
        KEYS.put("/kv/%2541", "%41"); // decoded once: not "A"
        KEYS.put("/kv/100%2525", "100%25");
        KEYS.put("/kv/a%2Fb", "a/b"); // the same key as /kv/a/b
        KEYS.put("/kv/x%2F..%2Fy", "x/../y"); // encoded slashes keep the dots a part of the key
        KEYS.put("/kv/C:%5Ctemp", "C:\\temp");
        KEYS.put("/kv/tab%09key", "tab\tkey");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void keysWithEncodedPercentSignsSlashesAndBackslashesRoundTrip(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            for (Map.Entry<String, String> k : KEYS.entrySet()) {
                HttpResponse<String> put = client.send("PUT", k.getKey(), k.getValue());
                assertEquals(204, put.statusCode(), "PUT " + k.getKey() + ": " + put.body());
            }
            for (Map.Entry<String, String> k : KEYS.entrySet()) {
                HttpResponse<String> get = client.get(k.getKey());
                assertEquals(200, get.statusCode(), "GET " + k.getKey());
                assertEquals(k.getValue(), get.body(), "GET " + k.getKey());
            }
            assertEquals(404, client.get("/kv/A").statusCode(), "%2541 was decoded twice");
            assertEquals(404, client.get("/kv/100%25").statusCode(), "%2525 was decoded twice");
            assertEquals("a/b", client.get("/kv/a/b").body());
            assertEquals(String.valueOf(KEYS.size()), client.get("/size").body());

            // The listing gives the keys themselves, as JSON strings, not their paths.
            HttpResponse<String> listing = client.get("/kv/");
            assertEquals(new TreeSet<>(KEYS.values()), new TreeSet<>(KeyListingTest.page(client, "").keys()));
            for (String raw : List.of("\"50%\"", "\"%41\"", "\"100%25\"", "\"a/b\"", "\"C:\\\\temp\"", "\"tab\\tkey\"")) {
                assertTrue(listing.body().contains(raw), raw + " in " + listing.body());
            }
            assertEquals(Set.of("50%"), Set.copyOf(KeyListingTest.page(client, "prefix=50%25").keys()));

            for (Map.Entry<String, String> k : KEYS.entrySet()) {
                assertEquals(204, client.send("DELETE", k.getKey(), null).statusCode(), "DELETE " + k.getKey());
                assertEquals(404, client.get(k.getKey()).statusCode(), "GET " + k.getKey() + " after DELETE");
            }
            assertEquals("0", client.get("/size").body());
        }
    }

    /** The Go route takes the first segment, decoded as on /kv/; an encoded slash does not end it. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theRootRouteTakesTheSameEncodings(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            assertEquals(204, client.send("PUT", "/50%25", "half").statusCode());
            assertEquals("half", client.get("/kv/50%25").body());
            assertEquals("half", client.get("/50%25/ignored").body());
            assertEquals(200, client.send("POST", "/%2541", "not A").statusCode());
            assertEquals("not A", client.get("/kv/%2541").body());
            assertEquals(404, client.get("/A").statusCode());
            assertEquals(204, client.send("PUT", "/kv/a/b", "slash").statusCode());
            assertEquals("slash", client.get("/a%2Fb").body());
            assertEquals(404, client.get("/a/b").statusCode(), "/a/b is the key a");
            // A reserved name with more after it is a key, not the resource.
            assertEquals(404, client.get("/size%25").statusCode());
            assertEquals(404, client.get("/health%2Fx").statusCode());
            assertEquals(204, client.send("DELETE", "/50%25", null).statusCode());
            assertEquals(404, client.get("/kv/50%25").statusCode());
        }
    }

    /**
     * No encoding of a reserved name reaches its resource unless it is that name: an encoded '/' or '%' after
     * it makes a key (so {@code DELETE /kv%2F?all} deletes the key {@code kv/} and flushes nothing, and a batch
     * body posted to {@code /kv%2F} is that key's value); an escape of an unreserved letter is the letter
     * (RFC 3986 6.2.2.2), so {@code /%6Bv/x} is {@code /kv/x}.
     */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void encodedReservedNamesAreKeysAndReachNoResource(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--allow-flush")) {
            Protocol.Client client = protocol.client(server);
            assertEquals(204, client.send("PUT", "/kv/keep", "kept").statusCode());
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("/size%2F", "size/");
            keys.put("/metrics%2Fx", "metrics/x");
            keys.put("/stats%2F", "stats/");
            keys.put("/health%25", "health%");
            keys.put("/kv%2Fx", "kv/x");
            keys.put("/kv%2F", "kv/");
            keys.put("/kv/..%2F", "../");
            keys.put("/%2Fsize", "/size");
            for (Map.Entry<String, String> k : keys.entrySet()) {
                assertEquals(204, client.send("PUT", k.getKey(), k.getValue()).statusCode(), "PUT " + k.getKey());
                assertEquals(k.getValue(), client.get(k.getKey()).body(), "GET " + k.getKey());
                assertEquals(k.getValue(), client.get("/kv/" + k.getKey().substring(1)
                        .replaceFirst("^kv/", "")).body(), "the same key on /kv/");
            }
            assertEquals(String.valueOf(keys.size() + 1), client.get("/size").body());
            assertEquals("kept", client.get("/%6Bv/keep").body());
            assertEquals("kept", client.get("/%6B%76/keep").body());

            HttpResponse<String> notABatch = client.send("POST", "/kv%2F", "{\"ops\":[{\"op\":\"delete\",\"key\":\"keep\"}]}");
            assertEquals(200, notABatch.statusCode());
            assertEquals("{\"ops\":[{\"op\":\"delete\",\"key\":\"keep\"}]}", client.get("/kv/kv%2F").body());
            assertEquals(204, client.send("DELETE", "/kv%2F?all", null).statusCode(), "the key kv/");
            assertEquals(404, client.send("DELETE", "/kv%2F?all", null).statusCode(), "not a flush");
            assertEquals(String.valueOf(keys.size()), client.get("/size").body());
            assertEquals("kept", client.get("/kv/keep").body());
        }
    }

    /** The key limit is judged on the decoded key: 250 bytes of UTF-8, however long its encoded path. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theKeyLimitIsOnTheDecodedKey(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            String emoji = "%F0%9F%98%80"; // 4 bytes, 2 chars
            Map<String, Integer> paths = new LinkedHashMap<>();
            paths.put("/kv/" + "%41".repeat(250), 204);
            paths.put("/kv/" + "%41".repeat(251), 414);
            paths.put("/kv/" + "%C3%A9".repeat(125), 204);
            paths.put("/kv/" + "%C3%A9".repeat(125) + "a", 414);
            paths.put("/kv/" + emoji.repeat(62) + "ab", 204);
            paths.put("/kv/" + emoji.repeat(62) + "abc", 414);
            paths.put("/" + "%25".repeat(249) + "%2F", 204);
            paths.put("/" + "%25".repeat(251), 414);
            for (Map.Entry<String, Integer> p : paths.entrySet()) {
                HttpResponse<String> put = protocol.client(server).send("PUT", p.getKey(), "v");
                assertEquals((int) p.getValue(), put.statusCode(), p.getKey().length() + " chars: " + put.body());
            }
            assertEquals("4", client.get("/size").body());
        }
    }

    /** HEAD, preconditions, counters, touch and watches address the decoded key as GET and PUT do. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void everyKeyOperationTakesEncodedKeys(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            String etag = client.send("PUT", "/kv/50%25", "half").headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> head = client.send("HEAD", "/50%25", null);
            assertEquals(200, head.statusCode());
            assertEquals(etag, head.headers().firstValue("ETag").orElse(null));
            assertEquals(304, client.send("GET", "/50%25", null, "If-None-Match", etag).statusCode());
            assertEquals(412, client.send("PUT", "/kv/50%25", "x", "If-Match", "\"other\"").statusCode());
            assertEquals(204, client.send("PUT", "/kv/50%25", "whole", "If-Match", etag).statusCode());
            assertEquals(201, client.send("PUT", "/kv/a%2Fnew", "n", "If-None-Match", "*").statusCode());
            assertEquals(412, client.send("PUT", "/a%2Fnew", "n", "If-None-Match", "*").statusCode(), "the same key");

            assertEquals("1", client.send("POST", "/kv/c%2F1?incr", null).body());
            assertEquals("2", client.send("POST", "/c%2F1?incr", null).body());
            assertEquals("-1", client.send("POST", "/kv/%2541?decr", null).body());
            assertEquals(404, client.get("/kv/A").statusCode(), "%2541 was decoded twice");
            assertEquals("5", client.send("POST", "/kv/C:%5Cn?incr=5", null).body());
            assertEquals(204, client.send("POST", "/kv/50%25?touch&ttl=1m", null).statusCode());
            assertEquals("60000", client.get("/50%25").headers().firstValue("Kv-Ttl-Remaining-Ms").orElse(null));

            var watch = client.sendAsync("GET", "/kv/w%2F%25%09?index=0&wait=20s");
            Thread.sleep(200);
            assertEquals(200, client.send("POST", "/kv/", "{\"ops\":[{\"op\":\"put\",\"key\":\"w/%\\t\",\"value\":\"woken\"}]}")
                    .statusCode());
            HttpResponse<String> woken = watch.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(200, woken.statusCode());
            assertEquals("woken", woken.body());
            assertTrue(woken.headers().firstValue("X-Kv-Index").isPresent());
        }
    }

    /** A listing's prefix is compared decoded: a cursor's page may spell the prefix with or without escapes. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aCursorTakesTheListingsPrefixInAnySpelling(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            for (String key : List.of("p%2F1", "p%2F2", "p%2F3", "p%252", "p%5C1")) {
                assertEquals(204, client.send("PUT", "/kv/" + key, "v").statusCode());
            }
            Set<String> seen = new TreeSet<>();
            KeyListingTest.Page page = KeyListingTest.page(client, "prefix=p%2F&limit=1");
            seen.addAll(page.keys());
            page = KeyListingTest.page(client, "prefix=p/&limit=1&cursor=" + page.cursor());
            seen.addAll(page.keys());
            page = KeyListingTest.page(client, "prefix=p%2f&limit=1&cursor=" + page.cursor());
            seen.addAll(page.keys());
            assertEquals(Set.of("p/1", "p/2", "p/3"), seen);
            assertEquals(Set.of("p%2"), Set.copyOf(KeyListingTest.page(client, "prefix=p%25").keys()));
            assertEquals(Set.of("p\\1"), Set.copyOf(KeyListingTest.page(client, "prefix=p%5C").keys()));
        }
    }

    /** What the URI compliance still refuses, and the normalization that still applies. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void dotSegmentsAndOtherAmbiguitiesAreStillRefusedOrNormalized(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            for (String path : List.of("/kv/%2E%2E/x", "/kv/a/%2e/b", "/kv/a/..;/b", "/kv/%C3%28", "/kv/50%25;x",
                    "/%2E%2E/kv/x")) {
                // A client of its own: the server may close the connection after such a 400.
                HttpResponse<String> put = protocol.client(server).send("PUT", path, "v");
                assertEquals(400, put.statusCode(), "PUT " + path + ": " + put.body());
            }
            Protocol.Client client = protocol.client(server);
            assertEquals("0", client.get("/size").body());
            assertEquals(204, client.send("PUT", "/kv/x/../50%25", "normalized").statusCode());
            assertEquals("normalized", client.get("/kv/50%25").body());
            assertEquals("1", client.get("/size").body());
        }
    }

    /**
     * docs/http.md: the bytes a path may not hold raw are refused, not taken as key bytes; only their
     * escapes are keys. Sent raw (java.net.http would encode them), and the docs quote the answer.
     */
    @Test
    void rawBytesAPathMayNotHoldAreRefusedAsTheDocsSay() throws Exception {
        try (TestServer server = new TestServer()) {
            for (String path : List.of("/kv/caf\u00e9", "/caf\u00e9", "/kv/a\\b", "/kv/a|b", "/kv/a[b]", "/kv/a\"b",
                    "/kv/\ud83d\ude00")) {
                try (dev.kvcache.http.RawHttp raw = new dev.kvcache.http.RawHttp(server.port())) {
                    raw.send(dev.kvcache.http.RawHttp.request("PUT", path, "v"));
                    dev.kvcache.http.RawHttp.Reply reply = raw.read();
                    assertEquals(400, reply.status(), path);
                    assertEquals("Illegal Path Character\n", reply.body(), path);
                }
            }
            assertEquals("0", server.get("/size").body());
            assertEquals(204, server.put("/kv/caf%C3%A9", "v").statusCode());
            String docs = Files.readString(Path.of("../docs/http.md")).replaceAll("\\s+", " ");
            assertTrue(docs.contains("refused with `400 Illegal Path Character`"), "documented");
        }
    }

    /** An embedder is told to allow what the standalone server allows, no more and no less. */
    @Test
    void theDocsGiveEmbeddersTheServersUriCompliance() throws Exception {
        String docs = Files.readString(Path.of("../docs/http.md")).replaceAll("\\s+", " ");
        assertTrue(docs.contains("http.setUriCompliance(UriCompliance.DEFAULT.with(\"kvcache\","), "the call");
        for (UriCompliance.Violation violation : UriCompliance.Violation.values()) {
            boolean allowed = Connectors.URI_COMPLIANCE.allows(violation);
            assertEquals(allowed, docs.contains("UriCompliance.Violation." + violation.name()), violation.name());
        }
    }
}
