package dev.kvcache.http.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

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
    protected HttpStreamOverHTTP1 newHttpStream(String method, String uri, HttpVersion version) {
        return new Stream(method, uri, version);
    }

    /**
     * Jetty's stream, telling the endpoint when the answer is the 101 of an {@code Upgrade: h2c}: Jetty
     * writes it and upgrades at once, without waiting for the write, then resets the generator; a 101
     * still on the wire then (behind held answers, for a client that reads slowly) completed into the
     * reset generator, which wrote another 101 into the HTTP/2 stream. So it is held, and reported
     * written, at once; the HTTP/2 connection's first write takes it to the socket.
     */
    private final class Stream extends HttpStreamOverHTTP1 {
        Stream(String method, String uri, HttpVersion version) {
            super(method, uri, version);
        }

        @Override
        public void send(MetaData.Request request, MetaData.Response response, boolean last, ByteBuffer content,
                Callback callback) {
            if (response != null && response.getStatus() == HttpStatus.SWITCHING_PROTOCOLS_101) {
                endPoint.holdNextWrite();
            }
            super.send(request, response, last, content, callback);
        }
    }

    /** @return whether answers are held back, not yet handed to the socket */
    boolean holding() {
        return endPoint.holding();
    }

    /** Sends the held answers now (or right after the write on the wire). */
    void sendHeld() {
        endPoint.sendHeld();
    }

    @Override
    public void onFillable() {
        try {
            super.onFillable();
        } finally {
            endPoint.sendHeld();
        }
    }
}
