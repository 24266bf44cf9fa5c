package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kvcache.http.RawHttp;
import dev.kvcache.http.server.TestServer;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Test;

/**
 * RFC 9110 9.3.7: {@code OPTIONS *} asks about the server as a whole ("ping"), and a server that answers it
 * successfully says what it supports in {@code Allow}. It was 400 {@code Must provide a key in the path}.
 * Now 204 with the methods the server serves, over HTTP/1.1 and HTTP/2; an {@code OPTIONS} of a route is
 * still that route's 405 with its {@code Allow}.
 */
class HostileOptionsStarTest {
    private static final String ALLOW = "GET, HEAD, POST, PUT, DELETE";

    @Test
    void optionsStarAnswersTheServersMethodsOverHttp11() throws Exception {
        try (TestServer server = new TestServer(); RawHttp raw = new RawHttp(server.port())) {
            raw.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n" + RawHttp.request("GET", "/size", null));
            RawHttp.Reply options = raw.read();
            assertEquals(204, options.status(), options.toString());
            assertEquals(ALLOW, options.headers().get("allow"));
            assertFalse(options.headers().containsKey("content-length"), "RFC 9110 8.6: a 204 has no Content-Length");
            assertEquals("0", raw.read().body(), "the connection stays open");
            raw.send(RawHttp.request("OPTIONS", "/kv/a", null));
            RawHttp.Reply ofAKey = raw.read();
            assertEquals(405, ofAKey.status());
            assertEquals(ALLOW, ofAKey.headers().get("allow"));
        }
    }

    @Test
    void optionsStarAnswersTheServersMethodsOverHttp2() throws Exception {
        try (TestServer server = new TestServer()) {
            HTTP2Client client = new HTTP2Client();
            client.start();
            try {
                Session session = client.connect(new InetSocketAddress("127.0.0.1", server.port()), new Session.Listener() { })
                        .get(5, TimeUnit.SECONDS);
                MetaData.Request request = new MetaData.Request("OPTIONS",
                        HttpURI.build().scheme("http").host("127.0.0.1").port(server.port()).path("*"),
                        HttpVersion.HTTP_2, HttpFields.EMPTY, 0);
                CompletableFuture<MetaData.Response> answer = new CompletableFuture<>();
                session.newStream(new HeadersFrame(request, null, true), new Promise.Completable<>(), new Stream.Listener() {
                    @Override
                    public void onHeaders(Stream stream, HeadersFrame frame) {
                        answer.complete((MetaData.Response) frame.getMetaData());
                        stream.demand();
                    }
                });
                MetaData.Response response = answer.get(5, TimeUnit.SECONDS);
                assertEquals(204, response.getStatus());
                assertEquals(ALLOW, response.getHttpFields().get("allow"));
                assertFalse(response.getHttpFields().contains("content-length"), response.getHttpFields().toString());
                session.close(0, "done", Callback.NOOP);
            } finally {
                client.stop();
            }
        }
    }
}
