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
 * Keeps {@code content-length} off an HTTP/2 204. RFC 9110 8.6: a server must not send a Content-Length
 * in a 204 (No Content) response. Jetty 12.1.14's response puts a {@code Content-Length: 0} field in a
 * response it completes without content, whatever its status; its HTTP/1.1 generator leaves that field
 * off a 204, its HTTP/2 encoder does not. This customizer wraps each HTTP/2 request's stream and hands a
 * 204's headers on without the field; nothing else changes (a 304 keeps the {@code Content-Length} the
 * handler gave it, the value's, as RFC 9110 8.6 allows).
 */
final class Http2NoContent implements HttpConfiguration.Customizer {
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
