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

    /**
     * ttl=never on a shared cache whose idle time caps every TTL (KvCacheBuilder.timeToIdle): the cache keeps
     * its rule, and the answer says what it holds (docs/http.md "Embedding"), so the entry lives as answered.
     */
    @Test
    void aTouchWithTtlNeverOnACappedIdleCacheAnswersTheIdleTimeItKeeps() throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofMinutes(1))
                .timeToIdle(Duration.ofSeconds(10)).<String, StoredValue>build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            HttpResponse<String> touch = server.send("POST", "/kv/k?touch&ttl=never", "");
            assertEquals(204, touch.statusCode());
            assertEquals("10000", touch.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent"),
                    "the touch answered never for an entry the cache idles out");
            ticker.advance(Duration.ofSeconds(10));
            assertEquals(404, server.get("/kv/k").statusCode(), "the entry outlived the TTL the touch answered");
        } finally {
            cache.close();
        }
    }
}
