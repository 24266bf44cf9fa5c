package dev.kvcache.http;

import dev.kvcache.http.server.TestServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many clients writing and reading distinct and shared keys at once. Every value carries its own
 * checksum, so a value torn between two writes, or mixed up with another key's, is detected.
 */
class ConcurrencyTest {
    private static final int CLIENTS = 8;
    private static final int ROUNDS = 150;
    private static final int SHARED_KEYS = 4;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A value naming its key, writer and round, padded to a varying length, ending with a checksum. */
    static String value(String key, int client, int round) {
        String body = key + "|" + client + "|" + round + "|" + "p".repeat(ThreadLocalRandom.current().nextInt(2000));
        return body + "|" + Integer.toHexString(body.hashCode());
    }

    static void assertIntact(String key, String value) {
        int bar = value.lastIndexOf('|');
        assertTrue(bar > 0, "no checksum in " + value);
        String body = value.substring(0, bar);
        assertEquals(Integer.toHexString(body.hashCode()), value.substring(bar + 1), "torn value for " + key);
        assertTrue(body.startsWith(key + "|"), "value of another key under " + key + ": " + body);
    }

    @Test
    void noRequestFailsAndNoValueIsTorn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                results.add(pool.submit(() -> run(client)));
            }
            int requests = 0;
            for (Future<Integer> result : results) {
                requests += result.get();
            }
            assertEquals(CLIENTS * ROUNDS * 4, requests);
        } finally {
            pool.shutdownNow();
        }
        for (int s = 0; s < SHARED_KEYS; s++) {
            HttpResponse<String> get = server.get("/kv/shared-" + s);
            assertEquals(200, get.statusCode());
            assertIntact("shared-" + s, get.body());
        }
    }

    private static int run(int client) throws Exception {
        int requests = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String own = "own-" + client + "-" + (round % 10);
            String ownValue = value(own, client, round);
            HttpResponse<String> post = server.post("/" + own, ownValue);
            assertEquals(200, post.statusCode());
            assertEquals(ownValue, post.body());
            HttpResponse<String> get = server.get("/" + own);
            assertEquals(200, get.statusCode());
            assertEquals(ownValue, get.body(), "a key only this client writes reads back its last write");

            String shared = "shared-" + (round % SHARED_KEYS);
            HttpResponse<String> put = server.send(server.request("/kv/" + shared)
                    .PUT(HttpRequest.BodyPublishers.ofString(value(shared, client, round))));
            assertEquals(204, put.statusCode());
            HttpResponse<String> read = server.get("/kv/" + shared);
            assertEquals(200, read.statusCode());
            assertIntact(shared, read.body());
            requests += 4;
        }
        return requests;
    }
}
