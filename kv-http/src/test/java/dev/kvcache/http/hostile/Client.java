package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.http.server.TestServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** HTTP/1.1 or h2c (upgraded once by {@code GET /health}) against a {@link TestServer}; checks the version of each answer. */
final class Client {
    enum Proto { HTTP_1_1, H2C }

    private final TestServer server;
    private final HttpClient http;
    private final HttpClient.Version version;

    Client(TestServer server, Proto proto) throws IOException, InterruptedException {
        this.server = server;
        this.version = proto == Proto.HTTP_1_1 ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2;
        this.http = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5)).build();
        if (proto == Proto.H2C) {
            send("GET", "/health", null);
        }
    }

    HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(method, path, body, headers), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(version, response.version(), method + " " + path);
        return response;
    }

    CompletableFuture<HttpResponse<String>> async(String method, String path, String body, String... headers) {
        return http.sendAsync(request(method, path, body, headers), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpRequest request(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return request.build();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }
}
