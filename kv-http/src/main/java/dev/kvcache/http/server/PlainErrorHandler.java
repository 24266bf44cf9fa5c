package dev.kvcache.http.server;

import dev.kvcache.http.KvHandler;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import java.util.function.ObjIntConsumer;

/**
 * The standalone server's answer to the errors Jetty raises itself, before {@link KvHandler} sees a
 * request: a malformed request line (400), an unsupported HTTP version (505), invalid percent-encoding
 * (400), headers over the limit (431), conflicting {@code Content-Length}s (400), and 500 when a
 * handler throws. Jetty's default is an HTML page that echoes the URI; this answers as the handler's
 * own errors do, in Go's {@code http.Error} format: plain text, Jetty's short reason and a newline
 * ({@code Bad UTF-8 encoding}, {@code Request Header Fields Too Large}).
 *
 * <p>The reason is capped and stripped of control characters, since some of Jetty's reasons quote
 * the offending input. A 500 says only {@code Server Error}: an exception's message is for the log.
 */
final class PlainErrorHandler extends ErrorHandler {
    private static final int MAX_REASON_CHARS = 200;

    private final ObjIntConsumer<String> refusals;

    /**
     * @param refusals told the method and status of each error answered here, so that requests Jetty
     *     refused before the handler (400, 414, 431, 505, and the 503 of a stopping server) are counted;
     *     not told of a 500, which the handler counts itself when it is the one that failed
     */
    PlainErrorHandler(ObjIntConsumer<String> refusals) {
        this.refusals = java.util.Objects.requireNonNull(refusals, "refusals");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int status = response.getStatus();
        if (status != HttpStatus.INTERNAL_SERVER_ERROR_500) {
            refusals.accept(request.getMethod(), status);
        }
        return super.handle(request, response, callback);
    }

    /** Every method gets its reason; Jetty's default leaves the body empty for PUT, DELETE and others. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        byte[] body = PlainText.message(reason(code, message));
        response.getHeaders().put(PlainText.TEXT_PLAIN);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        // Jetty drops the body of an answer to HEAD (HostileInputTest checks it).
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    static String reason(int code, String message) {
        if (message == null || message.isBlank() || code == HttpStatus.INTERNAL_SERVER_ERROR_500) {
            String standard = HttpStatus.getMessage(code);
            return standard == null ? "Error " + code : standard;
        }
        StringBuilder reason = new StringBuilder(Math.min(message.length(), MAX_REASON_CHARS));
        for (int i = 0; i < message.length() && reason.length() < MAX_REASON_CHARS; i++) {
            char c = message.charAt(i);
            reason.append(Character.isISOControl(c) ? ' ' : c);
        }
        return reason.toString().strip();
    }
}
