package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
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
 * RFC 9110 10.1.1 and RFC 9113 6.9: once a server has sent {@code 100 Continue}, the client sends the body,
 * and every DATA byte it sends counts against the connection's flow-control window until the server
 * consumes it. {@link Http2BodyDrain} skipped every request that carried {@code Expect: 100-continue},
 * also one refused after the 100 (413 once a body without a declared length passed the limit): the unread
 * rest of its body kept its share of the connection's 1 MiB window, and after five such refusals of 192 KiB
 * unread each, a write on the same connection got no answer at all (the test's try 5 timed out). The rest
 * of such a body is now drained, as for a request without the expectation.
 */
class Http2ContinueDrainTest {
    record Result(String statuses, int reset, long sent) {}

    @Test
    void aWriteRefusedAfterItsContinueDoesNotStallTheConnection() throws Exception {
        try (TestServer server = new TestServer("--max-value-bytes", "64KiB")) {
            HTTP2Client h2 = new HTTP2Client();
            h2.start();
            try {
                Session session = h2.connect(new InetSocketAddress("127.0.0.1", server.port()), new Session.Listener() { })
                        .get(5, TimeUnit.SECONDS);
                // Each body leaves 192 KiB unread: five of them are more than a 512 KiB stream window,
                // and than most of the 1 MiB connection window.
                for (int i = 0; i < 6; i++) {
                    Result refused = upload(session, server.port(), "PUT", "/kv/big" + i, new byte[256 * 1024]);
                    assertEquals("100 413 ", refused.statuses(), "try " + i + ": " + refused);
                    assertEquals(256 * 1024, refused.sent(), "try " + i + ": " + refused);
                    // The connection still serves: a write with a small body, on a new stream.
                    Result next = upload(session, server.port(), "PUT", "/kv/small" + i, new byte[10]);
                    assertEquals("100 204 ", next.statuses(), "try " + i + ", the write after: " + next);
                }
            } finally {
                stopWithin(h2, 5);
            }
            assertEquals(200, server.get("/kv/small5").statusCode());
        }
    }

    /** Stops the client on its own thread, waiting at most {@code seconds}: a stuck stop must not hang the build. */
    private static void stopWithin(HTTP2Client h2, int seconds) throws InterruptedException {
        Thread stopper = new Thread(() -> {
            try {
                h2.stop();
            } catch (Exception e) {
                // The test's outcome is decided; a failed stop leaves a daemon thread at most.
            }
        }, "h2-client-stop");
        stopper.setDaemon(true);
        stopper.start();
        stopper.join(TimeUnit.SECONDS.toMillis(seconds));
    }

    /**
     * One stream with {@code Expect: 100-continue} and no declared length: sends the body once the 100 comes,
     * whole (as curl does) unless the stream is reset, and waits at most 5 s for the final status and the body.
     */
    private static Result upload(Session session, int port, String method, String path, byte[] body) throws Exception {
        HttpFields.Mutable fields = HttpFields.build().put("expect", "100-continue");
        MetaData.Request request = new MetaData.Request(method, HttpURI.from("http://127.0.0.1:" + port + path),
                HttpVersion.HTTP_2, fields, -1);
        StringBuilder statuses = new StringBuilder();
        AtomicInteger reset = new AtomicInteger(-1);
        AtomicLong sent = new AtomicLong();
        AtomicBoolean sending = new AtomicBoolean();
        CompletableFuture<Void> finalStatus = new CompletableFuture<>();
        CompletableFuture<Void> bodyDone = new CompletableFuture<>();
        CompletableFuture<Stream> opened = new CompletableFuture<>();
        session.newStream(new HeadersFrame(request, null, false), Promise.from(opened), new Stream.Listener() {
            @Override
            public void onHeaders(Stream stream, HeadersFrame frame) {
                if (frame.getMetaData() instanceof MetaData.Response response) {
                    synchronized (statuses) {
                        statuses.append(response.getStatus()).append(' ');
                    }
                    if (response.getStatus() == 100 && sending.compareAndSet(false, true)) {
                        send(stream, ByteBuffer.wrap(body), sent, bodyDone);
                    }
                    if (response.getStatus() >= 200) {
                        finalStatus.complete(null);
                    }
                }
                stream.demand();
            }

            @Override
            public void onDataAvailable(Stream stream) {
                Stream.Data data = stream.readData();
                if (data == null) {
                    stream.demand();
                    return;
                }
                boolean last = data.frame().isEndStream();
                data.release();
                if (!last) {
                    stream.demand(); // past the end, a demand would find the last frame again, forever
                }
            }

            @Override
            public void onReset(Stream stream, ResetFrame frame, Callback callback) {
                reset.set(frame.getError());
                bodyDone.complete(null);
                finalStatus.complete(null);
                callback.succeeded();
            }
        });
        try {
            CompletableFuture.allOf(finalStatus, bodyDone).get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new Result("TIMEOUT " + statuses, reset.get(), sent.get());
        }
        return new Result(statuses.toString(), reset.get(), sent.get());
    }

    private static void send(Stream stream, ByteBuffer body, AtomicLong sent, CompletableFuture<Void> done) {
        if (stream.isReset()) {
            done.complete(null);
            return;
        }
        int size = Math.min(16 * 1024, body.remaining());
        ByteBuffer frame = body.slice(body.position(), size);
        body.position(body.position() + size);
        boolean last = !body.hasRemaining();
        stream.data(new DataFrame(stream.getId(), frame, last), Callback.from(() -> {
            sent.addAndGet(size);
            if (last) {
                done.complete(null);
            } else {
                send(stream, body, sent, done);
            }
        }, failure -> done.complete(null)));
    }
}
