package dev.kvcache.http;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /size}: the entry count in decimal, without a newline, as the Go server's
 * {@code fmt.Fprintf(w, "%d", size)}. Statuses: 200 for {@code GET}, {@code HEAD} and {@code POST}
 * (the Go server's method); 405 (with {@code Allow}) for others.
 */
final class SizeResource implements Resource {
    private final KeyStore store;

    SizeResource(KeyStore store) {
        this.store = store;
    }

    @Override
    public void serve(Request request, Response response, Callback callback, Method method, String path) {
        if (!method.isRead() && method != Method.POST) {
            Replies.methodNotAllowed(response, callback, "GET, HEAD, POST", Replies.SIZE_METHODS);
            return;
        }
        byte[] body = Long.toString(store.size()).getBytes(StandardCharsets.US_ASCII);
        Replies.bytes(response, callback, HttpStatus.OK_200, Replies.TEXT_PLAIN, body, method != Method.HEAD);
    }
}
