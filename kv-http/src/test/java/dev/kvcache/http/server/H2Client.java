package dev.kvcache.http.server;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's low-level HTTP/2 client over h2c by prior knowledge, for what {@code java.net.http} hides:
 * the frames that end a stream (a RST_STREAM and its error code) or the connection (GOAWAY).
 */
final class H2Client implements AutoCloseable {
    /**
     * How one stream ended.
     *
     * @param status the response status, or 0 if none arrived
     * @param reset the RST_STREAM error code the server sent, or -1 for none
     * @param goAway the GOAWAY error code the server sent, or -1 for none
     * @param sent the request body bytes the client had sent (written to the connection) when the
     *     stream ended
     */
    record Exchange(int status, String body, int reset, int goAway, long sent) {}

    private final HTTP2Client client = new HTTP2Client();
    private final int port;

    H2Client(int port) throws Exception {
        this.port = port;
        // Sends headers of any size, as curl does, whatever limit the server advertises.
        client.setMaxRequestHeadersSize(1 << 20);
        client.start();
    }

    /**
     * Sends one request on a new connection and waits (at most 10 s) until its stream ends.
     *
     * @param body the request body, sent in DATA frames of up to 16 KiB as flow control allows, or null
     * @param contentLength the declared length, or -1 for none
     */
    Exchange exchange(String method, String path, HttpFields fields, byte[] body, long contentLength) throws Exception {
        return exchange(method, path, fields, body, contentLength, true);
    }

    /** As above; with {@code closeSession} false the connection stays open (idle) until {@link #close()}. */
    Exchange exchange(String method, String path, HttpFields fields, byte[] body, long contentLength,
            boolean closeSession) throws Exception {
        return exchange(method, path, fields, body, contentLength, closeSession, false);
    }

    /**
     * As curl does: sends the whole body, whatever the response, and stops only if the stream is
     * reset; the exchange ends when both the response and the body are done (or at a reset).
     */
    Exchange upload(String method, String path, HttpFields fields, byte[] body, long contentLength) throws Exception {
        return upload(method, path, fields, body, contentLength, Long.MAX_VALUE, null);
    }

    /** As above, running {@code onSent} once the client has sent {@code sentBytes} of the body. */
    Exchange upload(String method, String path, HttpFields fields, byte[] body, long contentLength, long sentBytes,
            Runnable onSent) throws Exception {
        return exchange(method, path, fields, body, contentLength, true, true, sentBytes, onSent);
    }

    private Exchange exchange(String method, String path, HttpFields fields, byte[] body, long contentLength,
            boolean closeSession, boolean wholeBody) throws Exception {
        return exchange(method, path, fields, body, contentLength, closeSession, wholeBody, Long.MAX_VALUE, null);
    }

    private Exchange exchange(String method, String path, HttpFields fields, byte[] body, long contentLength,
            boolean closeSession, boolean wholeBody, long sentBytes, Runnable onSent) throws Exception {
        CompletableFuture<Integer> goAway = new CompletableFuture<>();
        Session session = client.connect(new InetSocketAddress("127.0.0.1", port), new Session.Listener() {
            @Override
            public void onGoAway(Session session, GoAwayFrame frame) {
                goAway.complete(frame.getError());
            }
        }).get(10, TimeUnit.SECONDS);
        try {
            MetaData.Request request = new MetaData.Request(method, HttpURI.from("http://127.0.0.1:" + port + path),
                    HttpVersion.HTTP_2, fields, contentLength);
            CompletableFuture<Exchange> done = new CompletableFuture<>();
            Listener listener = new Listener(done, goAway, wholeBody && body != null, sentBytes, onSent);
            CompletableFuture<Stream> opened = new CompletableFuture<>();
            session.newStream(new HeadersFrame(request, null, body == null), org.eclipse.jetty.util.Promise.from(opened),
                    listener);
            // A GOAWAY instead of a stream: the connection ended before any response.
            goAway.thenAccept(code -> done.complete(listener.result(-1, code)));
            Stream stream = opened.get(10, TimeUnit.SECONDS);
            if (body != null) {
                sendBody(stream, ByteBuffer.wrap(body), wholeBody ? null : done, listener);
            }
            return done.get(20, TimeUnit.SECONDS);
        } finally {
            if (closeSession) {
                session.close(0, "done", Callback.NOOP);
            }
        }
    }

