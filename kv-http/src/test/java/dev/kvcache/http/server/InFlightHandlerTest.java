package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The standalone server's count of requests in flight, which a graceful stop waits on. */
class InFlightHandlerTest {
    private final AtomicReference<Callback> held = new AtomicReference<>();
    private Server server;
    private LocalConnector connector;
    private InFlightHandler inFlight;

    /** /hold keeps its callback until the test completes it; /decline is not handled; /throw throws. */
    private void start() throws Exception {
        server = new Server();
        connector = new LocalConnector(server);
        server.addConnector(connector);
        inFlight = new InFlightHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                switch (Request.getPathInContext(request)) {
                    case "/hold":
                        held.set(callback);
                        return true;
                    case "/decline":
                        return false;
                    case "/throw":
                        throw new IllegalStateException("a bug");
                    default:
                        response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)), callback);
                        return true;
                }
            }
        });
        server.setHandler(inFlight);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private String get(String path) throws Exception {
        return connector.getResponse("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                5, TimeUnit.SECONDS);
    }

    /** The client may read a response before its callback completes on the server: wait, bounded. */
    private void assertInFlightBecomes(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (inFlight.requestsInFlight() != expected && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(expected, inFlight.requestsInFlight());
    }

    @Test
    void everyWayOutOfTheHandlerCountsTheRequestOutOnce() throws Exception {
        start();
        assertTrue(get("/ok").startsWith("HTTP/1.1 200"));
        assertInFlightBecomes(0);
        assertTrue(get("/decline").startsWith("HTTP/1.1 404"));
        assertInFlightBecomes(0);
        assertTrue(get("/throw").startsWith("HTTP/1.1 500"));
        assertInFlightBecomes(0);
    }

    @Test
    void aStopWaitsForTheRequestInFlightAndRefusesNewOnesWith503() throws Exception {
        start();
        LocalConnector.LocalEndPoint endpoint = connector.executeRequest("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (held.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, inFlight.requestsInFlight());
        CompletableFuture<Void> done = inFlight.shutdown();
        assertFalse(done.isDone(), "one request is still in flight");
        assertTrue(get("/ok").startsWith("HTTP/1.1 503"));
        assertFalse(done.isDone());
        held.get().succeeded();
        done.get(5, TimeUnit.SECONDS);
        assertInFlightBecomes(0);
        endpoint.close();
    }
}
