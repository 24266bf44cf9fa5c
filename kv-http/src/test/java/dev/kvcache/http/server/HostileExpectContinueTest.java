package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 9110 10.1.1: a server that receives {@code Expect: 100-continue} may answer the final status
 * without reading the body, and a client waiting on the 100 then never sends it. A write whose
 * precondition already fails (create-only on a live key, an {@code If-Match} naming another version or
 * an absent key) or whose declared length is over the limit is answered at once: 412 or 413, never a
 * 100 Continue followed by a wait for the whole upload. Over HTTP/1.1 and HTTP/2 (h2c).
 */
class HostileExpectContinueTest {
    private static TestServer server;
    private static HTTP2Client h2;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer("--max-value-bytes", "64KiB");
        h2 = new HTTP2Client();
        h2.start();
    }

    @AfterAll
    static void stop() throws Exception {
        h2.stop();
        server.close();
    }

    @Test
    void aFailedPreconditionIs412BeforeTheBodyOverHttp11() throws Exception {
        String etag = server.put("/kv/taken", "mine").headers().firstValue("ETag").orElseThrow();
        String[][] refused = {
            {"PUT", "/kv/taken", "If-None-Match: *"},
            {"PUT", "/kv/taken", "If-None-Match: " + etag},
            {"POST", "/kv/taken", "If-Match: \"other\""},
            {"PUT", "/kv/absent", "If-Match: *"},
        };
        for (String[] request : refused) {
            try (RawHttp raw = new RawHttp(server.port())) {
                raw.send(request[0] + " " + request[1] + " HTTP/1.1\r\nHost: x\r\n" + request[2]
                        + "\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
                // Before the fix the first answer was "100 Continue", then nothing until the 5 bytes came.
                RawHttp.Reply reply = raw.read();
                assertEquals(412, reply.status(), String.join(" ", request) + ": " + reply);
                assertEquals("Precondition Failed\n", reply.body(), String.join(" ", request));
            }
        }
        assertEquals("mine", server.get("/kv/taken").body());
        assertEquals(404, server.get("/kv/absent").statusCode());
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413BeforeTheBodyOverHttp11() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("PUT /kv/big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 65537\r\n\r\n");
            RawHttp.Reply reply = raw.read();
            assertEquals(413, reply.status(), reply.toString());
        }
    }

    @Test
    void aPreconditionThatHoldsStillGets100ContinueAndWrites() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("PUT /kv/fresh HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\n");
            assertEquals(100, raw.read().status());
            raw.send("hello");
            assertEquals(201, raw.read().status());
        }
        assertEquals("hello", server.get("/kv/fresh").body());
    }

    @Test
    void aFailedPreconditionIs412BeforeTheBodyOverHttp2() throws Exception {
        server.put("/kv/taken2", "mine");
        assertEquals(List.of(412), h2Statuses("PUT", "/kv/taken2", "if-none-match", "*", 5));
        assertEquals(List.of(412), h2Statuses("PUT", "/kv/taken2", "if-match", "\"other\"", 5));
        assertEquals(List.of(413), h2Statuses("PUT", "/kv/big2", "if-match", "*", 65537));
        assertEquals("mine", server.get("/kv/taken2").body());
    }

    /**
     * Opens an h2c stream with {@code Expect: 100-continue}, one more header and a declared length, sends
     * no DATA, and waits (at most 5 s) for a final status.
     *
     * @return the statuses of the HEADERS frames the server sent, interim ones included
     */
    private static List<Integer> h2Statuses(String method, String path, String name, String value, long length)
            throws Exception {
        Session session = h2.connect(new InetSocketAddress("127.0.0.1", server.port()), new Session.Listener() { })
                .get(5, TimeUnit.SECONDS);
        try {
            HttpFields.Mutable fields = HttpFields.build().put("expect", "100-continue").put(name, value);
            MetaData.Request request = new MetaData.Request(method, HttpURI.from("http://127.0.0.1:" + server.port() + path),
                    HttpVersion.HTTP_2, fields, length);
            List<Integer> statuses = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> finalStatus = new CompletableFuture<>();
            session.newStream(new HeadersFrame(request, null, false), new Promise.Completable<>(), new Stream.Listener() {
                @Override
                public void onHeaders(Stream stream, HeadersFrame frame) {
                    if (frame.getMetaData() instanceof MetaData.Response response) {
                        statuses.add(response.getStatus());
                        if (response.getStatus() >= 200) {
                            finalStatus.complete(null);
                        }
                    }
                    stream.demand();
                }

                @Override
                public void onReset(Stream stream, ResetFrame frame, Callback callback) {
                    finalStatus.complete(null);
                    callback.succeeded();
                }
            });
            try {
                finalStatus.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                assertTrue(false, method + " " + path + ": no final status in 5 s; statuses " + statuses);
            }
            return statuses;
        } finally {
            session.close(0, "done", Callback.NOOP);
        }
    }
}
