package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar as a user runs it: {@code java -jar kvcache-server.jar}, in its own JVM, stopped
 * with SIGTERM. Runs in the integration-test phase, after the jar is built.
 */
class ServerJarIT {
    @Test
    void startsServesTheGoCurlLinesAndShutsDownOnSigterm() throws Exception {
        Path jar = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: run mvn package first");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        // Output goes to a file: Process.destroy() would close a pipe before the shutdown lines are read.
        Path output = Files.createTempFile("kvcache-server", ".log");
        // The README's start command as is: its JVM options, then the jar.
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(readmeJvmOptions());
        command.addAll(List.of("-jar", jar.toString(), "--port", Integer.toString(port)));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            assertEquals(port, ServerLog.awaitPort(process, output, Duration.ofSeconds(30)));
            List<String> log = Files.readAllLines(output);
            assertTrue(log.size() >= 2, "log: " + log);
            assertTrue(log.get(0).endsWith(" INFO cache expire time: 10000ms"), log.get(0));
            assertTrue(log.get(1).endsWith(" INFO Starting server on " + port + " ..."), log.get(1));
            // Then what runs, and the bounds in human units.
            assertTrue(log.get(2).matches(".* INFO kvcache-server \\S+ \\(Jetty [^)]+\\), PID " + process.pid()
                    + ", Java \\S+ \\(.+\\), max heap [0-9.]+ [KMGT]iB, collector \\S+"), log.get(2));
            if (readmeJvmOptions().contains("-XX:+UseShenandoahGC")) {
                assertTrue(log.get(2).endsWith(", collector Shenandoah"), log.get(2));
            }
            String listeningLine = log.stream().filter(line -> line.contains("Listening on")).findFirst().orElseThrow();
            assertTrue(listeningLine.matches(".* INFO Listening on http://127\\.0\\.0\\.1:" + port + " in \\d+ ms, \\d+ ms"
                    + " after the JVM started \\(max key 250 B, max value 1 MiB, max 2000000 entries / [0-9.]+ [KMGT]iB,"
                    + " 32 threads, idle timeout 30s, .*"), listeningLine);

            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(base + "/k1"))
                    .POST(HttpRequest.BodyPublishers.ofString("v1")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, post.statusCode());
            assertEquals("v1", post.body());
            HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create(base + "/k1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("v1", get.body());
            HttpResponse<String> size = client.send(HttpRequest.newBuilder(URI.create(base + "/size"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("1", size.body());

            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGTERM");
            List<String> rest = Files.readAllLines(output);
            assertTrue(rest.stream().anyMatch(line -> line.contains("Shutting down: /health answers 503")), rest.toString());
            assertTrue(rest.stream().anyMatch(line -> line.contains("every request in flight completed")), rest.toString());
            assertEquals(0, process.exitValue(), rest.toString());
            // No per-request logging by default.
            assertTrue(rest.stream().noneMatch(line -> line.contains("/k1")), rest.toString());
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }

    @Test
    void theAccessLogIsOptInThroughItsEnvironmentVariable() throws Exception {
        Path jar = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Path output = Files.createTempFile("kvcache-server", ".log");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString(), "--port", "0")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("KV_ACCESS_LOG", "true");
        builder.environment().put("KV_TTL", "1m");
        Process process = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int port = ServerLog.awaitPort(process, output, Duration.ofSeconds(30));
            String log = Files.readString(output);
            assertTrue(log.contains("cache expire time: 60000ms"), log);
            String base = "http://127.0.0.1:" + port;
            // HTTP/1.1 explicitly: java.net.http would otherwise upgrade to h2c, logged as HTTP/2.0.
            HttpResponse<String> get = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    HttpRequest.newBuilder(URI.create(base + "/logged-key")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, get.statusCode());
            while (!Files.readString(output).contains("\"GET /logged-key HTTP/1.1\" 404")) {
                assertTrue(System.nanoTime() < deadline, "no access log line: " + Files.readString(output));
                Thread.sleep(20);
            }
            // One timestamp, the logger's; a dash for the missing referer.
            String line = Files.readAllLines(output).stream().filter(l -> l.contains("GET /logged-key")).findFirst()
                    .orElseThrow();
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z INFO 127\\.0\\.0\\.1 - \"GET /logged-key HTTP/1\\.1\" 404 0"
                    + " \"-\" \"[^\"]+\" \\d+ms"), line);
        } finally {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }

    /** @return the JVM options of the README's start command (between {@code java} and {@code -jar}) */
    static List<String> readmeJvmOptions() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("..", "README.md"))) {
            int java = line.indexOf("java ");
            int jar = line.indexOf("-jar kv-http/target/kvcache-server.jar");
            if (java >= 0 && jar > java) {
                String options = line.substring(java + "java ".length(), jar).trim();
                return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
            }
        }
        throw new AssertionError("README.md has no line starting the server jar");
    }
}
