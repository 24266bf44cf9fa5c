package dev.kvcache.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A plain Jetty {@link Server} on an ephemeral port of 127.0.0.1 around one handler, as an
 * application that embeds {@link KvHandler} would run it, and an HTTP/1.1 client to drive it.
 * Closing stops the server, and with it the handler. For the standalone server use
 * {@code dev.kvcache.http.server.TestServer}.
 */
public final class HandlerServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Server server;
    private final int port;

    private HandlerServer(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts a server whose only handler is {@code handler}. */
    public static HandlerServer start(Handler handler) throws Exception {
        return start(handler, new HttpConfiguration());
    }

    /** As {@link #start(Handler)}, with the HTTP/1.1 connector configured by {@code http}. */
    public static HandlerServer start(Handler handler, HttpConfiguration http) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        return new HandlerServer(server, connector.getLocalPort());
    }

    public int port() {
        return port;
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    /**
     * Sends one request and waits for its answer.
     *
     * @param body the request body, or {@code null} for none
     * @param headers alternating names and values
     */
    public HttpResponse<String> send(String method, String pathAndQuery, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return send("GET", pathAndQuery, null);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
