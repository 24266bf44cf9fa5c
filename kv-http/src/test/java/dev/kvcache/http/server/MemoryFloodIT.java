package dev.kvcache.http.server;

import static java.net.http.HttpResponse.BodyHandlers.ofString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A flood of unique keys with large values against the server jar in a JVM with a 128 MiB heap and
 * the default byte bound (a quarter of the heap): it must never run out of memory, must keep
 * answering, must keep its byte count within the bound, and must have evicted to do so.
 */
class MemoryFloodIT {
    private static final int CLIENTS = 4;
    private static final long FLOOD_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MIN_VALUE = 64 * 1024;
    private static final int MAX_VALUE = 512 * 1024;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aFloodOfLargeValuesIsEvictedWithinTheDefaultBoundWithoutRunningOutOfMemory() throws Exception {
        Path jar = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: run mvn package first");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path output = Files.createTempFile("kvcache-flood", ".log");
        Process process = new ProcessBuilder(java, "-Xmx128m", "-jar", jar.toString(), "--port", "0")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            String base = "http://127.0.0.1:" + ServerLog.awaitPort(process, output, Duration.ofSeconds(30));
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            long maxBytes = stats(client, base).get("config").get("maxBytes").asLong();
            // 25 % of a 128 MiB heap; the JVM may report a little less than -Xmx as its maximum.
            assertTrue(maxBytes > 24L << 20 && maxBytes <= 32L << 20, "maxBytes " + maxBytes);

            AtomicLong sentBytes = new AtomicLong();
            long end = System.nanoTime() + FLOOD_NANOS;
            List<Future<Integer>> floods = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int clientId = c;
                floods.add(clients.submit(() -> flood(client, base, clientId, end, sentBytes)));
            }
            long mostHeld = 0;
            while (System.nanoTime() < end) {
                mostHeld = Math.max(mostHeld, stats(client, base).get("bytes").asLong());
                Thread.sleep(250);
            }
            int writes = 0;
            for (Future<Integer> flood : floods) {
                writes += flood.get(60, TimeUnit.SECONDS);
            }
            assertTrue(sentBytes.get() > 4 * maxBytes, "the flood must exceed the bound several times over: sent "
                    + sentBytes.get() + " B in " + writes + " writes");

            assertTrue(process.isAlive(), Files.readString(output));
            assertEquals("ok\n", client.send(request(base + "/health").build(), ofString()).body());
            HttpResponse<String> post = client.send(request(base + "/kv/after-the-flood")
                    .POST(HttpRequest.BodyPublishers.ofString("still here")).build(), ofString());
            assertEquals(200, post.statusCode());
            assertEquals("still here", client.send(request(base + "/kv/after-the-flood").build(), ofString()).body());
            JsonNode stats = stats(client, base);
            // The counter is an estimate while writes are in flight: allow one value per client on top.
            long slack = (long) CLIENTS * MAX_VALUE;
            assertTrue(mostHeld <= maxBytes + slack, "held " + mostHeld + " B during the flood, bound " + maxBytes);
            assertTrue(stats.get("bytes").asLong() <= maxBytes, stats.toString());
            assertTrue(stats.get("evictions").asLong() > 0, stats.toString());
            System.out.printf("flood: %d writes, %d MiB sent, at most %d MiB held (bound %d MiB), %d evictions%n",
                    writes, sentBytes.get() >> 20, mostHeld >> 20, maxBytes >> 20, stats.get("evictions").asLong());
        } finally {
            clients.shutdownNow();
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
            process.destroyForcibly();
            String log = Files.readString(output);
            Files.deleteIfExists(output);
            assertTrue(!log.contains("OutOfMemoryError"), log);
        }
    }

    /** Writes unique keys with random large values until {@code endNanos}; every write must succeed. */
    private static int flood(HttpClient client, String base, int clientId, long endNanos, AtomicLong sentBytes)
            throws Exception {
        SplittableRandom random = new SplittableRandom(clientId);
        byte[] buffer = new byte[MAX_VALUE];
        random.nextBytes(buffer);
        int writes = 0;
        while (System.nanoTime() < endNanos) {
            int size = random.nextInt(MIN_VALUE, MAX_VALUE + 1);
            buffer[0] = (byte) writes; // every value differs
            HttpResponse<Void> put = client.send(request(base + "/kv/flood-" + clientId + "-" + writes)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(buffer, 0, size)).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(204, put.statusCode());
            sentBytes.addAndGet(size);
            writes++;
        }
        return writes;
    }

    private JsonNode stats(HttpClient client, String base) throws Exception {
        return json.readTree(client.send(request(base + "/stats").build(), ofString()).body());
    }

    private static HttpRequest.Builder request(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30));
    }
}
