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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Keys and reserved names": every key works on {@code /kv/{key}}, as its percent-encoded path.
 * Jetty's default URI compliance refused {@code %25} (a '%' in the key) and {@code %2F} before the handler ran,
 * so such keys could not be addressed at all.
 */
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
