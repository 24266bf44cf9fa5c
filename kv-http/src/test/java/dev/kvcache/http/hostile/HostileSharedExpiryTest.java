package dev.kvcache.http.hostile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.HandlerServer;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * docs/http.md "Embedding": "The cache's own bounds, TTL and listener then apply". An application cache
 * whose lifetime comes from an expiry function or a time-to-idle (README's own LoadingCache example) has
 * Policy.timeToLive() == NEVER, and the handler writes put(k, v, NEVER): HTTP writes then never expire.
 */
class HostileSharedExpiryTest {
    @Test
    void anHttpWriteWithoutTtlFollowsTheSharedCachesExpiryFunction() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker)
                .<String, StoredValue>expiry((key, value) -> Duration.ofSeconds(30).toNanos()).build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            cache.put("java", StoredValue.of("j".getBytes(UTF_8), "text/plain"));
            assertEquals(Duration.ofSeconds(30), cache.getEntryIfPresent("java").expiresIn());
            HttpResponse<String> read = server.get("/kv/k");
            assertEquals("30000", read.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent: never expires"));
            ticker.advance(Duration.ofSeconds(30));
            assertEquals(404, server.get("/kv/java").statusCode());
            assertEquals(404, server.get("/kv/k").statusCode(), "the HTTP write outlived the cache's expiry function");
        } finally {
            cache.close();
        }
    }

    /** Every route that writes or touches without a TTL leaves the lifetime to the cache's expiry function. */
    @Test
    void touchCreateOnlyCompareAndSetAndCountersWithoutTtlFollowTheExpiryFunction() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker)
                .<String, StoredValue>expiry((key, value) -> Duration.ofSeconds(30).toNanos()).build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(201, server.send("PUT", "/kv/created", "v", "If-None-Match", "*").statusCode());
            assertEquals(204, server.send("PUT", "/kv/cas", "v").statusCode());
            String etag = server.get("/kv/cas").headers().firstValue("ETag").orElseThrow();
            assertEquals(204, server.send("PUT", "/kv/cas", "w", "If-Match", etag).statusCode());
            assertEquals(200, server.send("POST", "/kv/counter?incr", "").statusCode());
            assertEquals(204, server.send("PUT", "/kv/touched", "v", "Kv-Ttl", "5s").statusCode());
            HttpResponse<String> touch = server.send("POST", "/kv/touched?touch", "");
            assertEquals(204, touch.statusCode());
            assertEquals("30000", touch.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent"),
                    "a touch without a TTL restarts the expiry function's TTL and says so");
            for (String key : new String[] {"created", "cas", "counter", "touched"}) {
                assertEquals(Duration.ofSeconds(30), cache.getEntryIfPresent(key).expiresIn(), key);
            }
            ticker.advance(Duration.ofSeconds(30));
            for (String key : new String[] {"created", "cas", "counter", "touched"}) {
                assertEquals(404, server.get("/kv/" + key).statusCode(), key + " outlived the cache's expiry function");
            }
        } finally {
            cache.close();
        }
    }

    @Test
    void anHttpWriteWithoutTtlIdlesOutOfASharedCacheWithTimeToIdle() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker).timeToIdle(Duration.ofMinutes(1)).build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            ticker.advance(Duration.ofSeconds(61));
            assertEquals(404, server.get("/kv/k").statusCode(), "an HTTP write never idles out of a timeToIdle cache");
        } finally {
            cache.close();
        }
    }
}
