package dev.kvcache.http;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /stats}: counters and configuration as JSON ({@link StatsJson}). Statuses: 200 for
 * {@code GET} and {@code HEAD}; 405 (with {@code Allow}) for others.
 */
final class StatsResource implements Resource {
    private final KeyStore store;
    private final KvHandlerOptions options;
    private final BooleanSupplier draining;
    private final long createdNanos = System.nanoTime();

    StatsResource(KeyStore store, KvHandlerOptions options, BooleanSupplier draining) {
        this.store = store;
        this.options = options;
        this.draining = draining;
    }

    @Override
    public void serve(Request request, Response response, Callback callback, Method method, String path) {
        if (!method.isRead()) {
            Replies.readMethodsOnly(response, callback);
            return;
        }
        long uptimeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createdNanos);
        byte[] body = StatsJson.render(store, options, uptimeMillis, draining.getAsBoolean());
        Replies.bytes(response, callback, HttpStatus.OK_200, Replies.JSON, body, method == Method.GET);
    }
}
