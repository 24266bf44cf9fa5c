package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * docs/http.md "Embedding": "an HTTP write or touch without a ttl gets what the cache's TTL-less methods
 * give (... touch(k))". The touch answer reads the remaining TTL back with getEntryIfPresent, which is a
 * read of the shared cache: it runs the expiry function's read hook (and counts a hit), so the read done
 * only to answer changes what the touch left.
 */
class HostileSharedTouchTest {
    /** Writes and touches get 10 s; a read extends to 60 s (a "sliding on read" policy). */
    private static final class ReadExtends implements Expiry<String, StoredValue> {
        @Override
        public long afterCreateNanos(String key, StoredValue value) {
            return Duration.ofSeconds(10).toNanos();
        }

        @Override
        public long afterReadNanos(String key, StoredValue value, long remainingNanos) {
            return Duration.ofSeconds(60).toNanos();
        }
    }

    @Test
    void anHttpTouchLeavesWhatKvCoreTouchLeavesAndAnswersIt() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker)
                .<String, StoredValue>expiry(new ReadExtends()).build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            cache.put("embedded", StoredValue.of(new byte[] {1}, "text/plain"));
            cache.touch("embedded");

            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            ticker.advance(Duration.ofSeconds(1));
            HttpResponse<String> touch = server.send("POST", "/kv/k?touch", "");
            assertEquals(204, touch.statusCode());
            assertEquals("10000", touch.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent"),
                    "a touch answers the TTL kv-core's touch(k) gives (afterUpdate), not one its own answer's read made");
            ticker.advance(Duration.ofSeconds(10));
            assertEquals(null, cache.asMap().get("embedded"), "kv-core's touch(k) leaves 10 s (the fixture holds)");
            assertEquals(null, cache.asMap().get("k"),
                    "reading the answer ran the read hook: the HTTP touch left 60 s instead of touch(k)'s 10 s");
        } finally {
            cache.close();
        }
    }

    @Test
    void anHttpTouchCountsOneReadInTheSharedCachesStatistics() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker).recordStats()
                .<String, StoredValue>expiry((key, value) -> Duration.ofSeconds(30).toNanos()).build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            long hits = cache.stats().hitCount();
            assertEquals(200, server.get("/kv/k").statusCode());
            long perGet = cache.stats().hitCount() - hits;
            hits = cache.stats().hitCount();
            assertEquals(204, server.send("POST", "/kv/k?touch", "").statusCode());
            assertEquals(perGet, cache.stats().hitCount() - hits,
                    "a touch counted more hits in the application's cache than a GET does");
        } finally {
            cache.close();
        }
    }

    /**
     * kv-core's touch(k): "not counted as a put, not notified". A touch with a precondition is a
     * replace(k, current, current) on the application's cache: counted as a put, and its removal
     * listener told the unchanged value was REPLACED, where the same touch without If-Match tells it nothing.
     */
    @Test
    void aConditionalTouchOfASharedCacheIsNeitherAPutNorARemoval() throws Exception {
        FakeTicker ticker = new FakeTicker();
        java.util.List<String> removals = new java.util.concurrent.CopyOnWriteArrayList<>();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker).recordStats().timeToLive(Duration.ofMinutes(1))
                .<String, StoredValue>removalListener((k, v, cause) -> removals.add(k + " " + cause)).build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            String etag = server.get("/kv/k").headers().firstValue("ETag").orElseThrow();
            long puts = cache.stats().putCount();
            assertEquals(204, server.send("POST", "/kv/k?touch", "").statusCode());
            assertEquals(java.util.List.of(), removals, "an unconditional touch notifies nothing");
            assertEquals(204, server.send("POST", "/kv/k?touch", "", "If-Match", etag).statusCode());
            assertEquals(java.util.List.of(), removals, "a touch with If-Match told the application's listener of a removal");
            assertEquals(puts, cache.stats().putCount(), "a touch with If-Match counted as a put");
        } finally {
            cache.close();
        }
    }

    /** A touch with its own ttl on a cache with an idle time capped by a TTL: the answer is what the cache holds. */
    @Test
    void aTouchWithATtlOnACappedIdleCacheAnswersWhatTheCacheHolds() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofMinutes(1))
                .timeToIdle(Duration.ofSeconds(10)).<String, StoredValue>build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            HttpResponse<String> touch = server.send("POST", "/kv/k?touch&ttl=1h", "");
            assertEquals(204, touch.statusCode());
            String answered = touch.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent");
            String read = server.get("/kv/k").headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent");
            assertEquals(read, answered, "the touch answered a TTL the cache does not hold");
        } finally {
            cache.close();
        }
    }

    /** ttl=never: "makes it never expire" and answers no Kv-Ttl-Remaining-Ms; the cache must then hold it so. */
    @Test
    void aTouchWithTtlNeverOnACappedIdleCacheNeverExpires() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofMinutes(1))
                .timeToIdle(Duration.ofSeconds(10)).<String, StoredValue>build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            HttpResponse<String> touch = server.send("POST", "/kv/k?touch&ttl=never", "");
            assertEquals(204, touch.statusCode());
            assertEquals("absent", touch.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent"));
            ticker.advance(Duration.ofMinutes(2));
            assertEquals(200, server.get("/kv/k").statusCode(), "a touch answered as never-expiring expired");
        } finally {
            cache.close();
        }
    }
}
