package dev.kvcache.http.server;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Builds the standalone server's listening connector, for one of two protocol stacks:
 * <ul>
 *   <li>cleartext: HTTP/1.1, and HTTP/2 for clients that ask for it, either with prior knowledge (the
 *       connection opens with the HTTP/2 preface) or with {@code Upgrade: h2c} on an HTTP/1.1 request;
 *   <li>TLS, from a PKCS12 keystore: HTTP/2 ({@code h2}) or HTTP/1.1 as the client chooses by ALPN,
 *       HTTP/1.1 for clients without ALPN; plain HTTP on that port gets a 400 saying to use https
 *       ({@link PlainHttpOnTls}). ALPN is the JDK's own (jetty-alpn-java-server, found by
 *       {@link java.util.ServiceLoader}).
 * </ul>
 * Both protocols start from one {@link HttpConfiguration}, so the limits and answers are the same
 * under each; HTTP/2 adds what it needs for that ({@link #http2}).
 */
final class Connectors {
    /**
     * Jetty's default URI compliance, plus the encodings that keys need (docs/http.md "Keys and reserved
     * names"): {@code %25} ('%'), {@code %2F} ('/' inside a segment) and {@code %5C} or control characters.
     * Jetty refuses them for handlers that decode the path a second time, split the decoded path on '/' or
     * map it to files; {@link dev.kvcache.http.KvHandler} routes on the still-encoded path, on which none of them is a
     * separator, decodes the key from it exactly once, and maps nothing to files. Encoded dot segments,
     * empty segments, {@code ..;}, {@code %u} escapes and bad UTF-8 stay refused.
     *
     * <p>Here rather than in {@link KvServer}: {@link UriCompliance}'s static logger would start SLF4J
     * when KvServer loads, before {@code main} has configured slf4j-simple's format.
     */
    static final UriCompliance URI_COMPLIANCE = UriCompliance.DEFAULT.with("kvcache",
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING, UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS);

    private Connectors() {}

    /**
     * @param acceptors threads accepting connections
     * @param selectors threads selecting on them; 0 for half the processors, at least 1
     * @param pipelineBatch bytes of HTTP/1.1 answers that may wait for the rest of their pipelined batch
     * @return a connector serving HTTP/1.1 and h2c in cleartext
     */
    static ServerConnector cleartext(Server server, HttpConfiguration http, int acceptors, int selectors,
            int pipelineBatch) {
        return new ServerConnector(server, acceptors, selectors(selectors),
                new PipelinedHttpConnectionFactory(http, pipelineBatch),
                Http2SessionGuard.install(new HTTP2CServerConnectionFactory(http2(http))));
    }

    /**
     * @return the configuration for HTTP/2: {@code http}'s, with the HPACK decoder allowed more than the
     *     header limit, so that {@link Http2HeaderLimit} can answer 431 where Jetty would close the
     *     connection, and {@link Http2Conformance} so that a refused body ends its stream without error and
     *     a 204 has no {@code content-length}
     */
    private static HttpConfiguration http2(HttpConfiguration http) {
        HttpConfiguration http2 = new HttpConfiguration(http);
        // Also what Jetty advertises as SETTINGS_MAX_HEADER_LIST_SIZE, so that clients send what
        // is over the limit and get the 431, rather than failing on their own.
        http2.setRequestHeaderSize(Http2HeaderLimit.decoderLimit(http.getRequestHeaderSize()));
        // First, so that a request refused by the next one ends its stream cleanly too.
        http2.addCustomizer(new Http2Conformance());
        http2.addCustomizer(new Http2HeaderLimit(http.getRequestHeaderSize()));
        return http2;
    }

    /**
     * @param acceptors threads accepting connections
     * @param selectors threads selecting on them; 0 for half the processors, at least 1
     * @param keystore the PKCS12 file with the server's key and certificate chain
     * @param password its password, or {@code null} for none
     * @param pipelineBatch bytes of HTTP/1.1 answers that may wait for the rest of their pipelined batch
     * @return a connector serving h2 and HTTP/1.1 over TLS; the keystore is read when the server starts
     */
    static ServerConnector tls(Server server, HttpConfiguration http, int acceptors, int selectors, String keystore,
            String password, int pipelineBatch) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(keystore);
        ssl.setKeyStoreType("PKCS12");
        if (password != null) {
            ssl.setKeyStorePassword(password);
        }
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // One certificate serves every name: a client reaching it by address or by another name than the
        // certificate's has already decided to trust it, so requests are not refused for their Host.
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        HttpConnectionFactory http1 = new PipelinedHttpConnectionFactory(https, pipelineBatch);
        HTTP2ServerConnectionFactory h2 = Http2SessionGuard.install(new HTTP2ServerConnectionFactory(http2(https)));
        // Without a list, ALPN offers the protocols of the factories that follow it on the connector, in
        // order (h2 first), under their ALPN names ("http/1.1", which Jetty's "HTTP/1.1" does not match).
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http1.getProtocol());
        SslConnectionFactory tls = new SslConnectionFactory(ssl, alpn.getProtocol());
        return new ServerConnector(server, acceptors, selectors(selectors), new PlainHttpOnTls(tls, http), alpn, h2,
                http1);
    }

    /** @return {@code configured}, or for 0 half the processors, at least 1 (Jetty's own default, stated) */
    static int selectors(int configured) {
        return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
