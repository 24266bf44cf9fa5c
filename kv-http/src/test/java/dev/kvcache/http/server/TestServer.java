package dev.kvcache.http.server;

import dev.kvcache.core.testing.FakeTicker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real {@link KvServer} on an ephemeral port of 127.0.0.1 with a {@link FakeTicker}, and an HTTP
 * client to drive it.
 */
public final class TestServer implements AutoCloseable {
    public final FakeTicker ticker = new FakeTicker();
    final KvServer server;
    public final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public TestServer(String... flags) throws Exception {
        this(java.time.Clock.systemUTC(), flags);
    }

    /** A server whose snapshots are dated by {@code clock}. */
    public TestServer(java.time.Clock clock, String... flags) throws Exception {
        // 16 threads, and 2 selectors unless a test sets them: the default (half the processors) would not
        // fit in 16 threads beside Jetty's reserve on a machine of 30 or more processors.
        Stream<String> base = java.util.Arrays.asList(flags).contains("--selectors")
                ? Stream.of("--port", "0", "--threads", "16")
                : Stream.of("--port", "0", "--threads", "16", "--selectors", "2");
        // No warm-up unless a test asks for one: its fake ticker never lets the throwaway's entries expire,
        // and a few hundred servers would each start 300 ms later.
        if (!java.util.Arrays.stream(flags).anyMatch(flag -> flag.startsWith("--warm-up"))) {
            base = Stream.concat(base, Stream.of("--warm-up", "0"));
        }
        String[] args = Stream.concat(base, Stream.of(flags)).toArray(String[]::new);
        server = KvServer.start(ServerConfig.parse(args, Map.of()), ticker, clock);
    }

    public int port() {
        return server.port();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) throws IOException, InterruptedException {
        return send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * Sends once, and a second time only for an idempotent request that the JDK client itself lost: its
     * HTTP/1.1 pool can hand a kept-alive connection to the next exchange while the pool's idle watcher still
     * reads it, and the response then goes to the watcher, which closes the connection ("Data received while
     * in pool", JDK-8357639, seen on JDK 25.0.3 in ConcurrencyTest). The server did answer; only methods that
     * may be repeated (RFC 9110 9.2.2) are.
     */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        try {
            return client.send(request, body);
        } catch (IOException e) {
            if (!java.util.Set.of("GET", "HEAD", "PUT", "DELETE").contains(request.method()) || !lostByThePool(e)) {
                throw e;
            }
            return client.send(request, body);
        }
    }

    private static boolean lostByThePool(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if ("Data received while in pool".equals(cause.getMessage())) {
                return true;
            }
        }
        return false;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> put(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path).PUT(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request);
    }

    public HttpResponse<String> method(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request);
    }

    /** @return the requests the server is handling now */
    public long requestsInFlight() {
        return server.requestsInFlight();
    }

    /**
     * Stops the server. With nothing in flight, the idle connections (the test's clients, kept alive) are
     * closed at once rather than after Jetty's shutdown idle timeout of 1 s, which was most of the time of
     * a test that starts its own server; with requests in flight, the stop is the configured one.
     * {@code server.close()} stops as configured: ShutdownTest measures that.
     */
    @Override
    public void close() {
        if (server.requestsInFlight() == 0) {
            server.setShutdownIdleTimeout(10);
        }
        server.close();
    }
}
