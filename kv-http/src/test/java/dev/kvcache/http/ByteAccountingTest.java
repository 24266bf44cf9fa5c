package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The byte gauges ({@code cache_bytes}, {@code /stats} {@code bytes}) equal the payload of the
 * entries held after writes through every public path: each HTTP write and delete, with and without
 * preconditions, overwrites, evictions by the byte bound, snapshot restores and, for a cache the
 * application shares, the application's own writes.
 */
class ByteAccountingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HandlerServer server;

    private KvHandler serve(KvHandler handler) throws Exception {
        server = HandlerServer.start(handler);
        return handler;
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** The payload the handler holds, summed over its entries. */
    private static long held(KvHandler handler) {
        long[] sum = {0};
        handler.forEachEntry(e -> sum[0] += e.getKey().getBytes(StandardCharsets.UTF_8).length
                + e.getValue().toByteArray().length);
        return sum[0];
    }

    private void assertGaugesExact(KvHandler handler, String after) throws Exception {
        long expected = held(handler);
        long stats = JSON.readTree(server.send("GET", "/stats", null).body()).get("bytes").asLong();
        Matcher m = Pattern.compile("\ncache_bytes (-?\\d+)\n").matcher(server.send("GET", "/metrics", null).body());
        assertTrue(m.find(), "cache_bytes missing");
        assertEquals(expected, stats, "/stats bytes after " + after);
        assertEquals(expected, Long.parseLong(m.group(1)), "cache_bytes after " + after);
    }

    @Test
    void everyWritePathOfAnOwnedCacheKeepsTheGaugeExact() throws Exception {
        // 64 KiB: every entry weighs at least 256 B, so a few hundred writes evict.
        KvHandler handler = serve(new KvHandler(KvHandlerOptions.builder().maxBytes(64 << 10).maxEntries(1_000)
                .ticker(new FakeTicker()).build()));
        assertGaugesExact(handler, "nothing");
        assertEquals(204, server.send("PUT", "/kv/a", "one").statusCode());
        assertEquals(200, server.send("POST", "/b", "two").statusCode());
        assertEquals(204, server.send("PUT", "/kv/a", "overwritten").statusCode());
        assertGaugesExact(handler, "unconditional writes");

        assertEquals(201, server.send("PUT", "/kv/c", "new", "If-None-Match", "*").statusCode());
        assertEquals(412, server.send("PUT", "/kv/c", "refused", "If-None-Match", "*").statusCode());
        String etag = server.send("GET", "/kv/c", null).headers().firstValue("ETag").orElseThrow();
        assertEquals(412, server.send("PUT", "/kv/c", "stale", "If-Match", "\"other\"").statusCode());
        assertEquals(204, server.send("PUT", "/kv/c", "swapped", "If-Match", etag).statusCode());
        assertEquals(412, server.send("PUT", "/kv/absent", "x", "If-Match", "*").statusCode());
        assertGaugesExact(handler, "conditional writes");

        etag = server.send("GET", "/kv/c", null).headers().firstValue("ETag").orElseThrow();
        assertEquals(412, server.send("DELETE", "/kv/c", null, "If-Match", "\"other\"").statusCode());
        assertEquals(204, server.send("DELETE", "/kv/c", null, "If-Match", etag).statusCode());
        assertEquals(204, server.send("DELETE", "/kv/a", null).statusCode());
        assertEquals(404, server.send("DELETE", "/kv/a", null).statusCode());
        assertGaugesExact(handler, "deletes");

        handler.restore("restored", StoredValue.restored("from a snapshot".getBytes(StandardCharsets.UTF_8),
                "text/plain", 7), Duration.ofMinutes(1));
        handler.restore("restored", StoredValue.of("again".getBytes(StandardCharsets.UTF_8), "text/plain"),
                KvCache.NEVER);
        assertGaugesExact(handler, "restores");

        for (int i = 0; i < 600; i++) {
            assertEquals(204, server.send("PUT", "/kv/flood-" + i, "v".repeat(i % 50)).statusCode());
        }
        long stats = JSON.readTree(server.send("GET", "/stats", null).body()).get("evictions").asLong();
        assertTrue(stats > 0, "the flood must evict for this test to mean anything");
        assertGaugesExact(handler, "evictions");
    }

    @Test
    void theApplicationsOwnWritesToASharedCacheAreCounted() throws Exception {
        KvCache<String, StoredValue> cache = KvCache.builder().maximumSize(100).ticker(new FakeTicker()).build();
        KvHandler handler = serve(new KvHandler(cache, KvHandlerOptions.defaults()));
        cache.put("java", StoredValue.of("from java".getBytes(StandardCharsets.UTF_8), "text/plain"));
        cache.asMap().put("map", StoredValue.of("through the map view".getBytes(StandardCharsets.UTF_8), "text/plain"));
        cache.putIfAbsent("once", StoredValue.of(new byte[3], "application/octet-stream"));
        assertEquals(204, server.send("PUT", "/kv/http", "over http").statusCode());
        assertGaugesExact(handler, "mixed writes");
        cache.asMap().compute("java", (k, v) -> StoredValue.of(new byte[40], "application/octet-stream"));
        cache.remove("map");
        assertEquals(204, server.send("DELETE", "/kv/once", null).statusCode());
        assertGaugesExact(handler, "replacements and removals");
    }

    @Test
    void noPublicMethodHandsOutTheCacheForWritesThatBypassTheCount() {
        for (java.lang.reflect.Method method : KvHandler.class.getMethods()) {
            if (Modifier.isPublic(method.getModifiers())) {
                Class<?> type = method.getReturnType();
                assertFalse(KvCache.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type),
                        method + " returns " + type.getName());
            }
        }
    }
}