    /**
     * Sends the body frame by frame, stopping once the stream is reset or, unless {@code done} is null,
     * once the exchange is done (the server refused the rest).
     */
    private static void sendBody(Stream stream, ByteBuffer body, CompletableFuture<Exchange> done, Listener listener) {
        if (done != null && done.isDone() || stream.isReset()) {
            return;
        }
        int size = Math.min(16 * 1024, body.remaining());
        ByteBuffer frame = body.slice(body.position(), size);
        body.position(body.position() + size);
        boolean last = !body.hasRemaining();
        stream.data(new DataFrame(stream.getId(), frame, last), Callback.from(() -> {
            listener.sent(size, last);
            if (!last) {
                sendBody(stream, body, done, listener);
            }
        }, failure -> { }));
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }

    private static final class Listener implements Stream.Listener {
        private final CompletableFuture<Exchange> done;
        private final CompletableFuture<Integer> goAway;
        private final ByteArrayOutputStream content = new ByteArrayOutputStream();
        private final AtomicLong sent = new AtomicLong();
        /** The response and the body to send: the exchange ends when both are done (and no reset came). */
        private final AtomicInteger toFinish;
        private final boolean wholeBody;
        private final long hookAt;
        private final Runnable hook;
        private volatile int status;

        Listener(CompletableFuture<Exchange> done, CompletableFuture<Integer> goAway, boolean wholeBody, long hookAt,
                Runnable hook) {
            this.hookAt = hookAt;
            this.hook = hook;
            this.done = done;
            this.goAway = goAway;
            this.wholeBody = wholeBody;
            this.toFinish = new AtomicInteger(wholeBody ? 2 : 1);
        }

        Exchange result(int reset, int goAwayCode) {
            synchronized (content) {
                return new Exchange(status, content.toString(java.nio.charset.StandardCharsets.UTF_8), reset, goAwayCode,
                        sent.get());
            }
        }

        void sent(int bytes, boolean last) {
            long total = sent.addAndGet(bytes);
            if (hook != null && total >= hookAt && total - bytes < hookAt) {
                hook.run();
            }
            if (last && wholeBody) {
                finished();
            }
        }

        /** One of the response and the body is done; after both, a reset may still follow (RFC 9113, 8.1). */
        private void finished() {
            if (toFinish.decrementAndGet() == 0) {
                done.completeOnTimeout(result(-1, goAway.getNow(-1)), 200, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onHeaders(Stream stream, HeadersFrame frame) {
            if (frame.getMetaData() instanceof MetaData.Response response) {
                status = response.getStatus();
            }
            if (frame.isEndStream()) {
                if (wholeBody) {
                    finished();
                } else {
                    done.complete(result(-1, goAway.getNow(-1)));
                }
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
            ByteBuffer bytes = data.frame().getByteBuffer();
            synchronized (content) {
                while (bytes.hasRemaining()) {
                    content.write(bytes.get());
                }
            }
            boolean last = data.frame().isEndStream();
            data.release();
            if (last) {
                // A reset may follow the end of the response (RFC 9113, 8.1): give it a moment to arrive.
                finished();
            } else {
                stream.demand();
            }
        }

        @Override
        public void onReset(Stream stream, ResetFrame frame, Callback callback) {
            done.complete(result(frame.getError(), goAway.getNow(-1)));
            callback.succeeded();
        }
    }

    static HttpFields.Mutable fields(Map<String, String> headers) {
        HttpFields.Mutable fields = HttpFields.build();
        headers.forEach(fields::put);
        return fields;
    }
}
