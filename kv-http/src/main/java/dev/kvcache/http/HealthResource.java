package dev.kvcache.http;

import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /health}: whether the handler is serving. Statuses: 200 {@code ok} while serving, 503
 * {@code draining} once shutdown began, for {@code GET} and {@code HEAD}; 405 (with {@code Allow})
 * for others.
 */
final class HealthResource implements Resource {
    private final BooleanSupplier draining;

    HealthResource(BooleanSupplier draining) {
        this.draining = draining;
    }

    @Override
    public void serve(Request request, Response response, Callback callback, Method method, String path) {
        if (!method.isRead()) {
            Replies.readMethodsOnly(response, callback);
            return;
        }
        boolean drained = draining.getAsBoolean();
        Replies.bytes(response, callback, drained ? HttpStatus.SERVICE_UNAVAILABLE_503 : HttpStatus.OK_200,
                Replies.TEXT_PLAIN, drained ? Replies.DRAINING : Replies.HEALTHY, method == Method.GET);
    }
}
