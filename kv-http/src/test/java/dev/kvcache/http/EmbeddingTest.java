package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.testing.FakeTicker;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Another application's Jetty server mounts KvHandler under /cache, beside its own handler. */
class EmbeddingTest {
    private static final FakeTicker TICKER = new FakeTicker();
    private static HandlerServer server;

    @BeforeAll
    static void start() throws Exception {
        KvHandler kv = new KvHandler(KvHandlerOptions.builder().defaultTtl(Duration.ofSeconds(5)).ticker(TICKER).build());
        Handler app = new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, ByteBuffer.wrap("app".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
        server = HandlerServer.start(new ContextHandlerCollection(new ContextHandler(kv, "/cache"), new ContextHandler(app, "/app")));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void theCacheServesUnderItsContextPath() throws Exception {
        HttpResponse<String> post = server.send("POST", "/cache/k1", "v1");
        assertEquals(200, post.statusCode());
        assertEquals("v1", post.body());
        assertEquals("v1", server.send("GET", "/cache/k1", null).body());
        assertEquals("v1", server.send("GET", "/cache/kv/k1", null).body());
        assertEquals("1", server.send("POST", "/cache/size", "").body());
        assertEquals(200, server.send("GET", "/cache/health", null).statusCode());
        assertEquals(400, server.send("GET", "/cache/", null).statusCode());
        assertEquals(204, server.send("PUT", "/cache/kv/size", "a key named size").statusCode());
        assertEquals("a key named size", server.send("GET", "/cache/kv/size", null).body());
    }

    @Test
    void theApplicationKeepsItsOtherRoutes() throws Exception {
        assertEquals("app", server.send("GET", "/app/anything", null).body());
        assertEquals(404, server.send("GET", "/k1", null).statusCode());
    }

    @Test
    void theOptionsTtlAndTickerApply() throws Exception {
        server.send("POST", "/cache/t", "v");
        assertEquals("5000", server.send("GET", "/cache/t", null).headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
        TICKER.advance(Duration.ofSeconds(5));
        assertEquals(404, server.send("GET", "/cache/t", null).statusCode());
    }

    /**
     * docs/http.md "Embedding": Jetty's default URI compliance refuses a key's '%' (%25) before the handler
     * runs; the compliance the docs give serves it, and an encoded slash, under a context path too.
     */
    @Test
    void keysWithPercentSignsNeedTheDocumentedUriCompliance() throws Exception {
        // The docs' claim for the default compliance: each of the three escapes is refused before the handler.
        for (String path : new String[] {"/cache/kv/50%25", "/cache/kv/a%2Fb", "/cache/kv/C:%5Ctemp"}) {
            assertEquals(400, server.send("PUT", path, "v").statusCode(), path);
        }
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.DEFAULT.with("kvcache",
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS));
        KvHandler kv = new KvHandler(KvHandlerOptions.defaults());
        try (HandlerServer own = HandlerServer.start(new ContextHandler(kv, "/cache"), http)) {
            assertEquals(204, own.send("PUT", "/cache/kv/50%25", "half").statusCode());
            assertEquals("half", own.send("GET", "/cache/50%25", null).body());
            assertEquals(204, own.send("PUT", "/cache/kv/%2541", "not A").statusCode());
            assertEquals(404, own.send("GET", "/cache/kv/A", null).statusCode());
            assertEquals(204, own.send("PUT", "/cache/kv/a%2Fb", "slash").statusCode());
            assertEquals("slash", own.send("GET", "/cache/kv/a/b", null).body());
            assertEquals(400, own.send("GET", "/cache/kv/%2E%2E/x", null).statusCode());
            assertEquals(204, own.send("PUT", "/cache/kv/C:%5Ctemp", "backslash").statusCode());
            assertEquals("backslash", own.send("GET", "/cache/C:%5Ctemp", null).body());
            assertEquals(204, own.send("PUT", "/cache/kv/tab%09key", "tab").statusCode());
            assertEquals("tab", own.send("GET", "/cache/kv/tab%09key", null).body());
        }
    }
}
