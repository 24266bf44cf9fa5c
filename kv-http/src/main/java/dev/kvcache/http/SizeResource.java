package dev.kvcache.http;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /size}: the entry count in decimal, without a newline, as the Go server's
 * {@code fmt.Fprintf(w, "%d", size)}. Statuses: 200 for {@code GET}, {@code HEAD} and {@code POST}
 * (the Go server's method); 405 (with {@code Allow}) for others. A body is read and ignored, up to the
 * value limit ({@link IgnoredBody}), so the connection stays open; a larger one closes it.
 */
final class SizeResource implements Resource {
    private final KeyStore store;
    private final long maxBodyBytes;

    /** @param maxBodyBytes the largest body read and ignored; a larger one closes the connection */
    SizeResource(KeyStore store, long maxBodyBytes) {
        this.store = store;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void serve(Request request, Response response, Callback callback, Method method, String path) {
        if (!method.isRead() && method != Method.POST) {
            Replies.methodNotAllowed(response, callback, "GET, HEAD, POST", Replies.SIZE_METHODS);
            return;
        }
        if (method == Method.POST) {
            IgnoredBody.thenAnswer(request, response, maxBodyBytes, () -> count(response, callback, true));
        } else {
            count(response, callback, method != Method.HEAD);
        }
    }

    private void count(Response response, Callback callback, boolean withBody) {
        byte[] body = Long.toString(store.size()).getBytes(StandardCharsets.US_ASCII);
        Replies.bytes(response, callback, HttpStatus.OK_200, Replies.TEXT_PLAIN, body, withBody);
    }
}
