package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code GET /kv/{key}?index=V&wait=D}: blocking reads that hold no thread. */
@Tag("heavy") // .ci/run runs it on JDK 17 only: watches wait in real time, whatever the JDK
class WatchOperationTest {
    private static long index(HttpResponse<?> response) {
        return Long.parseLong(response.headers().firstValue("X-Kv-Index").orElseThrow());
    }

    /** Waits (at most 10 s) until {@code count} watches wait, as /metrics says. */
    static void awaitWatchers(Protocol.Client client, int count) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!client.get("/metrics").body().contains("\nkv_watchers " + count + "\n")) {
            assertTrue(System.nanoTime() < end, "never " + count + " watchers");
            Thread.sleep(10);
        }
    }

    private static HttpResponse<String> await(CompletableFuture<HttpResponse<String>> pending) throws Exception {
        return pending.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void answersAtOnceWithTheIndexThenWhenAWriteChangesIt(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            client.send("PUT", "/kv/k", "v1");
            HttpResponse<String> first = client.get("/kv/k?index=0");
            assertEquals(200, first.statusCode());
            assertEquals("v1", first.body());
            long index = index(first);
            assertEquals("\"" + Long.toString(index, 36) + "\"", first.headers().firstValue("ETag").orElseThrow());

            CompletableFuture<HttpResponse<String>> watch = client.sendAsync("GET", "/kv/k?index=" + index + "&wait=20s");
            awaitWatchers(client, 1);
            assertFalse(watch.isDone());
            client.send("POST", "/kv/k?touch", null); // a new TTL is not a new version
            client.send("PUT", "/kv/other", "x");
            Thread.sleep(100);
            assertFalse(watch.isDone());
            client.send("PUT", "/kv/k", "v2");
            HttpResponse<String> changed = await(watch);
            assertEquals(200, changed.statusCode());
            assertEquals("v2", changed.body());
            assertTrue(index(changed) > index);
            awaitWatchers(client, 0);
            assertTrue(client.get("/metrics").body().contains("kv_operations_total{op=\"watch\"} 2"));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void counterIncrementsWakeWatchersAndIndexZeroWaitsForCreation(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            CompletableFuture<HttpResponse<String>> created = client.sendAsync("GET", "/kv/n?index=0&wait=20s");
            awaitWatchers(client, 1);
            client.send("POST", "/kv/n?incr=1", null);
            HttpResponse<String> one = await(created);
            assertEquals("1", one.body());
            CompletableFuture<HttpResponse<String>> next = client.sendAsync("GET", "/kv/n?index=" + index(one) + "&wait=20s");
            awaitWatchers(client, 1);
            client.send("POST", "/kv/n?incr=1", null);
            assertEquals("2", await(next).body());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aDeleteOrAnExpiryAnswersTheMissWithIndexZero(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            client.send("PUT", "/kv/d", "v");
            long index = index(client.get("/kv/d?index=0"));
            CompletableFuture<HttpResponse<String>> deleted = client.sendAsync("GET", "/kv/d?index=" + index + "&wait=20s");
            awaitWatchers(client, 1);
            client.send("DELETE", "/kv/d", null);
            HttpResponse<String> miss = await(deleted);
            assertEquals(404, miss.statusCode());
            assertEquals(0, index(miss));

            client.send("PUT", "/kv/e?ttl=5s", "v");
            long expiring = index(client.get("/kv/e?index=0"));
            CompletableFuture<HttpResponse<String>> expired = client.sendAsync("GET", "/kv/e?index=" + expiring + "&wait=20s");
            awaitWatchers(client, 1);
            // The reclaimer removes it within about 100 ms of the (fake) deadline; the listener wakes the watch.
            server.ticker.advance(Duration.ofSeconds(5));
            HttpResponse<String> gone = await(expired);
            assertEquals(404, gone.statusCode());
            assertEquals(0, index(gone));
        }
        try (TestServer server = new TestServer("--miss-status", "200")) {
            Protocol.Client client = protocol.client(server);
            client.send("PUT", "/kv/d", "v");
            long index = index(client.get("/kv/d?index=0"));
            CompletableFuture<HttpResponse<String>> deleted = client.sendAsync("GET", "/kv/d?index=" + index + "&wait=20s");
            awaitWatchers(client, 1);
            client.send("DELETE", "/kv/d", null);
            HttpResponse<String> miss = await(deleted);
            assertEquals(200, miss.statusCode());
            assertEquals("", miss.body());
            assertEquals(0, index(miss));
        }
    }

    /** The connection's idle timeout (1 s) does not cut a longer wait off, and the wait's end answers. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theWaitEndsWithTheSameIndexEvenPastTheIdleTimeout(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--idle-timeout", "1s")) {
            Protocol.Client client = protocol.client(server);
            client.send("PUT", "/kv/k?ttl=1h", "v");
            long index = index(client.get("/kv/k?index=0"));
            long start = System.nanoTime();
            HttpResponse<String> timeout = client.get("/kv/k?index=" + index + "&wait=2500ms");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(200, timeout.statusCode());
            assertEquals("v", timeout.body());
            assertEquals(index, index(timeout));
            assertTrue(millis >= 2_400 && millis < 8_000, millis + " ms");
        }
    }

    /** 40 watches wait on a server of 16 threads, which still answers other requests: none holds a thread. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void watchesHoldNoThreadAndAreBounded(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--max-watchers", "40")) {
            Protocol.Client client = protocol.client(server);
            List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                pending.add(client.sendAsync("GET", "/kv/w" + i + "?index=0&wait=30s"));
            }
            awaitWatchers(client, 40);
            HttpResponse<String> full = client.get("/kv/w-extra?index=0&wait=30s");
            assertEquals(429, full.statusCode());
            assertEquals("Too many watches are waiting (the limit is 40, --max-watchers); retry later\n", full.body());
            assertEquals("1", full.headers().firstValue("Retry-After").orElseThrow());
            for (int i = 0; i < 40; i++) {
                assertEquals(204, client.send("PUT", "/kv/w" + i, "v" + i).statusCode());
            }
            for (int i = 0; i < 40; i++) {
                assertEquals("v" + i, await(pending.get(i)).body());
            }
            awaitWatchers(client, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void badInputIs400(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--watch-max-wait", "1m")) {
            Protocol.Client client = protocol.client(server);
            HttpResponse<String> index = client.get("/kv/k?index=abc");
            assertEquals(400, index.statusCode());
            assertEquals("index must be a whole number from 0 to 9223372036854775807, was 'abc'\n", index.body());
            assertEquals(400, client.get("/kv/k?index=-1").statusCode());
            HttpResponse<String> soon = client.get("/kv/k?index=0&wait=soon");
            assertEquals(400, soon.statusCode());
            assertTrue(soon.body().startsWith("invalid duration 'soon'"), soon.body());
            assertEquals(400, client.get("/kv/k?index=0&wait=0").statusCode());
            HttpResponse<String> tooLong = client.get("/kv/k?index=0&wait=2m");
            assertEquals(400, tooLong.statusCode());
            assertEquals("wait must be at most 60000ms (--watch-max-wait), was 2m\n", tooLong.body());
        }
    }

    /** A graceful stop answers every watch at once, and does not wait for their wait to end. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aStopAnswersEveryWatchPromptly(Protocol protocol) throws Exception {
        TestServer server = new TestServer();
        Protocol.Client client = protocol.client(server);
        client.send("PUT", "/kv/k?ttl=1h", "v");
        long index = index(client.get("/kv/k?index=0"));
        CompletableFuture<HttpResponse<String>> watch = client.sendAsync("GET", "/kv/k?index=" + index + "&wait=5m");
        CompletableFuture<HttpResponse<String>> absent = client.sendAsync("GET", "/kv/none?index=0&wait=5m");
        awaitWatchers(client, 2);
        long start = System.nanoTime();
        CompletableFuture<Integer> stop = CompletableFuture.supplyAsync(server.server::stop);
        HttpResponse<String> answered = watch.get(5, TimeUnit.SECONDS);
        assertEquals(200, answered.statusCode());
        assertEquals("v", answered.body());
        assertEquals(index, index(answered));
        HttpResponse<String> miss = absent.get(5, TimeUnit.SECONDS);
        assertEquals(404, miss.statusCode());
        assertEquals(KvServer.EXIT_OK, stop.get(10, TimeUnit.SECONDS));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // Well within the 10 s --shutdown-timeout, which a waiting watch would have used up.
        assertTrue(millis < 5_000, millis + " ms");
        assertNotEquals(0, index);
    }
}
