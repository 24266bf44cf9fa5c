package dev.kvcache.http.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * Makes each HTTP/2 stream follow RFC 9110 and RFC 9113 where Jetty 12.1.14 does not; one stream wrapper per
 * request does both:
 * <ul>
 *   <li><b>A refused body ends its stream with {@code RST_STREAM(NO_ERROR)}, not {@code CANCEL}</b>, so
 *       that the client keeps the response it already has. When a response completes before the request
 *       body was read (413 from the {@code Content-Length}, 401, 400, 503 while draining), the server must
 *       tell the client to stop sending; RFC 9113, 8.1, says to do it with {@code NO_ERROR} after the
 *       complete response, which the client must not treat as a failure. Jetty means to (it picks
 *       {@code NO_ERROR} for {@link HttpStream#CONTENT_NOT_CONSUMED}), but hands the stream that failure
 *       wrapped in another exception, so it always resets with {@code CANCEL}; a client still sending then
 *       may drop the response as failed (curl did, in about one try in six, printing no status at all).
 *       The wrapper passes the unwrapped failure on.
 *   <li><b>A 204 has no {@code content-length}</b> (RFC 9110 8.6: a server must not send one in a 204).
 *       Jetty's response puts {@code Content-Length: 0} in a response it completes without content,
 *       whatever its status; its HTTP/1.1 generator leaves that field off a 204, its HTTP/2 encoder does
 *       not. The wrapper hands a 204's headers on without it; a 304 keeps the {@code Content-Length} the
 *       handler gave it, the value's, as RFC 9110 8.6 allows.
 * </ul>
 */
final class Http2Conformance implements HttpConfiguration.Customizer {
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
        public void send(MetaData.Request request, MetaData.Response response, boolean last, ByteBuffer content,
                Callback callback) {
            super.send(request, withoutLength(response), last, content, callback);
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

        private static MetaData.Response withoutLength(MetaData.Response response) {
            if (response == null || response.getStatus() != HttpStatus.NO_CONTENT_204
                    || !response.getHttpFields().contains(HttpHeader.CONTENT_LENGTH)) {
                return response;
            }
            return new MetaData.Response(response.getStatus(), response.getReason(), response.getHttpVersion(),
                    HttpFields.build(response.getHttpFields()).remove(HttpHeader.CONTENT_LENGTH), -1,
                    response.getTrailersSupplier());
        }
    }
}
