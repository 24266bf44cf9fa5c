package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.RawHttp;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with HTTP/1.1 and h2 (ALPN), and cleartext h2c by Upgrade and by prior knowledge. */
class ProtocolsTest {
    @TempDir
    static Path dir;
    static TestKeystore keystore;

    @BeforeAll
    static void createKeystore() throws Exception {
        keystore = TestKeystore.create(dir);
    }

    private HttpClient client(HttpClient.Version version) throws Exception {
        return HttpClient.newBuilder().version(version).sslContext(keystore.clientContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void httpsServesHttp11AndH2ByAlpn() throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, TestKeystore.PASSWORD + "\n");
        try (TestServer server = new TestServer("--tls-keystore", keystore.file.toString(),
                "--tls-password-file", password.toString())) {
            String base = "https://127.0.0.1:" + server.port();
            HttpClient http11 = client(HttpClient.Version.HTTP_1_1);
            HttpResponse<String> post = http11.send(HttpRequest.newBuilder(URI.create(base + "/kv/tls"))
                    .POST(HttpRequest.BodyPublishers.ofString("secret value")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, post.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, post.version());

            HttpClient h2 = client(HttpClient.Version.HTTP_2);
            HttpResponse<String> get = h2.send(HttpRequest.newBuilder(URI.create(base + "/kv/tls")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, get.version());
            assertEquals(200, get.statusCode());
            assertEquals("secret value", get.body());
            HttpResponse<String> put = h2.send(HttpRequest.newBuilder(URI.create(base + "/kv/h2"))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"over\":\"h2\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, put.version());
            assertEquals(204, put.statusCode());
            HttpResponse<String> read = http11.send(HttpRequest.newBuilder(URI.create(base + "/kv/h2")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"over\":\"h2\"}", read.body());
            assertEquals("application/json", read.headers().firstValue("Content-Type").orElse(null));

            // A client that offers only "http/1.1" by ALPN (as curl --http1.1 does) gets it.
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) keystore.clientContext().getSocketFactory()
                    .createSocket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"http/1.1"});
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                assertEquals("http/1.1", socket.getApplicationProtocol());
                socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] status = socket.getInputStream().readNBytes(15);
                assertEquals("HTTP/1.1 200 OK", new String(status, StandardCharsets.US_ASCII));
            }

            // A client that does not trust the certificate cannot talk to it.
            HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThrows(SSLHandshakeException.class, () -> untrusting.send(
                    HttpRequest.newBuilder(URI.create(base + "/kv/tls")).build(), HttpResponse.BodyHandlers.ofString()));
        }
    }

    /**
     * docs/http.md "Keys and reserved names": the TLS connector's configurations (HTTP/1.1 and h2) are copies
     * of the cleartext one and keep its URI compliance, so '%', an encoded '/' and '\' work over https too.
     */
    @Test
    void encodedKeysWorkOverHttpsWithHttp11AndH2() throws Exception {
        try (TestServer server = new TestServer("--tls-keystore", keystore.file.toString(),
                "--tls-password", TestKeystore.PASSWORD)) {
            String base = "https://127.0.0.1:" + server.port();
            HttpClient http11 = client(HttpClient.Version.HTTP_1_1);
            HttpClient h2 = client(HttpClient.Version.HTTP_2);
            String[][] keys = {{"/kv/50%25", "/50%25"}, {"/kv/a%2Fb", "/a%2Fb"}, {"/kv/C:%5Ctemp", "/C:%5Ctemp"},
                    {"/kv/%2541", "/%2541"}};
            for (String[] key : keys) {
                HttpResponse<String> put = http11.send(HttpRequest.newBuilder(URI.create(base + key[0]))
                        .PUT(HttpRequest.BodyPublishers.ofString(key[0])).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(204, put.statusCode(), key[0] + ": " + put.body());
                HttpResponse<String> get = h2.send(HttpRequest.newBuilder(URI.create(base + key[1])).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(HttpClient.Version.HTTP_2, get.version());
                assertEquals(key[0], get.body(), key[1]);
            }
            HttpResponse<String> unencoded = h2.send(HttpRequest.newBuilder(URI.create(base + "/kv/A")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, unencoded.statusCode(), "%2541 was decoded twice");
        }
    }

    @Test
    void theTokenWorksOverH2AndAWrongPasswordStopsTheStart() throws Exception {
        try (TestServer server = new TestServer(java.time.Clock.systemUTC(), "--tls-keystore", keystore.file.toString(),
                "--tls-password", TestKeystore.PASSWORD, "--auth-token", "t0ken")) {
            HttpClient h2 = client(HttpClient.Version.HTTP_2);
            URI uri = URI.create("https://127.0.0.1:" + server.port() + "/kv/k");
            HttpResponse<String> refused = h2.send(HttpRequest.newBuilder(uri)
                    .PUT(HttpRequest.BodyPublishers.ofString("v")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, refused.version());
            assertEquals(401, refused.statusCode());
            HttpResponse<String> put = h2.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer t0ken")
                    .PUT(HttpRequest.BodyPublishers.ofString("v")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, put.statusCode());
        }
        ServerConfig wrong = ServerConfig.parse(new String[] {"--port", "0", "--tls-keystore",
                keystore.file.toString(), "--tls-password", "not-the-password"}, Map.of());
        assertThrows(Exception.class, () -> KvServer.start(wrong, new FakeTicker()).close());
    }

    /** Plain HTTP sent to the TLS port gets a plain HTTP answer that says what to do. */
    @Test
    void plainHttpOnTheTlsPortIsTold400UseHttps() throws Exception {
        try (TestServer server = new TestServer("--tls-keystore", keystore.file.toString(),
                "--tls-password", TestKeystore.PASSWORD)) {
            String host = "127.0.0.1:" + server.port();
            try (RawHttp raw = new RawHttp(server.port())) {
                raw.send("GET /kv/k HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                RawHttp.Reply reply = raw.read();
                assertEquals(400, reply.status());
                assertEquals("This port expects TLS; use https://" + host + "/.\n", reply.body());
                assertEquals("text/plain; charset=utf-8", reply.headers().get("content-type"));
                assertEquals("close", reply.headers().get("connection"));
            }
            // TLS still works on the same port.
            HttpResponse<String> health = client(HttpClient.Version.HTTP_2).send(HttpRequest.newBuilder(
                    URI.create("https://" + host + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        }
    }

    @Test
    void cleartextServesH2cByUpgradeAndByPriorKnowledge() throws Exception {
        try (TestServer server = new TestServer()) {
            server.post("/kv/plain", "v1");
            // java.net.http asks for h2c with "Upgrade: h2c" on a request without a body.
            HttpClient h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> get = h2c.send(HttpRequest.newBuilder(server.uri("/kv/plain")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, get.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, get.version());
            assertEquals("v1", get.body());
            HttpResponse<String> second = h2c.send(HttpRequest.newBuilder(server.uri("/size")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, second.version());
            assertEquals("1", second.body());

            // Prior knowledge: the connection opens with the HTTP/2 preface and a SETTINGS frame; the
            // server answers with its own SETTINGS frame (RFC 9113, 3.4), not with HTTP/1.1.
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // empty SETTINGS on stream 0
                out.flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] header = new byte[9];
                in.readFully(header);
                int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
                assertEquals(4, header[3], "frame type SETTINGS");
                assertEquals(0, header[4], "flags");
                assertTrue(length % 6 == 0, "settings are 6 bytes each: " + length);
            }
        }
    }
}
