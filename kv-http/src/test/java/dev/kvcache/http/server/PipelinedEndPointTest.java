package dev.kvcache.http.server;

import static dev.kvcache.http.RawHttp.get;
import static dev.kvcache.http.server.PipelineFixture.answer;
import static dev.kvcache.http.server.PipelineFixture.big;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link PipelinedEndPoint} promises: the answers to a pipelined batch go out in one write, in order,
 * and an answer is never kept waiting for the client, for a later answer or for anything else.
 *
 * <p>A plain Jetty server with the factory under test, a handler of its own (answers {@code /slow} only
 * when the test says so, from another thread; {@code /big/N} with N bytes; anything else with its path),
 * and a connector that counts the writes reaching the socket.
 */
class PipelinedEndPointTest {
    private final AtomicInteger socketWrites = new AtomicInteger();
    private final CountDownLatch slowMayAnswer = new CountDownLatch(1);
    private Server server;
    private ServerConnector connector;

    @AfterEach
    void stop() throws Exception {
        slowMayAnswer.countDown();
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void tenPipelinedRequestsAreAnsweredInOrderInOneWrite() throws Exception {
        start(16 * 1024);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(requests("/a", 10));
            List<RawHttp.Reply> replies = client.read(10);
            for (int i = 0; i < 10; i++) {
                assertEquals("/a" + i, replies.get(i).body(), "reply " + i);
            }
        }
        assertEquals(1, socketWrites.get(), "one write for the batch of ten");
    }

