package dev.kvcache.http;

import dev.kvcache.http.server.TestServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Clients choose the keys, so they can choose 2^12 distinct keys with one {@code String} hash code
 * (the "Aa"/"BB" construction). Stored through the server, they must all be kept and served, and
 * the server must keep answering other keys while they arrive: every probe of a separate key during
 * the flood gets its value, each within a generous bound (a request timeout, not a measurement).
 * kv-core's own HashFloodTest counts the comparisons such keys cost.
 */
class HashFloodTest {
    private static final int BITS = 12;
    private static final int IN_FLIGHT = 8;

    static List<String> collidingKeys() {
        List<String> keys = new ArrayList<>(1 << BITS);
        for (int i = 0; i < 1 << BITS; i++) {
            StringBuilder s = new StringBuilder(2 * BITS);
            for (int b = 0; b < BITS; b++) {
                s.append((i >>> b & 1) == 0 ? "Aa" : "BB");
            }
            keys.add(s.toString());
        }
        return keys;
    }

    @Test
    void aFloodOfCollidingKeysIsStoredAndOtherKeysKeepBeingAnswered() throws Exception {
        List<String> keys = collidingKeys();
        assertEquals(1, keys.stream().mapToInt(String::hashCode).distinct().count(), "the premise: one hash");
        try (TestServer server = new TestServer()) {
            assertEquals(200, server.post("/other", "still here").statusCode());

            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicInteger probes = new AtomicInteger();
            List<String> wrongProbes = new ArrayList<>();
            Thread prober = new Thread(() -> {
                while (flooding.get()) {
                    try {
                        HttpResponse<String> r = server.send(server.request("/other").timeout(Duration.ofSeconds(5)).GET());
                        if (r.statusCode() != 200 || !r.body().equals("still here")) {
                            synchronized (wrongProbes) {
                                wrongProbes.add(r.statusCode() + " " + r.body());
                            }
                        }
                        probes.incrementAndGet();
                    } catch (Exception e) {
                        synchronized (wrongProbes) {
                            wrongProbes.add(e.toString());
                        }
                    }
                }
            });
            prober.start();
            List<String> wrongWrites;
            try {
                wrongWrites = sendAll(server, keys, key -> server.request("/" + key)
                        .POST(HttpRequest.BodyPublishers.ofString(key.substring(0, 6))), 200);
            } finally {
                flooding.set(false);
                prober.join(30_000);
            }
            assertEquals(List.of(), wrongWrites, "writes of the colliding keys");
            assertEquals(List.of(), wrongProbes, "probes of a separate key during the flood");
            assertTrue(probes.get() > 0, "the prober ran");

            List<String> wrongReads = sendAll(server, keys, key -> server.request("/" + key).GET(), 200);
            assertEquals(List.of(), wrongReads);
            assertEquals("still here", server.get("/other").body());
        }
    }

    /**
     * Sends one request per key, {@link #IN_FLIGHT} at a time; returns what did not answer
     * {@code status} (with the key's value, for a GET).
     */
    private static List<String> sendAll(TestServer server, List<String> keys,
            java.util.function.Function<String, HttpRequest.Builder> request, int status) throws Exception {
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<String> wrong = new ArrayList<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (String key : keys) {
            inFlight.acquire();
            HttpRequest built = request.apply(key).timeout(Duration.ofSeconds(10)).build();
            all.add(server.client.sendAsync(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .whenComplete((r, e) -> {
                        inFlight.release();
                        boolean ok = e == null && r.statusCode() == status
                                && (!built.method().equals("GET") || r.body().equals(key.substring(0, 6)));
                        if (!ok) {
                            synchronized (wrong) {
                                wrong.add(key + ": " + (e != null ? e : r.statusCode() + " " + r.body()));
                            }
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        return wrong;
    }
}
