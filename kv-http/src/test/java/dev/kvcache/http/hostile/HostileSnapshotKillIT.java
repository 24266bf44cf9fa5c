package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import dev.kvcache.http.server.ServerLog;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The server jar as a user runs it, killed with SIGKILL while periodic snapshots of a few MiB are being
 * written (docs: "A crash at any point leaves either the old or the new snapshot, never a mix"), then
 * restarted twice: each start restores a valid snapshot (never refused as corrupt), every restored value
 * is one that was written under its key, nothing is left of the killed writes' temp files, and a SIGTERM
 * after the restart exits 0 with every entry in the final snapshot.
 */
@Tag("heavy") // .ci/run runs it on JDK 17 only: kills and restarts of the jar, snapshot logic whose outcome does not depend on the JDK
class HostileSnapshotKillIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void sigkillDuringPeriodicWritesNeverLeavesACorruptSnapshotOrATempFile() throws Exception {
        Path jar = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: run mvn package first");
        Path dir = Files.createTempDirectory("kvcache-hostile-kill");
        Path snapshot = dir.resolve("cache.snap");
        Map<String, byte[]> written = new HashMap<>();
        Random random = new Random(5);
        Process server = null;
        try {
            for (int cycle = 0; cycle < 2; cycle++) {
                Path log = dir.resolve("run" + cycle + ".log");
                server = start(jar, snapshot, log);
                String base = "http://127.0.0.1:" + ServerLog.awaitPort(server, log, Duration.ofSeconds(60));
                String logText = Files.readString(log);
                assertTrue(cycle == 0 || logText.contains("Restored "), logText);
                checkRestored(base, written);
                // Writes of 512 KiB values while a periodic write runs every 50 ms; kill in the middle.
                for (int i = 0; i < 12; i++) {
                    String key = "k" + random.nextInt(16);
                    byte[] value = new byte[512 * 1024];
                    random.nextBytes(value);
                    HttpResponse<Void> put = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/kv/" + key
                            + "?ttl=1h")).PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    assertEquals(204, put.statusCode());
                    written.put(key + "#" + written.size(), value);
                }
                server.destroyForcibly(); // SIGKILL, whatever the snapshot thread is doing
                assertTrue(server.waitFor(20, TimeUnit.SECONDS));
                assertEquals(137, server.exitValue());
            }
            Path log = dir.resolve("final.log");
            List<Path> killed = tempFiles(dir); // the killed writes' (the new server's own come and go)
            server = start(jar, snapshot, log);
            String base = "http://127.0.0.1:" + ServerLog.awaitPort(server, log, Duration.ofSeconds(60));
            checkRestored(base, written);
            assertEquals(List.of(), killed.stream().filter(Files::exists).toList(),
                    "temp files of killed writes left behind");
            long size = Long.parseLong(CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/size")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            server.destroy(); // SIGTERM
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, server.exitValue(), Files.readString(log));
            assertTrue(Files.readString(log).contains("Wrote snapshot of " + size + " entries"), Files.readString(log));
            assertEquals(List.of(), tempFiles(dir), "temp files left after a clean stop");
        } finally {
            if (server != null && server.isAlive()) {
                server.destroyForcibly();
                server.waitFor(20, TimeUnit.SECONDS);
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Every key the restarted server holds has a value some write gave that key. */
    private static void checkRestored(String base, Map<String, byte[]> written) throws Exception {
        for (int k = 0; k < 16; k++) {
            String key = "k" + k;
            HttpResponse<byte[]> read = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/kv/" + key)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (read.statusCode() == 404) {
                continue;
            }
            assertEquals(200, read.statusCode());
            boolean known = false;
            for (Map.Entry<String, byte[]> entry : written.entrySet()) {
                if (entry.getKey().startsWith(key + "#") && java.util.Arrays.equals(entry.getValue(), read.body())) {
                    known = true;
                    break;
                }
            }
            assertTrue(known, key + " restored a value no write gave it");
        }
    }

    private static List<Path> tempFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static Process start(Path jar, Path snapshot, Path log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-XX:+UseShenandoahGC", "-jar", jar.toString(), "--port", "0",
                "--snapshot", snapshot.toString(), "--snapshot-interval", "50ms")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
