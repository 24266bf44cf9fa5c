package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar's security features as a user runs them: protected mode, and HTTPS with h2, whose
 * ALPN provider the jar finds only if the shade plugin merged the {@code META-INF/services} files.
 */
class SecureJarIT {
    private static final Path JAR = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    @Test
    void everyInterfaceWithoutATokenExitsWith2AndSaysWhy() throws Exception {
        Process process = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "--host", "0.0.0.0", "--port", "0")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.startsWith("Refusing to listen on 0.0.0.0 without authentication"), output);
    }

    @Test
    void httpsNegotiatesH2AndRequiresTheToken(@TempDir Path dir) throws Exception {
        TestKeystore keystore = TestKeystore.create(dir);
        Path output = dir.resolve("server.log");
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "--port", "0",
                "--tls-keystore", keystore.file.toString()).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("KV_TLS_PASSWORD", TestKeystore.PASSWORD);
        builder.environment().put("KV_AUTH_TOKEN", "jar-token");
        Process process = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Matcher listening;
            while (!(listening = Pattern.compile("Listening on https://127.0.0.1:(\\d+)")
                    .matcher(Files.readString(output))).find()) {
                assertTrue(process.isAlive() && System.nanoTime() < deadline, "not started: " + Files.readString(output));
                Thread.sleep(20);
            }
            URI uri = URI.create("https://127.0.0.1:" + listening.group(1) + "/kv/k");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(keystore.clientContext()).build();
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(uri)
                    .PUT(HttpRequest.BodyPublishers.ofString("v")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, refused.version());
            HttpResponse<String> put = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer jar-token")
                    .PUT(HttpRequest.BodyPublishers.ofString("v")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, put.statusCode());
            HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer jar-token")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, get.version());
            assertEquals("v", get.body());
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
