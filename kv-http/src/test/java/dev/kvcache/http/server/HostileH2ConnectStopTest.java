package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/2 CONNECT whose tunnel stream stays open (the client sends HEADERS without END_STREAM, as a
 * real CONNECT does) must not hold a graceful stop: Http2BodyDrain once spun on such a stream (Jetty
 * answers every demand on a tunnel at once) and the request never completed. The 503 that every request
 * gets once the stop began goes through the same drain (InFlightHandler wraps it too), so it is the path
 * checked here, with the handler's own stop begun and the connector still serving; and the 400 the
 * handler gives a CONNECT in normal service, with the server's stop.
 */
class HostileH2ConnectStopTest {

    /** The CONNECT's status (its HEADERS with END_STREAM or, as a tunnel, without), or minus the RST_STREAM error code if the server reset it first. */
    private static int openTunnel(int port, boolean endStream) throws Exception {
        HTTP2Client client = new HTTP2Client();
        client.start();
        try {
            Session session = client.connect(new InetSocketAddress("127.0.0.1", port), new Session.Listener() { })
                    .get(5, TimeUnit.SECONDS);
            MetaData.Request request = new MetaData.ConnectRequest((HttpScheme) null,
                    new HostPortHttpField("127.0.0.1:1"), null, HttpFields.EMPTY, null);
            CompletableFuture<Integer> status = new CompletableFuture<>();
            session.newStream(new HeadersFrame(request, null, endStream), new Promise.Completable<>(), new Stream.Listener() {
                @Override
                public void onHeaders(Stream stream, HeadersFrame frame) {
                    if (frame.getMetaData() instanceof MetaData.Response response) {
                        status.complete(response.getStatus());
                    }
                    stream.demand();
                }

                @Override
                public void onDataAvailable(Stream stream) {
                    Stream.Data data = stream.readData();
                    if (data != null) {
                        data.release();
                    }
                    stream.demand();
                }

                @Override
                public void onReset(Stream stream, ResetFrame frame, Callback callback) {
                    status.complete(-frame.getError());
                    callback.succeeded();
                }
            });
            int result = status.get(5, TimeUnit.SECONDS);
            session.close(0, "done", Callback.NOOP);
            return result;
        } finally {
            client.stop();
        }
    }

    @Test
    void theStopsOwn503ToAnOpenConnectTunnelEndsTheRequest() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, new HTTP2CServerConnectionFactory(new HttpConfiguration()));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        Handler ok = new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)), callback);
                return true;
            }
        };
        InFlightHandler inFlight = new InFlightHandler(ok,
                new Http2BodyDrain(Http2BodyDrain.capFor(1 << 20), TimeUnit.SECONDS.toNanos(30), new FakeTicker()));
        server.setHandler(inFlight);
        server.start();
        try {
            CompletableFuture<Void> stop = inFlight.shutdown(); // the stop began: every new request is 503
            assertTrue(stop.isDone(), "nothing was in flight");
            assertEquals(503, openTunnel(connector.getLocalPort(), false));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (inFlight.requestsInFlight() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0, inFlight.requestsInFlight(), "the 503 to a CONNECT never completed: the stop waits for it");
        } finally {
            server.setStopTimeout(1_000);
            server.stop();
        }
    }

    @Test
    void anOpenConnectTunnelIs400AndDoesNotHoldTheStop() throws Exception {
        TestServer server = new TestServer("--shutdown-timeout", "10s");
        try {
            assertEquals(400, openTunnel(server.port(), false));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.requestsInFlight() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0, server.requestsInFlight(), "the 400 to a CONNECT never completed");
        } finally {
            long begin = System.nanoTime();
            server.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertTrue(millis < 5_000, "stopped after " + millis + " ms");
        }
    }
}
