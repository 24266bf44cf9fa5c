package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hostile review of the responses' shared parts: the Kv-Ttl-Remaining-Ms fields shared through a
 * direct-mapped table (Replies.ttlRemaining: a slot per value modulo 16 384) and the per-thread scratch
 * array the ETag is built in (StoredValue). Many HTTP/2 streams on one connection read keys whose TTLs collide in that table, at once: each response must carry its own
 * key's ETag and remaining TTL, exactly (the ticker is fake and held, so the remaining TTL is the TTL
 * written). Passes on trial; pins the contract.
 */
class HostileSharedFieldsTest {

    @Test
    void concurrentStreamsGetTheirOwnEtagAndRemainingTtl() throws Exception {
        try (TestServer server = new TestServer()) {
            HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            int keys = 64;
            Map<String, String> etags = new HashMap<>();
            Map<String, Long> ttls = new HashMap<>();
            for (int i = 0; i < keys; i++) {
                // Pairs of TTLs 16 384 ms apart share a slot of the field table; all differ.
                long ttl = 20_000 + (i / 2) + (i % 2) * 16_384L;
                String key = "k" + i;
                HttpResponse<String> put = h2.send(server.request("/kv/" + key + "?ttl=" + ttl)
                        .PUT(HttpRequest.BodyPublishers.ofString("v" + i)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(204, put.statusCode(), put.body());
                etags.put(key, put.headers().firstValue("ETag").orElseThrow());
                ttls.put(key, ttl);
            }
            for (int round = 0; round < 20; round++) {
                List<CompletableFuture<HttpResponse<String>>> gets = new ArrayList<>();
                List<String> order = new ArrayList<>();
                for (int i = 0; i < keys; i++) {
                    String key = "k" + ((i * 7 + round) % keys);
                    order.add(key);
                    gets.add(h2.sendAsync(server.request("/kv/" + key).GET().build(), HttpResponse.BodyHandlers.ofString()));
                }
                for (int i = 0; i < keys; i++) {
                    HttpResponse<String> get = gets.get(i).get(10, TimeUnit.SECONDS);
                    String key = order.get(i);
                    assertEquals(200, get.statusCode(), key);
                    assertEquals(HttpClient.Version.HTTP_2, get.version(), "streams of one h2c connection");
                    assertEquals("v" + key.substring(1), get.body(), key);
                    assertEquals(etags.get(key), get.headers().firstValue("ETag").orElse(null), key + ": another key's ETag");
                    String left = get.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse(null);
                    assertNotNull(left, key);
                    assertEquals(ttls.get(key), Long.parseLong(left), key + ": another key's remaining TTL");
                }
            }
        }
    }
}
