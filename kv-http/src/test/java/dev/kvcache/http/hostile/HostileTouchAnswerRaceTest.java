package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.Ticker;
import dev.kvcache.http.HandlerServer;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * docs/http.md: a touch answers 204 with "the new Kv-Ttl-Remaining-Ms (absent for never)", and on a shared
 * cache "the entry's remaining TTL as the cache then holds it". The answer is a second read after the touch;
 * if the entry is gone by then (it expired, or was removed), that read finds nothing, and the handler must
 * not answer as if the touched entry never expires.
 */
class HostileTouchAnswerRaceTest {
    /** A clock that, once {@code step} is set, moves {@code step} nanoseconds on every reading. */
    private static final class SteppingTicker implements Ticker {
        final AtomicLong now = new AtomicLong();
        volatile long step;

        @Override
        public long read() {
            return now.getAndAdd(step);
        }
    }

    @Test
    void anEntryThatExpiresBetweenTheTouchAndItsAnswerIsNotAnsweredAsNever() throws Exception {
        SteppingTicker ticker = new SteppingTicker();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker)
                .timeToLive(Duration.ofMinutes(1)).<String, StoredValue>build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            // Every reading of the clock is now a second later: the touch's 1 ms is over before the answer.
            ticker.step = Duration.ofSeconds(1).toNanos();
            HttpResponse<String> touch = server.send("POST", "/kv/k?touch&ttl=1ms", "");
            ticker.step = 0;
            assertEquals(204, touch.statusCode());
            assertEquals("0", touch.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent (never)"),
                    "the touch gave 1 ms, the entry expired before the answer, and the answer said it never expires");
            assertEquals(404, server.get("/kv/k").statusCode(), "the fixture: the entry did expire");
        } finally {
            cache.close();
        }
    }

    /** The handler's own cache answers the TTL asked (or its default), however the clock moves meanwhile. */
    @Test
    void theHandlersOwnCacheAnswersTheTtlAskedAsBefore() throws Exception {
        SteppingTicker ticker = new SteppingTicker();
        KvHandler handler = new KvHandler(KvHandlerOptions.builder().ticker(ticker).build());
        try (HandlerServer server = HandlerServer.start(handler)) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            ticker.step = Duration.ofMillis(3).toNanos();
            HttpResponse<String> asked = server.send("POST", "/kv/k?touch&ttl=1h", "");
            HttpResponse<String> byDefault = server.send("POST", "/kv/k?touch", "");
            ticker.step = 0;
            assertEquals("3600000", asked.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent"));
            assertEquals("10000", byDefault.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent"));
            assertEquals(false, server.send("POST", "/kv/k?touch&ttl=never", "").headers()
                    .firstValue("Kv-Ttl-Remaining-Ms").isPresent());
        }
    }

    /**
     * A write that lands between a conditional touch and its answer (here from the removal listener that the
     * touch's replace runs, on the touching thread): the answer pairs the touched value's ETag with the new
     * entry's TTL.
     */
    @Test
    void aTouchAnswersTheTtlOfTheValueItTouchedNotOfAWriteThatLandedAfter() throws Exception {
        KvCache<String, StoredValue>[] holder = new KvCache[1];
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(new dev.kvcache.core.testing.FakeTicker())
                .timeToLive(Duration.ofMinutes(1)).<String, StoredValue>removalListener((k, v, cause) -> {
                    if (cause == dev.kvcache.core.RemovalCause.REPLACED && once.compareAndSet(false, true)) {
                        holder[0].put(k, StoredValue.of(new byte[] {9}, "text/plain"), Duration.ofSeconds(5));
                    }
                }).build();
        holder[0] = cache;
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            assertEquals(204, server.send("PUT", "/kv/k", "v").statusCode());
            String etag = server.get("/kv/k").headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> touch = server.send("POST", "/kv/k?touch&ttl=1h", "", "If-Match", etag);
            assertEquals(204, touch.statusCode());
            assertEquals(true, once.get(), "the fixture: the listener wrote");
            assertEquals(etag, touch.headers().firstValue("ETag").orElse(null));
            String answered = touch.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("absent");
            assertEquals("0", answered,
                    "the touch answered the ETag of the value it touched with the TTL of the write that replaced it"
                            + " (5000), not the 0 left to the value it touched");
        } finally {
            cache.close();
        }
    }
}
