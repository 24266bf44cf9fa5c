package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.HandlerServer;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * docs/http.md "Embedding": "The cache's own bounds, TTL and listener then apply", for a shared cache whose
 * lifetime is a time-to-idle (Policy.timeToLive() is NEVER there). Pins that HTTP writes still idle out.
 * (The same for an expiry function fails on main: see hostile5's report, HostileSharedExpiryTest.)
 */
class HostileSharedExpiryTest {
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
