package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The two cleartext protocols every operation is tested over: HTTP/1.1, and h2c (the connection upgraded
 * once by a {@code GET /health}, after which java.net.http sends every request, bodies included, as
 * HTTP/2 streams on it). {@link #client} checks that each answer came over the protocol asked for.
 */
enum Protocol {
    HTTP_1_1, H2C;

    /** A client for {@code server}; for h2c, with its connection already upgraded. */
    Client client(TestServer server) throws IOException, InterruptedException {
        HttpClient.Version version = this == HTTP_1_1 ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2;
        HttpClient http = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5)).build();
        Client client = new Client(server, http, version);
        if (this == H2C) {
            client.send("GET", "/health", null);
        }
        return client;
    }

    static final class Client {
        private final TestServer server;
        private final HttpClient http;
        private final HttpClient.Version version;

        Client(TestServer server, HttpClient http, HttpClient.Version version) {
            this.server = server;
            this.http = http;
            this.version = version;
        }

        /** @param headers alternating names and values */
        HttpResponse<String> send(String method, String pathAndQuery, String body, String... headers)
                throws IOException, InterruptedException {
            HttpRequest.Builder request = server.request(pathAndQuery).timeout(Duration.ofSeconds(20)).method(method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (headers.length > 0) {
                request.headers(headers);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertEquals(version, response.version(), method + " " + pathAndQuery);
            return response;
        }

        HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
            return send("GET", pathAndQuery, null);
        }

        /** Sends without waiting. */
        java.util.concurrent.CompletableFuture<HttpResponse<String>> sendAsync(String method, String pathAndQuery) {
            HttpRequest request = server.request(pathAndQuery).timeout(Duration.ofSeconds(60))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build();
            return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }
}
