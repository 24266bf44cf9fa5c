package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
    private static KvCache<String, StoredValue> cache;
    private static KvHandler handler;
    private static HandlerServer server;

    @BeforeAll
    static void start() throws Exception {
        cache = KvCache.builder().timeToLive(Duration.ofMinutes(5)).maximumSize(1_000).ticker(TICKER).build();
        handler = new KvHandler(cache, KvHandlerOptions.builder().maxValueBytes(64).build());
        server = HandlerServer.start(new ContextHandler(handler, "/cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
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
        HttpResponse<String> get = server.send("GET", "/cache/kv/from-java", null);
        assertEquals(200, get.statusCode());
        assertEquals("{\"a\":1}", get.body());
        assertEquals("application/json", get.headers().firstValue("Content-Type").orElse(null));
        assertEquals(value.etag(), get.headers().firstValue("ETag").orElse(null));
    }

    @Test
    void aValueWrittenOverHttpIsReadableFromJava() throws Exception {
        assertEquals(204, server.send("PUT", "/cache/kv/from-http", "hello", "Content-Type", "text/x-greeting").statusCode());
        StoredValue value = cache.getIfPresent("from-http");
        assertNotNull(value);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), value.toByteArray());
        assertEquals("text/x-greeting", value.mediaType());
    }

    @Test
    void theHandlerStillEnforcesItsValueLimitOnTheSharedCache() throws Exception {
        assertEquals(413, server.send("PUT", "/cache/kv/big", "x".repeat(65)).statusCode());
        assertEquals(null, cache.getIfPresent("big"));
    }

    @Test
    void statsCountTheBytesOfEntriesTheApplicationWrote() throws Exception {
        cache.put("counted", StoredValue.of(new byte[10], "application/octet-stream"));
        String stats = server.send("GET", "/cache/stats", null).body();
        assertEquals(200, server.send("GET", "/cache/stats", null).statusCode());
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
        assertEquals(200, server.send("POST", "/cache/kv/default-ttl", "v").statusCode());
        assertEquals(201, server.send("PUT", "/cache/kv/default-ttl-created", "v", "Content-Type", "text/plain", "If-None-Match", "*").statusCode());
        for (String key : new String[] {"default-ttl", "default-ttl-created"}) {
            assertEquals("300000", server.send("GET", "/cache/kv/" + key, null).headers()
                    .firstValue("Kv-Ttl-Remaining-Ms").orElseThrow(), key);
            assertEquals(Duration.ofMinutes(5).toNanos(), cache.getEntryIfPresent(key).expiresInNanos(), key);
        }
    }

    @Test
    void anHttpWriteWithItsOwnTtlKeepsIt() throws Exception {
        assertEquals(204, server.send("PUT", "/cache/kv/own-ttl?ttl=2s", "v").statusCode());
        assertEquals("2000", server.send("GET", "/cache/kv/own-ttl", null).headers()
                .firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
    }

    @Test
    void statsReportTheCachesOwnTtlAndBound() throws Exception {
        String stats = server.send("GET", "/cache/stats", null).body();
        assertTrue(stats.contains("\"defaultTtlMillis\":300000"), stats);
        assertTrue(stats.contains("\"maxEntries\":1000,"), stats);
        assertTrue(stats.contains("\"maxWeight\":null"), stats);
        assertFalse(stats.contains("2000000"), stats);
        assertFalse(stats.contains("maxBytes"), "the handler's byte bound does not apply to a shared cache: " + stats);
        assertTrue(stats.contains("\"maxKeyBytes\":250,\"maxValueBytes\":64"), "the handler's own limits still do: " + stats);
    }
}
