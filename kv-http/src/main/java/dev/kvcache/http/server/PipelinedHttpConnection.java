package dev.kvcache.http.server;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Jetty's HTTP/1.1 connection, writing through a {@link PipelinedEndPoint} and telling it when the
 * processing of what was read returns, so that nothing stays held after it.
 *
 * <p>{@code onFillable} is the one way into request processing: Jetty calls it when bytes arrive, and
 * again (directly, or through {@link #run}) when a response that a handler finished on another thread
 * lets the connection go on to the next request. Jetty marks the thread running it as this connection's
 * ({@link HttpConnection#getCurrentConnection()}), which is how the endpoint tells the connection's own
 * writes from a handler's on another thread.
 */
final class PipelinedHttpConnection extends HttpConnection {
    private final PipelinedEndPoint endPoint;

    PipelinedHttpConnection(HttpConfiguration configuration, Connector connector, PipelinedEndPoint endPoint) {
        super(configuration, connector, endPoint);
        this.endPoint = endPoint;
        endPoint.attach(this);
    }

    @Override
    public void onFillable() {
        try {
            super.onFillable();
        } finally {
            endPoint.processed();
        }
    }
}
