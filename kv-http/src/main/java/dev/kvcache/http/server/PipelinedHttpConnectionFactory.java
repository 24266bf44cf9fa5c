package dev.kvcache.http.server;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Jetty's HTTP/1.1 connection factory, making {@link PipelinedHttpConnection}s: the answers to requests
 * a client pipelined go out together, one write per batch rather than one per response
 * ({@code --pipeline-batch}). Either way, its connections share a {@link HeaderCacheBudget}.
 */
final class PipelinedHttpConnectionFactory extends HttpConnectionFactory {
    private final int batchBytes;
    private final HeaderCacheBudget headerCaches;

    /**
     * @param batchBytes the most bytes of answers held back for the rest of their batch; 0 for none
     *     (then this is Jetty's own factory)
     */
    PipelinedHttpConnectionFactory(HttpConfiguration http, int batchBytes) {
        this(http, batchBytes, new HeaderCacheBudget(HeaderCacheBudget.CONNECTIONS));
    }

    PipelinedHttpConnectionFactory(HttpConfiguration http, int batchBytes, HeaderCacheBudget headerCaches) {
        super(http);
        this.batchBytes = batchBytes;
        this.headerCaches = headerCaches;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        if (batchBytes == 0) {
            return headerCaches.assign((HttpConnection) super.newConnection(connector, endPoint));
        }
        PipelinedHttpConnection connection = new PipelinedHttpConnection(getHttpConfiguration(), connector,
                new PipelinedEndPoint(endPoint, connector.getByteBufferPool(), batchBytes));
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(headerCaches.assign(connection), connector, endPoint);
    }
}
