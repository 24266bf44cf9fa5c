package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.testing.FakeTicker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Another application's Jetty server mounts KvHandler under /cache, beside its own handler. */
class EmbeddingTest {
    private static final FakeTicker TICKER = new FakeTicker();
    private static Server server;
    private static int port;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        KvHandler kv = new KvHandler(KvHandlerOptions.builder().defaultTtl(Duration.ofSeconds(5)).ticker(TICKER).build());
        Handler app = new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, ByteBuffer.wrap("app".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
        server.setHandler(new ContextHandlerCollection(new ContextHandler(kv, "/cache"), new ContextHandler(app, "/app")));
        server.start();
        port = connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCacheServesUnderItsContextPath() throws Exception {
        HttpResponse<String> post = send("POST", "/cache/k1", "v1");
        assertEquals(200, post.statusCode());
        assertEquals("v1", post.body());
        assertEquals("v1", send("GET", "/cache/k1", null).body());
        assertEquals("v1", send("GET", "/cache/kv/k1", null).body());
        assertEquals("1", send("POST", "/cache/size", "").body());
        assertEquals(200, send("GET", "/cache/health", null).statusCode());
        assertEquals(400, send("GET", "/cache/", null).statusCode());
        assertEquals(204, send("PUT", "/cache/kv/size", "a key named size").statusCode());
        assertEquals("a key named size", send("GET", "/cache/kv/size", null).body());
    }

    @Test
    void theApplicationKeepsItsOtherRoutes() throws Exception {
        assertEquals("app", send("GET", "/app/anything", null).body());
        assertEquals(404, send("GET", "/k1", null).statusCode());
    }

    @Test
    void theOptionsTtlAndTickerApply() throws Exception {
        send("POST", "/cache/t", "v");
        assertEquals("5000", send("GET", "/cache/t", null).headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
        TICKER.advance(Duration.ofSeconds(5));
        assertEquals(404, send("GET", "/cache/t", null).statusCode());
    }
}
