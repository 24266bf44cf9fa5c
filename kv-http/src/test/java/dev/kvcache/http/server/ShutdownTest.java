package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * An idle connection, of any protocol, must not hold the stop up: with nothing in flight the
     * server stops at once, not after the shutdown timeout (30 s here; the bound of 10 s is generous).
     */
    @Test
    void anIdleH2cUpgradedConnectionDoesNotDelayTheStop() throws Exception {
        TestServer server = new TestServer("--shutdown-timeout", "30s");
        HttpClient h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> health = h2c.send(HttpRequest.newBuilder(server.uri("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, health.version());
        assertStopsPromptly(server);
    }

    /** As curl --http2 does it: the upgrade, the response, and the client closes the socket. */
    @Test
    void aClosedH2cUpgradedConnectionDoesNotDelayTheStop() throws Exception {
        TestServer server = new TestServer("--shutdown-timeout", "30s");
        try (H2Frames h2c = new H2Frames(server.port())) {
            h2c.upgradeAndGet("/health");
        }
        Thread.sleep(200); // the server has seen the close
        assertStopsPromptly(server);
    }

    /**
     * The client sends its upgrade request and HTTP/2 preface and closes at once, so that the server
     * sees the end of the connection while it is still opening the upgraded one: Jetty 12.1.14 then
     * reports the connection closed before opened, and without the fix its HTTP/2 session container
     * kept the session, so that the stop waited for it the whole shutdown timeout.
     */
    @Test
    void anH2cConnectionClosedDuringTheUpgradeDoesNotDelayTheStop() throws Exception {
        TestServer server = new TestServer("--shutdown-timeout", "30s");
        for (int i = 0; i < 5; i++) {
            try (H2Frames h2c = new H2Frames(server.port())) {
                h2c.upgradeAndHalfClose("/health");
                h2c.readToEnd();
            }
        }
        assertStopsPromptly(server);
    }

    /** The other protocols, with an idle connection open at the stop: HTTP/1.1, h2c by prior knowledge, h2. */
    @Test
    void idleConnectionsOfEveryProtocolDoNotDelayTheStop(@TempDir Path dir) throws Exception {
        TestServer http11 = new TestServer("--shutdown-timeout", "30s");
        try (RawHttp raw = new RawHttp(http11.port())) {
            raw.send(RawHttp.request("GET", "/health", null));
            assertEquals(200, raw.read().status());
            assertStopsPromptly(http11);
        }

        TestServer prior = new TestServer("--shutdown-timeout", "30s");
        try (H2Client h2c = new H2Client(prior.port())) {
            H2Client.Exchange health = h2c.exchange("GET", "/health", H2Client.fields(Map.of()), null, -1, false);
            assertEquals(200, health.status());
            assertStopsPromptly(prior);
        }

        TestKeystore keystore = TestKeystore.create(dir);
        TestServer tls = new TestServer("--shutdown-timeout", "30s", "--tls-keystore", keystore.file.toString(),
                "--tls-password", TestKeystore.PASSWORD);
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(keystore.clientContext())
                .build();
        HttpResponse<String> health = h2.send(HttpRequest.newBuilder(
                java.net.URI.create("https://127.0.0.1:" + tls.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, health.version());
        assertStopsPromptly(tls);
    }

    private static void assertStopsPromptly(TestServer server) {
        long begin = System.nanoTime();
        server.server.close(); // as configured: TestServer.close() would close the idle connections at once
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertTrue(millis < 10_000, "stopped after " + millis + " ms with nothing in flight");
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
            // The write did not succeed, and the client is told why: the server is going away, not
            // the request is bad (it was 400 "Cannot read request body").
            String rest = stuck.readToEnd();
            assertTrue(rest.startsWith("HTTP/1.1 503 "), rest);
            assertTrue(rest.endsWith("\r\n\r\n" + "The server is shutting down and cut this request off; retry it.\n"), rest);
        }
    }
}