    @Test
    void withoutABatchEachAnswerIsItsOwnWrite() throws Exception {
        start(0);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(requests("/a", 10));
            client.read(10);
        }
        assertEquals(10, socketWrites.get());
    }

    @Test
    void aRequestSentAloneIsWrittenAtOnce() throws Exception {
        start(16 * 1024);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            for (int i = 0; i < 3; i++) {
                client.send(requests("/one", 1));
                assertEquals("/one0", client.read().body());
            }
        }
        assertEquals(3, socketWrites.get());
    }

    @Test
    void answersBeforeAnIncompleteRequestAreSentWithoutWaitingForItsRest() throws Exception {
        start(16 * 1024);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            String third = "GET /c HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            client.send(requests("/a", 2) + third.substring(0, 10));
            assertEquals(List.of("/a0", "/a1"), bodies(client.read(2)), "answered before the third is complete");
            client.send(third.substring(10));
            assertEquals("/c", client.read().body());
        }
    }

    @Test
    void anAnswerIsNotHeldWhileTheNextRequestIsAnsweredLaterOnAnotherThread() throws Exception {
        start(16 * 1024);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(get("/a0") + get("/slow") + get("/b0"));
            // /slow answers only once the test lets it, after it has read /a's answer: held, this would time out.
            assertEquals("/a0", client.read().body());
            slowMayAnswer.countDown();
            assertEquals(List.of("slow", "/b0"), bodies(client.read(2)));
        }
    }

    @Test
    void aConnectionCloseAnswerEndsTheBatchAndTheConnection() throws Exception {
        start(16 * 1024);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(requests("/a", 2) + "GET /last HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    + requests("/never", 2));
            assertEquals(List.of("/a0", "/a1", "/last"), bodies(client.read(3)));
            assertEquals("", client.readToEnd(), "nothing after the answer that closed the connection");
        }
    }

    @Test
    void answersLargerThanTheBatchKeepTheirOrderAndBytes() throws Exception {
        start(16 * 1024);
        StringBuilder batch = new StringBuilder();
        int[] sizes = {100, 10_000, 50, 20_000, 16 * 1024, 7, 16 * 1024 - 200, 3};
        for (int size : sizes) {
            batch.append("GET /big/").append(size).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        }
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(batch.toString());
            for (int size : sizes) {
                assertEquals(big(size), client.read().body());
            }
        }
        assertTrue(socketWrites.get() < sizes.length, "some answers went together: " + socketWrites.get());
    }

    @Test
    void aClientThatReadsNothingUntilItHasSentEverythingGetsEveryAnswerInOrder() throws Exception {
        start(16 * 1024);
        // 300 answers of 9 000 bytes: far more than the socket buffers hold, so writes wait for the client.
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                all.append(i % 2 == 0 ? "GET /big/9000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        : "GET /n" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            }
            client.send(all.toString());
            for (int i = 0; i < 300; i++) {
                assertEquals(i % 2 == 0 ? big(9000) : "/n" + i, client.read().body(), "reply " + i);
            }
        }
    }

    @Test
    void expectContinueBehindAPipelinedRequestGetsItsInterimAnswer() throws Exception {
        start(16 * 1024);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(requests("/a", 1) + "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\n");
            assertEquals("/a0", client.read().body());
            assertEquals(100, client.read().status(), "the interim answer, before the body is sent");
            client.send("hello");
            assertEquals("hello", client.read().body());
        }
    }

    @Test
    void anAnswerWaitingForTheSocketHoldsBackTheNextUntilItHasGone() throws Exception {
        start(16 * 1024);
        // A first batch far larger than the socket buffers hold (so its writes wait for the client), then
        // small requests that arrive while they wait: their answers must follow, not overtake or interleave.
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", connector.getLocalPort()));
            try (RawHttp client = new RawHttp(socket)) {
                client.send(get("/big/60000").repeat(200));
                client.send(requests("/after", 5));
                for (int i = 0; i < 200; i++) {
                    assertEquals(big(60_000), client.read().body(), "big " + i);
                }
                assertEquals(List.of("/after0", "/after1", "/after2", "/after3", "/after4"), bodies(client.read(5)));
            }
        }
    }

    @org.junit.jupiter.api.RepeatedTest(10) // a race between two threads of the connection was once found here
    void anAnswerGivenLaterWaitsForHeldAnswersStillOnTheWire() throws Exception {
        start(16 * 1024, 8 * 1024);
        // Small socket buffers and a client that reads nothing at first: the answers held before /slow are
        // still being written when (most likely; the order is asserted either way) /slow answers from its
        // own thread.
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", connector.getLocalPort()));
            try (RawHttp client = new RawHttp(socket)) {
                client.send(get("/big/15000").repeat(200) + get("/small") + get("/slow") + get("/b0"));
                Thread.sleep(200);
                slowMayAnswer.countDown();
                for (int i = 0; i < 200; i++) {
                    assertEquals(big(15_000), client.read().body(), "big " + i);
                }
                assertEquals(List.of("/small", "slow", "/b0"), bodies(client.read(3)));
            }
        }
    }

    @Test
    void aClosedClientDoesNotLeaveTheServerStuck() throws Exception {
        start(16 * 1024);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(get("/big/60000").repeat(50));
        }
        // The server is still there for the next client.
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(requests("/x", 3));
            assertEquals(List.of("/x0", "/x1", "/x2"), bodies(client.read(3)));
        }
    }

    @Test
    void noAnswerOvertakesOneThatAHandlerGivesLater() throws Exception {
        start(16 * 1024);
        try (Socket socket = new Socket("127.0.0.1", connector.getLocalPort());
                RawHttp client = new RawHttp(socket)) {
            client.send(get("/slow") + get("/b0"));
            socket.setSoTimeout(300);
            // Nothing may come before /slow's answer: the next answer must not overtake it.
            assertThrows(SocketTimeoutException.class, client::read);
        }
    }

    @Test
    void theServerSendsHeldAnswersBeforeBatchFlushListingMetricsAndStats() {
        for (String path : List.of("/kv/", "/metrics", "/stats")) {
            assertTrue(SendHeldFirst.mayTakeLong(path), path);
        }
        for (String path : List.of("/k1", "/kv/k1", "/size", "/health", "/kv/metrics")) {
            assertTrue(!SendHeldFirst.mayTakeLong(path), path);
        }
    }

    private void start(int batchBytes) throws Exception {
        start(batchBytes, -1);
    }

    /** @param sendBuffer the server's socket send buffer in bytes, or -1 for the system's */
    private void start(int batchBytes, int sendBuffer) throws Exception {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        connector = new ServerConnector(server, 1, 1, new PipelinedHttpConnectionFactory(http, batchBytes)) {
            @Override
            protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector,
                    SelectionKey key) {
                return new SocketChannelEndPoint(channel, selector, key, getScheduler()) {
                    @Override
                    public boolean flush(ByteBuffer... buffers) throws IOException {
                        for (ByteBuffer buffer : buffers) {
                            if (buffer.hasRemaining()) {
                                socketWrites.incrementAndGet();
                                break;
                            }
                        }
                        return super.flush(buffers);
                    }
                };
            }
        };
        connector.setHost("127.0.0.1");
        connector.setAcceptedSendBufferSize(sendBuffer);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                if (path.equals("/slow")) {
                    Thread later = new Thread(() -> {
                        try {
                            slowMayAnswer.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        answer(response, "slow", callback);
                    });
                    later.setDaemon(true);
                    later.start();
                } else if (path.equals("/echo")) {
                    org.eclipse.jetty.io.Content.Source.asString(request, StandardCharsets.UTF_8,
                            org.eclipse.jetty.util.Promise.from(body -> answer(response, body, callback),
                                    callback::failed));
                } else if (path.startsWith("/big/")) {
                    answer(response, big(Integer.parseInt(path.substring(5))), callback);
                } else {
                    answer(response, path, callback);
                }
                return true;
            }
        });
        server.start();
    }

    /** @return {@code count} GETs of {@code prefix} followed by 0, 1, ... */
    private static String requests(String prefix, int count) {
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < count; i++) {
            requests.append(get(prefix + i));
        }
        return requests.toString();
    }

    private static List<String> bodies(List<RawHttp.Reply> replies) {
        List<String> bodies = new ArrayList<>();
        for (RawHttp.Reply reply : replies) {
            bodies.add(reply.body());
        }
        return bodies;
    }
}
