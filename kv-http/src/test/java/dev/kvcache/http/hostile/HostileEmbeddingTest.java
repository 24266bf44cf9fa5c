package dev.kvcache.http.hostile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** docs/http.md "Embedding KvHandler": someone else's Jetty 12 server, attacked from the docs. */
class HostileEmbeddingTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** An application server: its own connector, a stop timeout (so stops are graceful), the given handler. */
    private static final class App implements AutoCloseable {
        final Server server = new Server();
        final ServerConnector connector = new ServerConnector(server);

        App(Handler handler) throws Exception {
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            server.setStopTimeout(2_000);
            server.setHandler(handler);
            server.start();
        }

        HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort()
                    + path)).timeout(Duration.ofSeconds(10)).method(method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (headers.length > 0) {
                request.headers(headers);
            }
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8));
        }

        CompletableFuture<HttpResponse<String>> sendAsync(String path) {
            return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort()
                    + path)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString(UTF_8));
        }

        @Override
        public void close() throws Exception {
            server.stop();
        }
    }

    private static Handler text(String body) {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, ByteBuffer.wrap(body.getBytes(UTF_8)), callback);
                return true;
            }
        };
    }

    /**
     * An application that stops its server gracefully and starts it again (a redeploy, a config reload) gets
     * the handler back serving: docs say /health is 503 "when the server stops gracefully", not forever.
     */
    @Test
    void aHandlerStoppedGracefullyAndStartedAgainIsHealthyAndWatchesWaitAgain() throws Exception {
        KvHandler kv = new KvHandler(KvHandlerOptions.defaults());
        try (App app = new App(new ContextHandlerCollection(new ContextHandler(kv, "/cache"),
                new ContextHandler(text("app"), "/app")))) {
            assertEquals("ok", app.send("GET", "/cache/health", null).body().strip());
            app.server.stop();
            assertTrue(kv.isShutdown(), "a graceful stop drains the handler");
            app.server.start();

            HttpResponse<String> health = app.send("GET", "/cache/health", null);
            assertEquals(200, health.statusCode(), "after a restart /health says: " + health.body());
            assertTrue(app.send("GET", "/cache/stats", null).body().contains("\"draining\":false"),
                    app.send("GET", "/cache/stats", null).body());
            // A watch of an absent key waits until it is written, as before the stop.
            CompletableFuture<HttpResponse<String>> watch = app.sendAsync("/cache/kv/w?index=0&wait=15s");
            Thread.sleep(300);
            assertFalse(watch.isDone(), "a watch answered at once after the restart: "
                    + (watch.isDone() ? watch.get().statusCode() + " " + watch.get().headers().map() : ""));
            assertEquals(204, app.send("PUT", "/cache/kv/w", "v").statusCode());
            assertEquals("v", watch.get(10, TimeUnit.SECONDS).body());
        }
    }

    /**
     * Two handlers over one application cache: stopping one leaves the cache open for the other and for the
     * application (a handler does not own a cache it was given), and each sees the other's writes.
     */
    @Test
    void twoHandlersOnOneSharedCacheAndTheApplicationAtTheSameTime() throws Exception {
        KvCache<String, StoredValue> cache = KvCache.builder().timeToLive(Duration.ofMinutes(5)).maximumSize(1_000)
                .build();
        KvHandler a = new KvHandler(cache, KvHandlerOptions.defaults());
        KvHandler b = new KvHandler(cache, KvHandlerOptions.builder().maxValueBytes(4).build());
        ContextHandler contextA = new ContextHandler(a, "/a");
        try (App app = new App(new ContextHandlerCollection(contextA, new ContextHandler(b, "/b")))) {
            StoredValue mine = StoredValue.of("from java".getBytes(UTF_8), "text/plain; charset=utf-8");
            cache.put("k", mine);
            assertEquals("from java", app.send("GET", "/a/kv/k", null).body());
            assertEquals(mine.etag(), app.send("GET", "/b/kv/k", null).headers().firstValue("ETag").orElseThrow());
            // Compare-and-set over HTTP on a value the application wrote, with the ETag it computed.
            assertEquals(204, app.send("PUT", "/b/kv/k", "cas", "If-Match", mine.etag()).statusCode());
            assertEquals(412, app.send("PUT", "/a/kv/k", "late", "If-Match", mine.etag()).statusCode());
            assertEquals("cas", new String(cache.getIfPresent("k").toByteArray(), UTF_8));
            // Each handler enforces its own limits on the one cache.
            assertEquals(413, app.send("PUT", "/b/kv/big", "12345").statusCode());
            assertEquals(204, app.send("PUT", "/a/kv/big", "12345").statusCode());
            assertEquals("12345", app.send("GET", "/b/kv/big", null).body());

            contextA.stop();
            assertFalse(a.isRunning());
            cache.put("after", StoredValue.of("x".getBytes(UTF_8), "text/plain"));
            assertEquals("x", app.send("GET", "/b/kv/after", null).body());
            assertEquals(Long.toString(cache.estimatedSize()), app.send("GET", "/b/size", null).body());
            assertEquals(404, app.send("GET", "/a/kv/after", null).statusCode(), "a stopped context serves nothing");
        } finally {
            cache.close();
        }
    }

    /** Pins: every documented route works under a context path, and nothing leaks outside it. */
    @Test
    void everyRouteWorksUnderAContextPath() throws Exception {
        KvHandler kv = new KvHandler(KvHandlerOptions.builder().allowFlush(true).build());
        try (App app = new App(new ContextHandlerCollection(new ContextHandler(kv, "/c/d"),
                new ContextHandler(text("app"), "/")))) {
            assertEquals(204, app.send("PUT", "/c/d/kv/user:1", "a").statusCode());
            assertEquals(204, app.send("PUT", "/c/d/kv/a/b", "slash").statusCode());
            assertEquals("slash", app.send("GET", "/c/d/kv/a/b", null).body());
            assertEquals("a", app.send("GET", "/c/d/user:1", null).body());
            assertEquals("{\"keys\":[\"user:1\"],\"cursor\":null}",
                    app.send("GET", "/c/d/kv/?prefix=user:", null).body());
            String batch = app.send("POST", "/c/d/kv/", "{\"ops\":[{\"op\":\"get\",\"key\":\"user:1\"}]}",
                    "Content-Type", "application/json").body();
            assertTrue(batch.startsWith("{\"results\":[{\"status\":200,\"value\":\"a\""), batch);
            assertEquals("2", app.send("GET", "/c/d/size", null).body());
            assertTrue(app.send("GET", "/c/d/metrics", null).body().contains("cache_size 2"));
            assertEquals("1", app.send("POST", "/c/d/kv/n?incr", null).body());
            assertEquals("{\"removed\":1}", app.send("DELETE", "/c/d/kv/?prefix=user:", null).body());
            // Outside the context: the application's handler, never the cache.
            assertEquals("app", app.send("GET", "/user:1", null).body());
            assertEquals("app", app.send("GET", "/c/size", null).body());
            assertEquals("app", app.send("GET", "/c/dsize", null).body());
        }
    }

    /** Pins the documented KvHandlerOptions ranges at their edges, each with its message. */
    @Test
    void optionsRefuseValuesOutsideTheirDocumentedRanges() {
        KvHandlerOptions.Builder b = KvHandlerOptions.builder();
        assertEquals("maxValueBytes must be in [0, 1GiB], was 1073741825",
                assertThrows(IllegalArgumentException.class, () -> b.maxValueBytes((1L << 30) + 1)).getMessage());
        assertEquals("maxValueBytes must be in [0, 1GiB], was -1",
                assertThrows(IllegalArgumentException.class, () -> b.maxValueBytes(-1)).getMessage());
        assertEquals("maxKeyBytes must be >= 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> b.maxKeyBytes(0)).getMessage());
        assertEquals("batchMaxBytes must be in [1KiB, 1GiB], was 1023",
                assertThrows(IllegalArgumentException.class, () -> b.batchMaxBytes(1023)).getMessage());
        assertEquals("missStatus must be 200 or 404, was 204",
                assertThrows(IllegalArgumentException.class, () -> b.missStatus(204)).getMessage());
        assertEquals("defaultTtl must be at least 1 ms, was PT0.000999S",
                assertThrows(IllegalArgumentException.class, () -> b.defaultTtl(Duration.ofNanos(999_000)))
                        .getMessage());
        assertThrows(NullPointerException.class, () -> b.ticker(null));
        assertEquals("maxBytes (9) must be >= maxEntries (10)", assertThrows(IllegalArgumentException.class,
                () -> KvHandlerOptions.builder().maxEntries(10).maxBytes(9).build()).getMessage());
        assertNotNull(KvHandlerOptions.builder().maxValueBytes(0).maxValueBytes(1L << 30).batchMaxBytes(1L << 30)
                .build());
    }

    /** Pins maxValueBytes(0): only empty values are accepted; maxKeyBytes counts UTF-8 bytes, not chars. */
    @Test
    void theSmallestLimitsHold() throws Exception {
        KvHandler kv = new KvHandler(KvHandlerOptions.builder().maxValueBytes(0).maxKeyBytes(2).build());
        try (App app = new App(new ContextHandler(kv, "/"))) {
            assertEquals(204, app.send("PUT", "/kv/ab", "").statusCode());
            assertEquals(413, app.send("PUT", "/kv/ab", "x").statusCode());
            assertEquals(204, app.send("PUT", "/kv/%C3%A9", "").statusCode()); // 2 bytes
            assertEquals(414, app.send("PUT", "/kv/%C3%A9a", "").statusCode()); // 3 bytes, 2 chars
            assertEquals(414, app.send("GET", "/kv/abc", null).statusCode());
        }
    }
}
