package dev.kvcache.http.server;

import dev.kvcache.core.Ticker;
import dev.kvcache.http.BodyDiscarder;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * After an HTTP/2 response that left the request body unread (413, 401, 400, 503), reads and discards
 * the rest of the body, within a bound, before the request completes, so that the stream ends
 * normally instead of with {@code RST_STREAM}.
 *
 * <p>Why: once such an exchange completes, Jetty resets the stream to stop the upload
 * ({@code NO_ERROR}, see {@link Http2Conformance}), as RFC 9113, 8.1 allows. But curl before the fix of
 * its issue 22984 (7.88.1, for one) discards a response it already has when the stream is reset while
 * it is still uploading, and exits 92 instead of reporting the status. Letting the client finish its
 * upload, the response being already sent, gives it the response.
 *
 * <p>Bounds, so that it cannot be used to hold the server: a request declaring a {@code Content-Length}
 * over {@code capBytes} is not drained (its stream is reset at once, as before); one without is drained
 * up to {@code capBytes} (plus the chunk that crosses it, at most one DATA frame) and then reset. The
 * drain also stops at the first chunk that arrives {@code windowNanos} after the response (by the
 * server's ticker); a client that then sends nothing at all is ended by the idle timeout. It holds no
 * thread and buffers nothing ({@link BodyDiscarder}). What it reads, the client sent: no amplification.
 *
 * <p>A request with {@code Expect: 100-continue} is not drained either (see {@link #expectsContinue}): a
 * client waiting for the 100 has sent nothing, and its stream is reset at once, as before.
 *
 * <p>HTTP/1.1 requests pass through untouched: there the server says {@code Connection: close} and
 * clients (curl included) keep the response.
 *
 * <p>Not a handler of its own: {@link InFlightHandler}, the server's outermost handler, wraps each
 * request's callback through {@link #wrap}, so that the request path has one handler level fewer (each
 * level is one more method C2 compiles as a root in the server's first seconds under load). The drain
 * wraps the callback Jetty gave, outside the in-flight count's, as when it was the outer handler: the
 * refusals of every handler inside (503 once stopping, 401, 413, ...) are drained.
 */
final class Http2BodyDrain {
    /** The smallest cap: large enough for the bodies clients commonly send in one request. */
    static final long MIN_CAP_BYTES = 8L << 20;

    private final long capBytes;
    private final long windowNanos;
    private final Ticker ticker;
    private final LongAdder drainedBytes = new LongAdder();

    /**
     * @param capBytes the most a request's body may be drained by (see the class comment)
     * @param windowNanos how long after the response the drain may go on
     * @param ticker the clock the window is measured by
     */
    Http2BodyDrain(long capBytes, long windowNanos, Ticker ticker) {
        this.capBytes = capBytes;
        this.windowNanos = windowNanos;
        this.ticker = ticker;
    }

    /** @return the cap for a server whose values are limited to {@code maxValueBytes} */
    static long capFor(long maxValueBytes) {
        // Twice the limit: a value somewhat over the limit is the refusal clients meet most.
        return Math.max(MIN_CAP_BYTES, 2 * maxValueBytes);
    }

    /** @return the request body bytes read and discarded so far, over all requests */
    long drainedBytes() {
        return drainedBytes.sum();
    }

    /**
     * @return the callback to hand on for {@code request}: {@code callback} itself for HTTP/1.1 or a
     *     request without a body, otherwise one that drains the body after the response, then completes
     *     {@code callback} exactly once
     */
    Callback wrap(Request request, Response response, Callback callback) {
        // Nothing to drain for HTTP/1.1, or for a request without a body. Nor for an HTTP/2 CONNECT: its
        // stream is a tunnel, not a body (RFC 9113 8.5), and Jetty answered every demand on it at once, so a
        // drain spun on a server thread and held up the stop for good.
        if (request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_2 || request.getLength() == 0
                || HttpMethod.CONNECT.is(request.getMethod())) {
            return callback;
        }
        return new Drain(request, response, callback);
    }

    /**
     * Whether the client waits for a 100 Continue before it sends the body (RFC 9110 10.1.1). Such a body
     * is not drained: reading it would make Jetty send the 100 after the final response (a 1xx after the
     * final status, which RFC 9113 8.1 does not allow) and invite the upload the response refused.
     */
    private static boolean expectsContinue(Request request) {
        return request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString());
    }

    /**
     * The callback handed on in place of Jetty's; on success, drains, then completes the request's own
     * callback exactly once.
     */
    private final class Drain extends BodyDiscarder implements Callback {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private long deadlineNanos;

        Drain(Request request, Response response, Callback callback) {
            super(request, capBytes);
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        @Override
        public void succeeded() {
            if (request.getLength() > capBytes || expectsContinue(request)) {
                callback.succeeded();
            } else if (!response.isCommitted()) {
                // Send the response first: the client is to have it while it finishes uploading.
                response.write(true, null, Callback.from(this::start, callback::failed));
            } else {
                start();
            }
        }

        @Override
        public void failed(Throwable failure) {
            callback.failed(failure);
        }

        private void start() {
            deadlineNanos = ticker.read() + windowNanos;
            run();
        }

        @Override
        protected boolean onDiscarded(int bytes) {
            drainedBytes.add(bytes);
            return ticker.read() - deadlineNanos <= 0;
        }

        @Override
        protected void onEnd(boolean wholeBody) {
            // On a read failure the client went away or the idle timeout struck: Jetty ends the stream as it
            // sees fit. Past the cap or the window, Jetty resets the stream (NO_ERROR, Http2Conformance).
            callback.succeeded();
        }
    }
}
