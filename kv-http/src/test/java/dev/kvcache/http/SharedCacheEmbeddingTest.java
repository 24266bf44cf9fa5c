package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An application builds its own kv-core cache, mounts a KvHandler over it under /cache, and uses the
 * same cache from Java: what either side writes, the other reads.
 */
class SharedCacheEmbeddingTest {
    private static final FakeTicker TICKER = new FakeTicker();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static KvCache<String, StoredValue> cache;
    private static KvHandler handler;
    private static Server server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        cache = KvCache.builder().timeToLive(Duration.ofMinutes(5)).maximumSize(1_000).ticker(TICKER).build();
        handler = new KvHandler(cache, KvHandlerOptions.builder().maxValueBytes(64).build());
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new ContextHandler(handler, "/cache"));
        server.start();
        port = connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    private static HttpResponse<String> send(String method, String path, String body, String contentType,
            String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theHandlerServesTheCacheItWasGiven() {
        StoredValue value = StoredValue.of(new byte[] {1}, "application/octet-stream");
        cache.put("given", value);
        java.util.Map<String, StoredValue> walked = new java.util.HashMap<>();
        handler.forEachEntry(entry -> walked.put(entry.getKey(), entry.getValue()));
        assertSame(value, walked.get("given"));
        cache.remove("given");
    }

    @Test
    void aValueTheApplicationStoresIsServedOverHttp() throws Exception {
        StoredValue value = StoredValue.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8), "application/json");
        cache.put("from-java", value);
        HttpResponse<String> get = send("GET", "/cache/kv/from-java", null, null);
        assertEquals(200, get.statusCode());
        assertEquals("{\"a\":1}", get.body());
        assertEquals("application/json", get.headers().firstValue("Content-Type").orElse(null));
        assertEquals(value.etag(), get.headers().firstValue("ETag").orElse(null));
    }

    @Test
    void aValueWrittenOverHttpIsReadableFromJava() throws Exception {
        assertEquals(204, send("PUT", "/cache/kv/from-http", "hello", "text/x-greeting").statusCode());
        StoredValue value = cache.getIfPresent("from-http");
        assertNotNull(value);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), value.toByteArray());
        assertEquals("text/x-greeting", value.mediaType());
    }

    @Test
    void theHandlerStillEnforcesItsValueLimitOnTheSharedCache() throws Exception {
        assertEquals(413, send("PUT", "/cache/kv/big", "x".repeat(65), null).statusCode());
        assertEquals(null, cache.getIfPresent("big"));
    }

    @Test
    void statsCountTheBytesOfEntriesTheApplicationWrote() throws Exception {
        cache.put("counted", StoredValue.of(new byte[10], "application/octet-stream"));
        String stats = send("GET", "/cache/stats", null, null).body();
        assertEquals(200, send("GET", "/cache/stats", null, null).statusCode());
        long expected = 0;
        for (var e : cache.asMap().entrySet()) {
            expected += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().toByteArray().length;
        }
        assertEquals(true, stats.contains("\"bytes\":" + expected), stats);
    }

    // Issue 11 item 4: HTTP writes expired after the handler's 10 s default, not the cache's 5 min, and
    // /stats reported the handler's default bounds (maxEntries 2000000) instead of the cache's.

    @Test
    void anHttpWriteWithoutTtlGetsTheCachesOwnTimeToLive() throws Exception {
        assertEquals(200, send("POST", "/cache/kv/default-ttl", "v", null).statusCode());
        assertEquals(201, send("PUT", "/cache/kv/default-ttl-created", "v", "text/plain", "If-None-Match", "*").statusCode());
        for (String key : new String[] {"default-ttl", "default-ttl-created"}) {
            assertEquals("300000", send("GET", "/cache/kv/" + key, null, null).headers()
                    .firstValue("Kv-Ttl-Remaining-Ms").orElseThrow(), key);
            assertEquals(Duration.ofMinutes(5).toNanos(), cache.getEntryIfPresent(key).expiresInNanos(), key);
        }
    }

    @Test
    void anHttpWriteWithItsOwnTtlKeepsIt() throws Exception {
        assertEquals(204, send("PUT", "/cache/kv/own-ttl?ttl=2s", "v", null).statusCode());
        assertEquals("2000", send("GET", "/cache/kv/own-ttl", null, null).headers()
                .firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
    }

    @Test
    void statsReportTheCachesOwnTtlAndBound() throws Exception {
        String stats = send("GET", "/cache/stats", null, null).body();
        assertTrue(stats.contains("\"defaultTtlMillis\":300000"), stats);
        assertTrue(stats.contains("\"maxEntries\":1000,"), stats);
        assertTrue(stats.contains("\"maxWeight\":null"), stats);
        assertFalse(stats.contains("2000000"), stats);
        assertFalse(stats.contains("maxBytes"), "the handler's byte bound does not apply to a shared cache: " + stats);
        assertTrue(stats.contains("\"maxKeyBytes\":250,\"maxValueBytes\":64"), "the handler's own limits still do: " + stats);
    }
}
