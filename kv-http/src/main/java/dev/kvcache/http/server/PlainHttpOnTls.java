package dev.kvcache.http.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SslConnectionFactory;

/**
 * The first factory of the TLS connector: hands a connection that opens with a TLS record to TLS,
 * and answers one that opens with anything else (plain HTTP, say {@code curl http://} on the HTTPS
 * port) with {@code 400 This port expects TLS; use https://HOST:PORT/.} and closes it, instead of
 * the TLS alert that curl shows as "Received HTTP/0.9".
 *
 * <p>The plain connection is parsed as HTTP/1.1 (so the answer is a proper response, in the
 * server's plain-text error format) with a configuration whose one customizer refuses every request
 * before any handler sees it, without persistent connections and without a header cache.
 */
final class PlainHttpOnTls extends DetectorConnectionFactory {
    private final HttpConnectionFactory plain;

    /**
     * @param tls the connector's TLS factory, which detects TLS records
     * @param http the configuration to parse plain HTTP with (its limits apply)
     */
    PlainHttpOnTls(SslConnectionFactory tls, HttpConfiguration http) {
        super(tls);
        HttpConfiguration refusing = new HttpConfiguration(http);
        refusing.setPersistentConnectionsEnabled(false);
        // One request, refused: no header cache, nor a place in HeaderCacheBudget's count, which these
        // connections would pass (at most 64 HTTP/1.1 connections at once keep one).
        refusing.setHeaderCacheSize(0);
        refusing.addCustomizer(PlainHttpOnTls::refuse);
        plain = new HttpConnectionFactory(refusing);
        installBean(plain);
    }

    @Override
    protected void nextProtocol(Connector connector, EndPoint endPoint, ByteBuffer buffer) {
        upgradeToConnectionFactory(plain, connector, endPoint);
    }

    private static Request refuse(Request request, HttpFields.Mutable responseHeaders) {
        throw new HttpException.RuntimeException(HttpStatus.BAD_REQUEST_400,
                "This port expects TLS; use https://" + authority(request) + "/.");
    }

    /** The name the client used (its {@code Host}, else the local address) and the port it reached. */
    static String authority(Request request) {
        String host = Request.getServerName(request);
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return host + ":" + Request.getLocalPort(request);
    }
}
