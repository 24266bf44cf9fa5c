package dev.kvcache.http.server;

import static dev.kvcache.http.RawHttp.get;
import static dev.kvcache.http.server.PipelineFixture.answer;
import static dev.kvcache.http.server.PipelineFixture.big;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile review of {@link PipelinedEndPoint} (brief hostile19): what a client of the pipelined batching
 * can tell from Jetty's own behaviour ({@code --pipeline-batch 0}), each test run against both.
 *
 * <p>A plain Jetty server with the factory under test and h2c beside it (as {@link Connectors#cleartext}),
 * one selector, and the server's socket send buffer as small as the kernel allows, so that answers held
 * back and then sent are still on the wire when the connection goes on.
 */
class HostilePipelineBatchTest {
    private static final int BATCH = 16 * 1024; // the default --pipeline-batch
    private Server server;
    private ServerConnector connector;
    /** Counted down when {@code /other} is handled. */
    private final CountDownLatch otherServed = new CountDownLatch(1);
    /** Whether the completion of {@code /block}'s write saw {@code /other} served while it waited. */
    private final AtomicBoolean otherServedMeanwhile = new AtomicBoolean();
    private final CountDownLatch blockCompleted = new CountDownLatch(1);
    /** Counted down once the client has read the answer before {@code /sync}. */
    private final CountDownLatch firstRead = new CountDownLatch(1);

    @AfterEach
    void stop() throws Exception {
        otherServed.countDown();
        firstRead.countDown();
        if (server != null) {
            server.stop();
        }
    }

    /**
     * The completion of a write is the application's code (a handler's callback, Jetty's request
     * completion, the access log): Jetty runs it on the selector only if it says it does not block. An
     * answer written while held answers were still on the wire completes from the completion of that held
     * write, which said it does not block: the selector ran the handler's blocking callback, and no other
     * connection of that selector was read meanwhile.
     */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {0, BATCH})
    void aBlockingWriteCallbackDoesNotRunOnTheSelector(int batch) throws Exception {
        start(batch);
        try (Socket socket = smallSocket(); RawHttp client = new RawHttp(socket)) {
            String partial = get("/block");
            // A held answer larger than the socket buffers, then a request not yet complete: the held
            // answer is sent when the connection waits for the rest, and is still on the wire.
            client.send(get("/big/15000") + partial.substring(0, 10));
            InputStream in = socket.getInputStream();
            int first = in.read(); // the held answer is on its way
            assertEquals('H', first);
            client.send(partial.substring(10));
            // Read everything, /block's answer included; its callback then waits for /other.
            byte[] rest = new byte[64 * 1024];
            int total = 1;
            String tail = "";
            while (!tail.endsWith("block")) {
                int n = in.read(rest);
                assertTrue(n > 0, "answers end early");
                total += n;
                tail = (tail + new String(rest, 0, n, StandardCharsets.ISO_8859_1));
                tail = tail.substring(Math.max(0, tail.length() - 10));
            }
            try (RawHttp other = new RawHttp(connector.getLocalPort())) {
                other.send(get("/other"));
                assertEquals("/other", other.read().body());
            }
            assertTrue(blockCompleted.await(10, TimeUnit.SECONDS));
            assertTrue(otherServedMeanwhile.get(),
                    "another connection was served while /block's write callback waited (it ran on the selector)");
        }
    }

    /**
     * {@code Upgrade: h2c} behind an answer that is held and then still on the wire with the 101: the
     * client must get the held answer, the 101 and then the HTTP/2 answer to the upgraded request. Jetty
     * writes the 101 and upgrades without waiting for the write, then resets the generator; the 101's
     * write, held up behind the answer, completed into the reset generator, which wrote a second 101
     * into the HTTP/2 stream (seen: "HTTP/1.1 " where a frame was due, after SETTINGS and WINDOW_UPDATE),
     * or the HTTP/2 connection failed. Not run against Jetty's own writes: with socket buffers this small
     * its 101 alone is sometimes still on the wire at the upgrade, and it fails the same way (the
     * connection closes before the 101); with real buffers it practically never is, while a held batch
     * sent with the 101 is whenever the client is that far behind.
     */
    @org.junit.jupiter.api.RepeatedTest(50)
    void anH2cUpgradeBehindAHeldAnswerStillOnTheWireIsServed() throws Exception {
        start(BATCH);
        try (Socket socket = smallSocket()) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(get("/big/15000").getBytes(StandardCharsets.US_ASCII));
            bytes.write(("GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            bytes.write(H2Frames.PREFACE);
            bytes.write(new byte[] {0, 0, 0, H2Frames.SETTINGS, 0, 0, 0, 0, 0});
            out.write(bytes.toByteArray());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            RawHttp.Reply big = readReply(in);
            assertEquals(big(15000), big.body());
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            List<Integer> types = new ArrayList<>();
            for (;;) {
                byte[] header = new byte[9];
                in.readFully(header);
                int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
                int type = header[3];
                int flags = header[4] & 0xff;
                int stream = ((header[5] & 0x7f) << 24) | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8
                        | header[8] & 0xff;
                assertTrue(length <= 1 << 14 && type >= 0 && type <= 9,
                        "an HTTP/2 frame, not " + new String(header, StandardCharsets.ISO_8859_1) + " after " + types);
                in.readFully(new byte[length]);
                types.add(type);
                assertTrue(type != H2Frames.GOAWAY && type != H2Frames.RST_STREAM, "refused: " + types);
                if (stream == 1 && (flags & H2Frames.END_STREAM) != 0
                        && (type == H2Frames.DATA || type == H2Frames.HEADERS)) {
                    break;
                }
            }
        }
    }

    /** A pipelined batch, then the client half-closes: every answer arrives, then the end. */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {0, BATCH})
    void aHalfCloseAfterABatchGetsEveryAnswer(int batch) throws Exception {
        start(batch);
        try (Socket socket = new Socket("127.0.0.1", connector.getLocalPort()); RawHttp client = new RawHttp(socket)) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                all.append(get("/h" + i));
            }
            client.send(all + "GET /cut HTTP/1.1\r\nHost: 12");
            socket.shutdownOutput();
            for (int i = 0; i < 20; i++) {
                assertEquals("/h" + i, client.read().body());
            }
            String rest = client.readToEnd();
            assertTrue(rest.isEmpty() || rest.startsWith("HTTP/1.1 400"), rest);
        }
    }

    /** Answers held before a request Jetty refuses (400, and the connection closes) still arrive, in order. */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {0, BATCH})
    void answersBeforeAnInvalidRequestArriveThenTheRefusal(int batch) throws Exception {
        start(batch);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(get("/g0") + get("/g1") + "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n"
                    + get("/never"));
            assertEquals("/g0", client.read().body());
            assertEquals("/g1", client.read().body());
            assertEquals(400, client.read().status());
            assertEquals("", client.readToEnd());
        }
    }

    /** HEAD among GETs: no body, and the next answer is not taken for one. */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {0, BATCH})
    void headAmongPipelinedGets(int batch) throws Exception {
        start(batch);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(get("/big/500") + "HEAD /big/9000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + get("/z"));
            assertEquals(big(500), client.read().body());
            RawHttp.Reply head = client.read(true);
            assertEquals("9000", head.headers().get("content-length"));
            assertEquals("/z", client.read().body());
        }
    }

    /**
     * Known, not fixed: an answer held for the rest of its batch waits for the next request's handler
     * when that handler works synchronously (on the connection's thread) before it answers: with Jetty's
     * own writes the first answer is on the wire while the second is computed. In kvcache the handlers
     * that work long on the request's thread are a flush ({@code DELETE /kv/?prefix=P}, O(entries)) and a
     * large batch: a GET pipelined before them is answered only once they are done. Here the second
     * handler waits (up to 3 s) for the client to have read the first answer.
     */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {0, BATCH})
    void aHeldAnswerDoesNotWaitForTheNextRequestsSynchronousWork(int batch) throws Exception {
        start(batch);
        try (RawHttp client = new RawHttp(connector.getLocalPort())) {
            client.send(get("/s0") + get("/sync"));
            assertEquals("/s0", client.read().body());
            firstRead.countDown();
            assertEquals("in time", client.read().body());
        }
    }

    private Socket smallSocket() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(1024);
        socket.connect(new InetSocketAddress("127.0.0.1", connector.getLocalPort()));
        return socket;
    }

    private void start(int batchBytes) throws Exception {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        // As the server's rule does for batch, flush and listing: /sync works long before it answers.
        http.addCustomizer(new SendHeldFirst(path -> path.equals("/sync")));
        connector = new ServerConnector(server, 1, 1, new PipelinedHttpConnectionFactory(http, batchBytes),
                new HTTP2CServerConnectionFactory(new HttpConfiguration(http)));
        connector.setHost("127.0.0.1");
        connector.setAcceptedSendBufferSize(1024);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                if (path.equals("/block")) {
                    byte[] bytes = "block".getBytes(StandardCharsets.UTF_8);
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
                    // A write callback that blocks (Callback's default invocation type says it may).
                    response.write(true, ByteBuffer.wrap(bytes), Callback.from(() -> {
                        try {
                            otherServedMeanwhile.set(otherServed.await(3, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        blockCompleted.countDown();
                        callback.succeeded();
                    }, callback::failed));
                } else if (path.equals("/sync")) {
                    // Synchronous work on the connection's thread before the answer (as a flush's walk).
                    boolean inTime;
                    try {
                        inTime = firstRead.await(3, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        inTime = false;
                    }
                    answer(response, inTime ? "in time" : "late", callback);
                } else if (path.startsWith("/big/")) {
                    answer(response, big(Integer.parseInt(path.substring(5))), callback);
                } else {
                    if (path.equals("/other")) {
                        otherServed.countDown();
                    }
                    answer(response, path, callback);
                }
                return true;
            }
        });
        server.start();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in a response head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static RawHttp.Reply readReply(DataInputStream in) throws IOException {
        String head = readHead(in);
        int status = Integer.parseInt(head.split(" ")[1]);
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return new RawHttp.Reply(status, java.util.Map.of(), new String(body, StandardCharsets.UTF_8));
    }
}
