package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.Expiry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.KvCacheBuilder;
import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.HandlerServer;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/http.md "Embedding": on a shared cache a counter "follows the cache's rules instead, as every TTL-less
 * write there" (create putIfAbsent(k, v), update replace(k, old, new)), and with a ttl it is the write of that
 * ttl. Differential: a plain key written, updated and touched at the same instants (PUT, PUT, ?touch) must live
 * exactly as long as a counter (?incr, ?incr, ?touch), with and without ttl, under each kind of expiry.
 */
class HostileSharedCounterExpiryTest {
    /** Create 10 s, update 20 s, read 30 s. */
    private static final class Hooks implements Expiry<String, StoredValue> {
        @Override
        public long afterCreateNanos(String key, StoredValue value) {
            return Duration.ofSeconds(10).toNanos();
        }

        @Override
        public long afterUpdateNanos(String key, StoredValue value, long remainingNanos) {
            return Duration.ofSeconds(20).toNanos();
        }

        @Override
        public long afterReadNanos(String key, StoredValue value, long remainingNanos) {
            return Duration.ofSeconds(30).toNanos();
        }
    }

    enum Kind {
        NONE(b -> b),
        TTL(b -> b.timeToLive(Duration.ofMinutes(2))),
        IDLE(b -> b.timeToIdle(Duration.ofSeconds(10))),
        TTL_AND_IDLE(b -> b.timeToLive(Duration.ofMinutes(1)).timeToIdle(Duration.ofSeconds(10))),
        EXPIRY_FUNCTION(b -> b.<String, StoredValue>expiry(new Hooks()));

        final Function<KvCacheBuilder<Object, Object>, KvCacheBuilder<?, ?>> shape;

        Kind(Function<KvCacheBuilder<Object, Object>, KvCacheBuilder<?, ?>> shape) {
            this.shape = shape;
        }
    }

    private static String life(HttpResponse<String> get) {
        return get.statusCode() + " " + get.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse("no-ttl");
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCounterLivesAsAPlainKeyWrittenAtTheSameInstants(Kind kind) throws Exception {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, StoredValue> cache = (KvCache<String, StoredValue>) kind.shape.apply(KvCache.builder().ticker(ticker))
                .build();
        try (HandlerServer server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()))) {
            String[][] steps = {
                // plain key, counter, seconds to advance afterwards
                {"PUT /kv/p", "POST /kv/c?incr", "3"},
                {"PUT /kv/p", "POST /kv/c?incr", "3"},
                {"PUT /kv/p?ttl=50s", "POST /kv/c?incr&ttl=50s", "4"},
                {"PUT /kv/p", "POST /kv/c?incr", "2"},
                {"POST /kv/p?touch", "POST /kv/c?touch", "1"},
                {"POST /kv/p?touch&ttl=40s", "POST /kv/c?touch&ttl=40s", "5"},
                {"PUT /kv/p?ttl=never", "POST /kv/c?decr&ttl=never", "6"},
                {"PUT /kv/p", "POST /kv/c?decr", "2"},
                {"PUT /kv/p2?ttl=30s", "POST /kv/c2?incr&ttl=30s", "1"},
                {"PUT /kv/p2", "POST /kv/c2?incr", "1"},
            };
            for (String[] step : steps) {
                String[] plain = step[0].split(" ");
                String[] counter = step[1].split(" ");
                HttpResponse<String> p = server.send(plain[0], plain[1], plain[0].equals("PUT") ? "1" : null);
                HttpResponse<String> c = server.send(counter[0], counter[1], null);
                assertEquals(p.statusCode() / 100, c.statusCode() / 100, kind + " " + step[1] + ": " + c.body());
                String plainKey = plain[1].replaceAll("\\?.*", "");
                String counterKey = counter[1].replaceAll("\\?.*", "");
                assertEquals(life(server.get(plainKey)), life(server.get(counterKey)), kind + " after " + step[1]);
                ticker.advance(Duration.ofSeconds(Long.parseLong(step[2])));
            }
            // Unread from here on: each lives out what the cache gave it.
            for (int second = 1; second <= 200; second++) {
                ticker.advance(Duration.ofSeconds(1));
                cache.cleanUp();
                assertEquals(present(cache, "p"), present(cache, "c"), kind + " " + second + " s later");
                assertEquals(present(cache, "p2"), present(cache, "c2"), kind + " " + second + " s later");
            }
        } finally {
            cache.close();
        }
    }

    private static boolean present(KvCache<String, StoredValue> cache, String key) {
        return cache.policy().getEntryIfPresentQuietly(key) != null;
    }
}
