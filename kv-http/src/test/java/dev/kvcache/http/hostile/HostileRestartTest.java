package dev.kvcache.http.hostile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * An embedded KvHandler whose server stops and starts again. KvHandler.doStart: "Serves again after a
 * stop". A stop without a stop timeout (Jetty's default: not graceful, so shutdown() is never called)
 * while watches wait must not leave them counted against --max-watchers after the restart.
 */
class HostileRestartTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static CompletableFuture<HttpResponse<String>> send(int port, String method, String path, String body) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString(UTF_8));
    }

    @Test
    void watchesCutOffByAnAbruptStopDoNotCountAfterTheRestart() throws Exception {
        KvHandler kv = new KvHandler(KvHandlerOptions.builder().maxWatchers(1).build());
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setStopTimeout(0); // not graceful
        server.setHandler(kv);
        try {
            server.start();
            int port = connector.getLocalPort();
            CompletableFuture<HttpResponse<String>> cutOff = send(port, "GET", "/kv/w?index=0&wait=10s", null);
            Thread.sleep(300);
            assertFalse(cutOff.isDone(), "the watch waits");
            server.stop();
            cutOff.handle((r, e) -> null).get(10, TimeUnit.SECONDS); // the client sees its connection closed
            server.start();
            port = connector.getLocalPort();
            String metrics = send(port, "GET", "/metrics", null).get(10, TimeUnit.SECONDS).body();
            assertTrue(metrics.contains("\nin_flight_requests 1\n"),
                    "the cut-off watch still counts in flight (only the scrape should): " + metrics.lines()
                            .filter(l -> l.startsWith("in_flight")).toList());
            CompletableFuture<HttpResponse<String>> watch = send(port, "GET", "/kv/w?index=0&wait=10s", null);
            Thread.sleep(300);
            if (watch.isDone()) {
                HttpResponse<String> refused = watch.get();
                assertEquals("waiting", refused.statusCode() + " " + refused.body().strip(),
                        "after the restart the one watch allowed is refused: the cut-off one still counts");
            }
            assertEquals(204, send(port, "PUT", "/kv/w", "v").get(10, TimeUnit.SECONDS).statusCode());
            assertEquals("v", watch.get(10, TimeUnit.SECONDS).body());
        } finally {
            server.stop();
        }
    }
}
