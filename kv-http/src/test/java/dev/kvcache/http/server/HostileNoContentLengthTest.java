package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 9110 8.6: "A server MUST NOT send a Content-Length header field in any response with a status code of
 * ... 204 (No Content)". Over HTTP/1.1 none had one; over HTTP/2 (h2c and TLS h2) every 204 carried
 * {@code content-length: 0}: Jetty 12.1.14's HPACK encoder adds it for a response whose length is known to be
 * 0, whatever its status (curl does not show it: nghttp2 removes it from a 204 before curl sees it). A 304
 * keeps the value's {@code Content-Length}, as a 200 would have it (RFC 9110 8.6, docs/http.md).
 */
class HostileNoContentLengthTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void no204HasAContentLengthAndA304HasTheValues(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client c = protocol.client(server);
            assertEquals(List.of(), violations(c::send));
        }
    }

    @Test
    void no204HasAContentLengthOverTlsH2() throws Exception {
        TestKeystore keystore = TestKeystore.create(dir);
        try (TestServer server = new TestServer("--tls-keystore", keystore.file.toString(),
                "--tls-password", TestKeystore.PASSWORD)) {
            HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(keystore.clientContext())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String base = "https://127.0.0.1:" + server.port();
            List<String> violations = violations((method, path, body, headers) -> {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
                if (headers.length > 0) {
                    request.headers(headers);
                }
                HttpResponse<String> response = h2.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(HttpClient.Version.HTTP_2, response.version());
                return response;
            });
            assertEquals(List.of(), violations);
        }
    }

    interface Sender {
        HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception;
    }

    /** Every 204 and 304 the routes send; @return what broke the rule, one line each */
    private static List<String> violations(Sender c) throws Exception {
        List<String> violations = new ArrayList<>();
        String etag = c.send("PUT", "/kv/k", "four").headers().firstValue("ETag").orElseThrow();
        check(violations, "PUT", c.send("PUT", "/kv/k", "four"), 204, null);
        check(violations, "PUT If-Match", c.send("PUT", "/kv/k", "four", "If-Match", "*"), 204, null);
        check(violations, "touch", c.send("POST", "/kv/k?touch", null), 204, null);
        check(violations, "touch ttl=never", c.send("POST", "/kv/k?touch&ttl=never", null), 204, null);
        etag = c.send("GET", "/kv/k", null).headers().firstValue("ETag").orElseThrow();
        check(violations, "GET 304", c.send("GET", "/kv/k", null, "If-None-Match", etag), 304, "4");
        check(violations, "HEAD 304", c.send("HEAD", "/kv/k", null, "If-None-Match", etag), 304, "4");
        check(violations, "GET /k 304", c.send("GET", "/k", null, "If-None-Match", "*"), 304, "4");
        c.send("PUT", "/kv/empty", "");
        check(violations, "GET 304 of an empty value", c.send("GET", "/kv/empty", null, "If-None-Match", "*"), 304, "0");
        check(violations, "DELETE", c.send("DELETE", "/kv/k", null), 204, null);
        check(violations, "PUT after DELETE", c.send("PUT", "/kv/k", "again"), 204, null);
        return violations;
    }

    private static void check(List<String> violations, String what, HttpResponse<String> response, int status,
            String contentLength) {
        Optional<String> length = response.headers().firstValue("content-length");
        if (response.statusCode() != status || !length.equals(Optional.ofNullable(contentLength))) {
            violations.add(what + ": " + response.statusCode() + " content-length " + length.orElse("absent")
                    + " (want " + status + ", " + (contentLength == null ? "absent" : contentLength) + ")");
        }
    }
}
