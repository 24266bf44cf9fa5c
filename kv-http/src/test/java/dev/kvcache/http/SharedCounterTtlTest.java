package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A counter's TTL-less update on a shared cache follows the cache's rules, as any TTL-less write does
 * (docs/http.md "Embedding"): it is kv-core's {@code replace(k, old, new)}. It used to pass the remaining TTL
 * it read (capped by the idle time) back as an explicit TTL, so with a 1 h TTL and a 10 s idle time a counter
 * became a 10 s key that reads could no longer keep alive.
 */
class SharedCounterTtlTest {
    @Test
    void aCounterOnAnIdleCacheStaysAliveWhileReadAsAPlainKeyDoes() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofHours(1))
                .timeToIdle(Duration.ofSeconds(10)).build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/plain", "v").statusCode());
            assertEquals("1", server.send("POST", "/kv/n?incr", null).body());
            ticker.advance(Duration.ofSeconds(5));
            assertEquals("2", server.send("POST", "/kv/n?incr", null).body());
            for (int second = 8; second <= 120; second += 8) {
                ticker.advance(Duration.ofSeconds(second == 8 ? 3 : 8));
                assertEquals(200, server.get("/kv/plain").statusCode(), "plain key at " + second + " s");
                assertEquals("2", server.get("/kv/n").body(), "counter at " + second + " s");
            }
            ticker.advance(Duration.ofSeconds(10));
            assertEquals(404, server.get("/kv/n").statusCode(), "idle for 10 s, the counter expires as the cache says");
        } finally {
            cache.close();
        }
    }
}
