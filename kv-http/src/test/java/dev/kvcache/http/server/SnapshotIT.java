package dev.kvcache.http.server;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The snapshot end to end, with the shaded jar in its own JVM: writes under load from a few client
 * threads, SIGTERM, restart from the snapshot. Every write acknowledged before the stop began whose
 * TTL has not passed is there, with its value, content type and remaining TTL (within a second);
 * those whose TTL passed are gone.
 */
@Tag("heavy") // .ci/run runs it on JDK 17 only: a stop and restart of the jar, snapshot logic whose outcome does not depend on the JDK
class SnapshotIT {
    private static final String[] TTLS = {"1500ms", "20s", "10m"};
    private static final long[] TTL_MILLIS = {1_500, 20_000, 600_000};
    private static final String[] TYPES = {null, "application/json", "application/octet-stream", "text/csv"};

    private record Ack(String key, byte[] value, String type, long ttlMillis, long ackNanos) {}

    @Test
    void acknowledgedWritesSurviveSigtermAndRestart() throws Exception {
        Path jar = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: run mvn package first");
        Path dir = Files.createTempDirectory("kvcache-snapshot-it");
        Path snapshot = dir.resolve("cache.snap");
        Path firstLog = dir.resolve("first.log");
        Path secondLog = dir.resolve("second.log");

        Process first = start(jar, snapshot, firstLog);
        Process second = null;
        try {
            String base = "http://127.0.0.1:" + ServerLog.awaitPort(first, firstLog, Duration.ofSeconds(30));
            Queue<Ack> acks = new ConcurrentLinkedQueue<>();
            AtomicBoolean stopping = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                Thread writer = new Thread(() -> write(base, thread, acks, stopping, failure), "writer-" + t);
                writer.start();
                writers.add(writer);
            }
            // At least 1.5 s of load and 500 acknowledged writes (clients start slowly on a busy machine).
            long loadBeginNanos = System.nanoTime();
            while (System.nanoTime() - loadBeginNanos < TimeUnit.MILLISECONDS.toNanos(1_500) || acks.size() < 500) {
                assertTrue(System.nanoTime() - loadBeginNanos < TimeUnit.SECONDS.toNanos(15),
                        "only " + acks.size() + " writes in 15 s; failure: " + failure.get());
                Thread.sleep(20);
            }
            stopping.set(true);
            long stopBeginNanos = System.nanoTime();
            first.destroy(); // SIGTERM
            for (Thread writer : writers) {
                writer.join(20_000);
            }
            assertEquals(null, failure.get(), "a write failed before the stop");
            assertTrue(first.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGTERM");
            String log = Files.readString(firstLog);
            assertTrue(log.contains("Wrote snapshot of"), log);

            second = start(jar, snapshot, secondLog);
            String restarted = "http://127.0.0.1:" + ServerLog.awaitPort(second, secondLog, Duration.ofSeconds(30));
            assertTrue(Files.readString(secondLog).contains("Restored "), Files.readString(secondLog));

            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            int live = 0;
            int expired = 0;
            int acknowledged = 0;
            long maxLongerMillis = Long.MIN_VALUE;
            long maxShorterMillis = Long.MIN_VALUE;
            for (Ack ack : acks) {
                if (ack.ackNanos() >= stopBeginNanos) {
                    continue;
                }
                acknowledged++;
                long beginNanos = System.nanoTime();
                HttpResponse<byte[]> read = client.send(HttpRequest.newBuilder(URI.create(restarted + "/kv/" + ack.key()))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                long expectedMillis = ack.ttlMillis() - TimeUnit.NANOSECONDS.toMillis(beginNanos - ack.ackNanos());
                if (expectedMillis > 1_000) {
                    assertEquals(200, read.statusCode(), ack.key() + " lost, " + expectedMillis + " ms were left");
                    assertArrayEquals(ack.value(), read.body(), ack.key());
                    assertEquals(ack.type() == null ? "text/plain; charset=utf-8" : ack.type(),
                            read.headers().firstValue("Content-Type").orElse(null), ack.key());
                    long remaining = Long.parseLong(read.headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
                    // The write took effect before its acknowledgement, and the restore may only cut the TTL
                    // short; but the expected figure comes from the test's clock around the acknowledgement,
                    // so on a busy machine an entry may also seem to live a little longer.
                    assertTrue(Math.abs(remaining - expectedMillis) <= 1_000,
                            ack.key() + ": " + remaining + " ms left, expected " + expectedMillis);
                    maxLongerMillis = Math.max(maxLongerMillis, remaining - expectedMillis);
                    maxShorterMillis = Math.max(maxShorterMillis, expectedMillis - remaining);
                    live++;
                } else if (expectedMillis < -1_000) {
                    assertEquals(404, read.statusCode(), ack.key() + " expired " + -expectedMillis + " ms ago");
                    expired++;
                }
            }
            assertTrue(live > 100, "only " + live + " of " + acknowledged + " acknowledged writes checked live");
            System.out.printf("SnapshotIT: %d writes acknowledged before SIGTERM (%d after), %d checked live,"
                    + " %d checked expired; remaining TTL at most %d ms longer, %d ms shorter than expected%n",
                    acknowledged, acks.size() - acknowledged, live, expired, maxLongerMillis, maxShorterMillis);
        } finally {
            stop(first);
            if (second != null) {
                stop(second);
            }
            try (var files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void write(String base, int thread, Queue<Ack> acks, AtomicBoolean stopping,
            AtomicReference<Throwable> failure) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 2_000 && !stopping.get(); i++) {
            String key = "t" + thread + "-" + i;
            byte[] value = new byte[random.nextInt(1_000)];
            random.nextBytes(value);
            int ttl = random.nextInt(TTLS.length);
            String type = TYPES[random.nextInt(TYPES.length)];
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/kv/" + key + "?ttl=" + TTLS[ttl]))
                    .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofByteArray(value));
            if (type != null) {
                request.header("Content-Type", type);
            }
            try {
                HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
                long ackNanos = System.nanoTime();
                if (response.statusCode() == 204) {
                    acks.add(new Ack(key, value, type, TTL_MILLIS[ttl], ackNanos));
                } else if (!stopping.get()) {
                    failure.compareAndSet(null, new AssertionError(key + ": status " + response.statusCode()));
                    return;
                }
            } catch (Exception e) {
                if (!stopping.get()) {
                    failure.compareAndSet(null, e);
                }
                return;
            }
        }
    }

    private static Process start(Path jar, Path snapshot, Path log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-jar", jar.toString(), "--port", "0", "--warm-up", "0", "--snapshot",
                snapshot.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
