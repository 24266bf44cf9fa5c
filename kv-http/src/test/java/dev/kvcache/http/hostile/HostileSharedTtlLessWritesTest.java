package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.Expiry;
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
 * docs/http.md "Embedding": "an HTTP write or touch without a ttl gets what the cache's TTL-less methods give
 * (kv-core's put(k, v), putIfAbsent(k, v), replace(k, old, new), touch(k)): ... its expiry function"; and
 * "/stats sums the payload bytes over the entries on each call". A create gets 10 s, an update 20 s.
 */
class HostileSharedTtlLessWritesTest {
    private static final class CreateUpdate implements Expiry<String, StoredValue> {
        @Override
        public long afterCreateNanos(String key, StoredValue value) {
            return Duration.ofSeconds(10).toNanos();
        }

        @Override
        public long afterUpdateNanos(String key, StoredValue value, long remainingNanos) {
            return Duration.ofSeconds(20).toNanos();
        }
    }

    private static String ttl(HttpResponse<String> get) {
        return get.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent");
    }

    @Test
    void ttlLessBatchConditionalAndCounterWritesGetTheExpiryFunctionsTtls() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker)
                .<String, StoredValue>expiry(new CreateUpdate()).build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            HttpResponse<String> batch = server.send("POST", "/kv/",
                    "{\"ops\":[{\"op\":\"put\",\"key\":\"a\",\"value\":\"12345\"},"
                            + "{\"op\":\"put\",\"key\":\"a\",\"value\":\"123\"},"
                            + "{\"op\":\"put\",\"key\":\"b\",\"value\":\"x\"}]}",
                    "Content-Type", "application/json");
            assertEquals(200, batch.statusCode(), batch.body());
            assertEquals("20000", ttl(server.get("/kv/a")), "a batch update is put(k, v): afterUpdate");
            assertEquals("10000", ttl(server.get("/kv/b")), "a batch create is put(k, v): afterCreate");

            String etag = server.get("/kv/b").headers().firstValue("ETag").orElseThrow();
            assertEquals(204, server.send("PUT", "/kv/b", "yy", "If-Match", etag).statusCode());
            assertEquals("20000", ttl(server.get("/kv/b")), "an If-Match write is replace(k, old, new): afterUpdate");
            assertEquals(201, server.send("PUT", "/kv/c", "zzzz", "If-None-Match", "*").statusCode());
            assertEquals("10000", ttl(server.get("/kv/c")), "an If-None-Match write is putIfAbsent(k, v): afterCreate");

            assertEquals(200, server.send("POST", "/kv/n?incr=5", "").statusCode());
            assertEquals("10000", ttl(server.get("/kv/n")), "a new counter is putIfAbsent(k, v): afterCreate");
            ticker.advance(Duration.ofSeconds(4));
            assertEquals(200, server.send("POST", "/kv/n?incr=5", "").statusCode());
            assertEquals("20000", ttl(server.get("/kv/n")),
                    "an existing counter's TTL-less update is replace(k, old, new) on a shared cache: afterUpdate");
            assertEquals("10", server.get("/kv/n").body());

            // keys and values: a=123, b=yy, c=zzzz, n=10: 4 + 3 + 2 + 4 + 2 payload bytes
            String stats = server.get("/stats").body();
            assertTrue(stats.contains("\"bytes\":15"), stats);
        } finally {
            cache.close();
        }
    }
}
