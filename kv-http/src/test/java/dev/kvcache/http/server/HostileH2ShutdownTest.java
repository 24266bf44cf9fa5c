package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Test;

/**
 * Hostile review of the in-flight count (InFlightHandler) with HTTP/2 streams (h2c, prior knowledge):
 * a stream whose body is still arriving counts; a stream the client resets mid-body is counted out (or
 * the stop would wait its whole timeout and report exit 3 for nothing); a stream in flight when the stop
 * begins finishes and the stop is clean (docs/http.md "Shutdown"). Bounded: every wait has a timeout.
 */
class HostileH2ShutdownTest {

    /** A PUT of 10 bytes whose first 5 are sent; the response status, once it comes. */
    private static final class HalfPut {
        final CompletableFuture<Integer> status = new CompletableFuture<>();
        final Stream stream;

        HalfPut(Session session, int port, String key) throws Exception {
            HttpFields fields = HttpFields.build().add("Content-Length", "10");
            MetaData.Request request = new MetaData.Request("PUT", HttpURI.from("http://127.0.0.1:" + port + "/kv/" + key),
                    HttpVersion.HTTP_2, fields, 10);
            CompletableFuture<Stream> opened = new CompletableFuture<>();
            session.newStream(new HeadersFrame(request, null, false), Promise.from(opened), new Stream.Listener() {
                @Override
                public void onHeaders(Stream s, HeadersFrame frame) {
                    if (frame.getMetaData() instanceof MetaData.Response response) {
                        status.complete(response.getStatus());
                    }
                    if (!frame.isEndStream()) {
                        s.demand();
                    }
                }

                @Override
                public void onDataAvailable(Stream s) {
                    Stream.Data data = s.readData();
                    if (data != null) {
                        data.release();
                    }
                    s.demand();
                }

                @Override
                public void onReset(Stream s, ResetFrame frame, Callback callback) {
                    status.complete(-frame.getError());
                    callback.succeeded();
                }
            });
            stream = opened.get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> sent = new CompletableFuture<>();
            stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap("01234".getBytes(StandardCharsets.US_ASCII)), false),
                    Callback.from(() -> sent.complete(null), sent::completeExceptionally));
            sent.get(10, TimeUnit.SECONDS);
        }

        void finish() throws Exception {
            CompletableFuture<Void> sent = new CompletableFuture<>();
            stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap("56789".getBytes(StandardCharsets.US_ASCII)), true),
                    Callback.from(() -> sent.complete(null), sent::completeExceptionally));
            sent.get(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitInFlight(TestServer server, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.server.requestsInFlight() != count) {
            assertTrue(System.nanoTime() < deadline, "requests in flight: " + server.server.requestsInFlight()
                    + ", expected " + count);
            Thread.sleep(5);
        }
    }

    @Test
    void aStreamResetMidBodyIsCountedOutAndAStreamInFlightFinishesBeforeACleanStop() throws Exception {
        TestServer server = new TestServer("--shutdown-timeout", "5s");
        HTTP2Client client = new HTTP2Client();
        client.start();
        try {
            Session session = client.connect(new InetSocketAddress("127.0.0.1", server.port()), new Session.Listener() {})
                    .get(10, TimeUnit.SECONDS);
            HalfPut reset = new HalfPut(session, server.port(), "reset");
            HalfPut kept = new HalfPut(session, server.port(), "kept");
            awaitInFlight(server, 2);

            reset.stream.reset(new ResetFrame(reset.stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code), Callback.NOOP);
            awaitInFlight(server, 1); // the reset stream is no longer in flight

            CompletableFuture<Integer> stopping = CompletableFuture.supplyAsync(server.server::stop);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!server.server.handler().isShutdown() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(100); // the stop is waiting on the stream in flight
            assertTrue(!stopping.isDone(), "the stop did not wait for the stream in flight");
            kept.finish();
            int status = kept.status.get(10, TimeUnit.SECONDS);
            assertTrue(status >= 200 && status < 300, "the stream in flight at the stop got " + status);
            assertEquals(KvServer.EXIT_OK, (int) stopping.get(10, TimeUnit.SECONDS), "the stop was not clean");
        } finally {
            client.stop();
            server.close();
        }
    }
}
