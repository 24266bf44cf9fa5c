package dev.kvcache.http.server;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;

/**
 * Ends an HTTP/2 stream whose request body was left unread with {@code RST_STREAM(NO_ERROR)}, not
 * {@code CANCEL}, so that the client keeps the response it already has.
 *
 * <p>When a response completes before the request body was read (413 from the {@code Content-Length},
 * 401, 400, 503 while draining), the server must tell an HTTP/2 client to stop sending; RFC 9113, 8.1,
 * says to do it with {@code NO_ERROR} after the complete response, which the client must not treat as
 * a failure. Jetty 12.1.14 means to (it picks {@code NO_ERROR} for {@link HttpStream#CONTENT_NOT_CONSUMED}),
 * but hands the stream that failure wrapped in another exception, so it always resets with
 * {@code CANCEL}; a client still sending then may drop the response as failed (curl did, in about one
 * try in six, printing no status at all). This customizer wraps each HTTP/2 request's stream and
 * passes the unwrapped failure on.
 */
final class Http2UnreadBody implements HttpConfiguration.Customizer {
    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        request.addHttpStreamWrapper(Stream::new);
        return request;
    }

    private static final class Stream extends HttpStream.Wrapper {
        Stream(HttpStream wrapped) {
            super(wrapped);
        }

        @Override
        public void failed(Throwable failure) {
            super.failed(onlyUnconsumed(failure) ? HttpStream.CONTENT_NOT_CONSUMED : failure);
        }

        /** Whether the only failure is the body left unread, as such or wrapped once. */
        private static boolean onlyUnconsumed(Throwable failure) {
            return failure == HttpStream.CONTENT_NOT_CONSUMED
                    || failure.getCause() == HttpStream.CONTENT_NOT_CONSUMED && failure.getSuppressed().length == 0;
        }
    }
}
