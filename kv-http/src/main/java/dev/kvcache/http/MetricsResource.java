package dev.kvcache.http;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /metrics}: the Prometheus text exposition of {@link Metrics}. Statuses: 200 for {@code GET}
 * and {@code HEAD}; 405 (with {@code Allow}) for others.
 */
final class MetricsResource implements Resource {
    private final Metrics metrics;
    private final KeyStore store;

    MetricsResource(Metrics metrics, KeyStore store) {
        this.metrics = metrics;
        this.store = store;
    }

    @Override
    public void serve(Request request, Response response, Callback callback, Method method, String path) {
        if (!method.isRead()) {
            Replies.readMethodsOnly(response, callback);
            return;
        }
        byte[] body = metrics.render(store.size(), store.payloadBytes(), store.stats());
        Replies.bytes(response, callback, HttpStatus.OK_200, Replies.PROMETHEUS, body, method == Method.GET);
    }
}
