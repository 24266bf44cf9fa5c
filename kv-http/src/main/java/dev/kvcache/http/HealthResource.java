package dev.kvcache.http;

import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /health}: whether the handler is serving. Statuses: 200 {@code ok} while serving, 503
 * {@code draining} once shutdown began, 503 {@code degraded: heap N% full after the last collection
 * (used of max)} while the heap is under pressure ({@link HeapMonitor}), for {@code GET} and
 * {@code HEAD}; 405 (with {@code Allow}) for others.
 */
final class HealthResource implements Resource {
    private final BooleanSupplier draining;
    private final HeapMonitor heap;

    HealthResource(BooleanSupplier draining, HeapMonitor heap) {
        this.draining = draining;
        this.heap = heap;
    }

    @Override
    public void serve(Request request, Response response, Callback callback, Method method, String path) {
        if (!method.isRead()) {
            Replies.readMethodsOnly(response, callback);
            return;
        }
        boolean drained = draining.getAsBoolean();
        byte[] pressure = drained ? null : heap.pressure();
        int status = drained || pressure != null ? HttpStatus.SERVICE_UNAVAILABLE_503 : HttpStatus.OK_200;
        byte[] body = drained ? Replies.DRAINING : pressure != null ? pressure : Replies.HEALTHY;
        Replies.bytes(response, callback, status, Replies.TEXT_PLAIN, body, method == Method.GET);
    }
}
