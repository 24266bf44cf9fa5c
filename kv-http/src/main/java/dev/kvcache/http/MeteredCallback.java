package dev.kvcache.http;

import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The callback a resource completes for one request: it records the request in {@link Metrics} (its
 * method, the status the response carries, its duration) and then completes Jetty's callback. This is
 * the one place where a request is counted, whichever resource answered it and on whichever thread
 * (a write completes on a demand callback, after its body arrived).
 */
final class MeteredCallback implements Callback {
    private final Callback callback;
    private final Response response;
    private final Metrics metrics;
    private final Method method;
    private final long startNanos;

    /** Counts the request in flight from now until the callback completes. */
    MeteredCallback(Callback callback, Response response, Metrics metrics, Method method, long startNanos) {
        this.callback = callback;
        this.response = response;
        this.metrics = metrics;
        this.method = method;
        this.startNanos = startNanos;
        metrics.started();
    }

    @Override
    public void succeeded() {
        record(response.getStatus());
        callback.succeeded();
    }

    @Override
    public void failed(Throwable failure) {
        // The response could not be written (the client is likely gone); it is counted as answered.
        record(response.getStatus());
        callback.failed(failure);
    }

    /**
     * Counts the request without completing the callback: for a handler that throws, which Jetty then
     * answers (500) through its own callback.
     */
    void record(int status) {
        metrics.finished(method, status, startNanos);
    }

    @Override
    public InvocationType getInvocationType() {
        return callback.getInvocationType();
    }
}
