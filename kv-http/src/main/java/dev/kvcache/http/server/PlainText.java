package dev.kvcache.http.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The server's own answers (401, Jetty's errors) in the format of the handler's errors, so that a client
 * cannot tell which layer refused it: Go's {@code http.Error} body (the message and a newline, plain
 * text), {@code X-Content-Type-Options: nosniff}, {@code Cache-Control: no-store}, and
 * {@code Connection: close} when a request body is left unread.
 */
final class PlainText {
    static final HttpField TEXT_PLAIN = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    private static final HttpField NOSNIFF = new PreEncodedHttpField("X-Content-Type-Options", "nosniff");
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");
    private static final HttpField CONNECTION_CLOSE = new PreEncodedHttpField(HttpHeader.CONNECTION, "close");

    private PlainText() {}

    /** @return {@code text} and a newline, UTF-8 */
    static byte[] message(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Answers {@code status} with {@code body}, completing the callback. */
    static void send(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(TEXT_PLAIN);
        headers.put(NOSNIFF);
        headers.put(NO_STORE);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * Marks the response {@code Connection: close} if the request has a body that will not be read:
     * the unread bytes stand between this request and the next, so Jetty cannot reuse the connection.
     */
    static void closeIfBodyUnread(Request request, Response response) {
        if (request.getLength() > 0 || request.getHeaders().getField(HttpHeader.TRANSFER_ENCODING) != null) {
            response.getHeaders().put(CONNECTION_CLOSE);
        }
    }
}
