package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpScheme;
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
 * RFC 9113 8.5: an HTTP/2 CONNECT has {@code :method} and {@code :authority}, and {@code :scheme} and
 * {@code :path} "MUST be omitted". Jetty 12.1.14 hands the handler a CONNECT that carries a {@code :path}
 * anyway with a null path, and the router dereferenced it: 500 {@code Server Error} and a
 * NullPointerException logged with its stack for each such request. It is now answered as a CONNECT is over
 * HTTP/1.1 (and over HTTP/2 without {@code :path}), where its authority is no key: 400
 * {@code Must provide a key in the path}; with a token, 401 first.
 */
class HostileH2ConnectTest {
    @Test
    void anHttp2ConnectIs400AsOverHttp11() throws Exception {
        try (TestServer server = new TestServer()) {
            assertEquals("400 Must provide a key in the path\n", connect(server.port()));
            assertEquals(200, server.get("/health").statusCode());
        }
    }

    @Test
    void anHttp2ConnectWithAPathIs400() throws Exception {
        try (TestServer server = new TestServer()) {
            for (String path : new String[] {"/kv/x", "/size", "/", "*"}) {
                assertEquals("400 Must provide a key in the path\n", connect(server.port(), path), path);
            }
            assertEquals(404, server.get("/kv/x").statusCode());
        }
    }

    @Test
    void anHttp2ConnectWithoutTheTokenIs401() throws Exception {
        try (TestServer server = new TestServer("--auth-token", "s3cret-t0ken-for-tests")) {
            assertEquals("401 Unauthorized\n", connect(server.port()));
            assertEquals("401 Unauthorized\n", connect(server.port(), "/kv/x"));
        }
    }

    private static String connect(int port) throws Exception {
        return connect(port, null);
    }

    /**
     * @param path the {@code :path} to send as well (which RFC 9113 8.5 does not allow), or null for none
     * @return the status and body of the answer to {@code CONNECT 127.0.0.1:1} over h2c
     */
    private static String connect(int port, String path) throws Exception {
        HTTP2Client client = new HTTP2Client();
        client.start();
        try {
            Session session = client.connect(new InetSocketAddress("127.0.0.1", port), new Session.Listener() { })
                    .get(5, TimeUnit.SECONDS);
            MetaData.Request request = path == null
                    ? new MetaData.ConnectRequest((HttpScheme) null, new HostPortHttpField("127.0.0.1:1"), null,
                            HttpFields.EMPTY, null)
                    : new MetaData.Request("CONNECT", HttpURI.build().scheme("http").host("127.0.0.1").port(1).path(path),
                            HttpVersion.HTTP_2, HttpFields.EMPTY, -1);
            CompletableFuture<String> answer = new CompletableFuture<>();
            StringBuilder body = new StringBuilder();
            session.newStream(new HeadersFrame(request, null, true), new Promise.Completable<>(), new Stream.Listener() {
                private int status;

                @Override
                public void onHeaders(Stream stream, HeadersFrame frame) {
                    status = ((MetaData.Response) frame.getMetaData()).getStatus();
                    if (frame.isEndStream()) {
                        answer.complete(status + " ");
                    } else {
                        stream.demand();
                    }
                }

                @Override
                public void onDataAvailable(Stream stream) {
                    Stream.Data data = stream.readData();
                    if (data == null) {
                        stream.demand();
                        return;
                    }
                    body.append(StandardCharsets.UTF_8.decode(data.frame().getByteBuffer()));
                    boolean last = data.frame().isEndStream();
                    data.release();
                    if (last) {
                        answer.complete(status + " " + body);
                    } else {
                        stream.demand();
                    }
                }
            });
            String result = answer.get(5, TimeUnit.SECONDS);
            session.close(0, "done", Callback.NOOP);
            return result;
        } finally {
            client.stop();
        }
    }
}
