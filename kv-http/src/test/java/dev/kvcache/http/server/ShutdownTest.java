package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: requests in flight finish, /health answers 503 while draining. */
class ShutdownTest {
    @Test
    void inFlightRequestsFinishAndHealthTurns503() throws Exception {
        TestServer server = new TestServer("--shutdown-timeout", "5s", "--shutdown-delay", "300ms");
        try (RawHttp inFlight = new RawHttp(server.port()); RawHttp other = new RawHttp(server.port())) {
            other.send(RawHttp.request("GET", "/health", null));
            assertEquals(200, other.read().status());

            // A write whose body is half sent is in flight when the shutdown begins.
            inFlight.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234");
            awaitInFlight(server, 1);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            Thread.sleep(100); // within the shutdown delay: still serving, but draining

            other.send(RawHttp.request("GET", "/health", null));
            RawHttp.Reply health = other.read();
            assertEquals(503, health.status());
            assertEquals("draining\n", health.body());

            inFlight.send("56789");
            RawHttp.Reply reply = inFlight.read();
            assertEquals(200, reply.status());
            assertEquals("0123456789", reply.body());

            closing.get(10, TimeUnit.SECONDS);
            assertTrue(server.server.handler().isShutdown());
        }
    }

    /** Waits until the server is handling {@code count} requests (the handler has been called), at most 10 s. */
    private static void awaitInFlight(TestServer server, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.server.requestsInFlight() != count) {
            assertTrue(System.nanoTime() < deadline, "requests in flight: " + server.server.requestsInFlight());
            Thread.sleep(5);
        }
    }

    @Test
    void aRequestThatNeverCompletesIsCutOffAtTheTimeout() throws Exception {
        TestServer server = new TestServer("--shutdown-timeout", "500ms");
        try (RawHttp stuck = new RawHttp(server.port())) {
            stuck.send("POST /stuck HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234");
            awaitInFlight(server, 1);
            long begin = System.nanoTime();
            server.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertTrue(millis >= 400 && millis < 5_000, "stopped after " + millis + " ms");
            // Jetty closes the connection; whatever it answers first, the write did not succeed.
            String rest = stuck.readToEnd();
            assertTrue(!rest.startsWith("HTTP/1.1 2"), rest);
        }
    }
}
