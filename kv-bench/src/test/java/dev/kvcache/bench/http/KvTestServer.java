package dev.kvcache.bench.http;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty server on an ephemeral port of 127.0.0.1 serving a {@link KvHandler} through its public
 * API, and an HTTP/1.1 client to drive it. {@link #reset} swaps in a fresh handler with a fresh
 * {@link FakeTicker} (an empty cache, a clock at its start), so each example of a property starts from
 * the same state without the cost of a new server.
 */
final class KvTestServer implements AutoCloseable {
    static final Duration DEFAULT_TTL = Duration.ofMillis(1_000);
    static final int MAX_KEY_BYTES = 250;
    static final int MAX_VALUE_BYTES = 4_096;

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final Handler.Wrapper slot = new Handler.Wrapper(true);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private FakeTicker ticker;

    KvTestServer() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(slot);
        reset();
        server.start();
    }

    /** Replaces the handler by a new one (empty cache, new clock); returns the new clock. */
    FakeTicker reset() {
        ticker = new FakeTicker();
        slot.setHandler(new KvHandler(KvHandlerOptions.builder().defaultTtl(DEFAULT_TTL)
                .maxKeyBytes(MAX_KEY_BYTES).maxValueBytes(MAX_VALUE_BYTES).ticker(ticker).build()));
        return ticker;
    }

    FakeTicker ticker() {
        return ticker;
    }

    /** @param rawPathAndQuery already percent-encoded, sent as is */
    HttpRequest.Builder request(String rawPathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + rawPathAndQuery))
                .timeout(Duration.ofSeconds(10));
    }

    HttpResponse<byte[]> send(HttpRequest request) {
        return send(client, request);
    }

    /**
     * Sends on a connection of its own, for requests Jetty refuses before the handler runs: after some of
     * those the connection does not stay usable, and a pooled one could fail the next request.
     */
    HttpResponse<byte[]> sendAlone(HttpRequest request) {
        return send(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build(), request);
    }

    private static HttpResponse<byte[]> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
