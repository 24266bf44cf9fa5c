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
    /**
     * {@link System#nanoTime()} at the handler's first start, {@code createdNanos} until then: {@code uptimeMillis}
     * counts the time it has served, not the time a server spent before it opened its port (a snapshot's
     * restore, the standalone server's {@code --warm-up} of up to 10 s).
     */
    private volatile long startedNanos = createdNanos;
    private volatile boolean started;

    StatsResource(KeyStore store, KvHandlerOptions options, BooleanSupplier draining) {
        this.store = store;
        this.options = options;
        this.draining = draining;
    }

    /** The handler starts: its uptime counts from its first start on (a restart does not reset it). */
    void started() {
        if (!started) {
            started = true;
            startedNanos = System.nanoTime();
        }
    }

    @Override
    public void serve(Request request, Response response, Callback callback, Method method, String path) {
        if (!method.isRead()) {
            Replies.readMethodsOnly(response, callback);
            return;
        }
        long uptimeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        byte[] body = StatsJson.render(store, options, uptimeMillis, draining.getAsBoolean());
        Replies.bytes(response, callback, HttpStatus.OK_200, Replies.JSON, body, method == Method.GET);
    }
}
