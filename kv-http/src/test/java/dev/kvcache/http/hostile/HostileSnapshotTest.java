package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import dev.kvcache.http.server.TestServer;
import dev.kvcache.http.server.snapshot.SnapshotFile;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * docs/http.md "Snapshots" attacked from the outside: what a crash leaves behind, values and keys at the
 * documented limits, an empty cache, and writes racing with a save.
 */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP and snapshot logic whose outcome does not depend on the JDK
class HostileSnapshotTest {
    @TempDir
    Path dir;

    private static List<Path> tempFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    /**
     * A SIGKILL during a (periodic) write leaves {@code FILE.<random>.tmp} as large as the payload; before
     * the fix no start ever removed it, so every crash mid-write leaked a file of the payload's size.
     */
    @Test
    void aTempFileLeftByAWriteThatCrashedIsRemovedAtTheNextStart() throws Exception {
        Path file = dir.resolve("cache.snap");
        // What SnapshotFile.write leaves when the JVM dies between createTempFile and the rename.
        Path stale = dir.resolve("cache.snap.6080025455816437767.tmp");
        Files.write(stale, new byte[4096]);
        Path unrelated = dir.resolve("other.snap.123.tmp");
        Files.write(unrelated, new byte[1]);
        try (TestServer server = new TestServer("--snapshot", file.toString())) {
            assertEquals("0", server.get("/size").body());
            assertFalse(Files.exists(stale), "the crashed write's temp file is still there: " + tempFiles(dir));
            assertTrue(Files.exists(unrelated), "a temp file of another snapshot name was removed");
        }
        assertEquals(List.of(unrelated), tempFiles(dir));
    }

    /**
     * {@code --snapshot} naming a FIFO (or a device) that exists: before the fix the start blocked for good
     * opening it for reading, logging nothing, never listening; at shutdown it would have replaced the
     * device by a regular file. It is refused at start, in one sentence, as a missing directory is.
     */
    @Test
    void aSnapshotPathThatIsNotARegularFileIsRefusedAtStart() throws Exception {
        Path fifo = dir.resolve("cache.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        try {
            IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    Duration.ofSeconds(20), () -> org.junit.jupiter.api.Assertions.assertThrows(
                            IllegalArgumentException.class, () -> new TestServer("--snapshot", fifo.toString()).close()),
                    "the start blocked on the FIFO");
            assertEquals("--snapshot " + fifo + " is not a regular file; give the path of a regular file (or of one"
                    + " to create), since the server reads it whole at start and replaces it at shutdown",
                    refused.getMessage());
        } finally {
            // Unblocks a start stuck opening the FIFO for reading (before the fix).
            Thread unblock = new Thread(() -> {
                try (var out = Files.newOutputStream(fifo)) {
                    out.write(0);
                } catch (Exception ignored) {
                    // Nobody was reading.
                }
            });
            unblock.setDaemon(true);
            unblock.start();
            unblock.join(1_000);
        }
    }

    /** Pins: a key of exactly --max-key-bytes of multi-byte UTF-8 and a value of exactly --max-value-bytes. */
    @Test
    void keysAndValuesAtTheDocumentedLimitsSurviveARestart() throws Exception {
        Path file = dir.resolve("cache.snap");
        String key = "\u00e9".repeat(125); // 250 bytes of UTF-8
        assertEquals(250, key.getBytes(StandardCharsets.UTF_8).length);
        byte[] value = new byte[1 << 20];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        String path = "/kv/" + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8);
        String etag;
        try (TestServer first = new TestServer("--snapshot", file.toString())) {
            HttpResponse<String> put = first.send(first.request(path + "?ttl=never")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).header("Content-Type", "application/octet-stream"));
            assertEquals(204, put.statusCode(), put.body());
            etag = put.headers().firstValue("ETag").orElseThrow();
        }
        try (TestServer second = new TestServer("--snapshot", file.toString())) {
            HttpResponse<byte[]> read = second.sendBytes(second.request(path).GET());
            assertEquals(200, read.statusCode());
            assertArrayEquals(value, read.body());
            assertEquals(etag, read.headers().firstValue("ETag").orElseThrow());
            assertFalse(read.headers().firstValue("Kv-Ttl-Remaining-Ms").isPresent(), "ttl=never became a TTL");
            assertEquals("1", second.get("/size").body());
        }
    }

    /** Pins: an empty cache writes a valid snapshot of 0 entries and restores to an empty cache. */
    @Test
    void anEmptyCacheRoundTrips() throws Exception {
        Path file = dir.resolve("cache.snap");
        try (TestServer first = new TestServer("--snapshot", file.toString())) {
            first.put("/kv/gone", "x");
            first.method("DELETE", "/kv/gone");
        }
        assertEquals(0, SnapshotFile.read(file).entries().size());
        // header 8 + 4 + 8, trailer 1 + 8 + 4: exactly the documented layout, nothing more.
        assertEquals(33, Files.size(file));
        try (TestServer second = new TestServer("--snapshot", file.toString())) {
            assertEquals("0", second.get("/size").body());
            assertEquals(404, second.get("/kv/gone").statusCode());
        }
    }

    /**
     * Pins "a periodic snapshot is taken while writes continue ... each entry is the value at some instant":
     * writers overwrite and delete keys while saves run; every save is a valid file, and every entry in it
     * holds bytes some writer wrote under that key, with that write's version and content type.
     */
    @Test
    void savesRacingWithWritesAndDeletesAreValidAndHoldOnlyWrittenValues() throws Exception {
        KvCache<String, StoredValue> cache = KvCache.builder().timeToLive(Duration.ofMinutes(1)).build();
        KvHandler handler = new KvHandler(cache, KvHandlerOptions.defaults());
        Map<Long, String> writtenBy = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        String key = "k" + (i % 500);
                        if (i % 7 == thread) {
                            cache.remove(key);
                            continue;
                        }
                        byte[] bytes = (key + "/" + thread + "/" + i).getBytes(StandardCharsets.UTF_8);
                        StoredValue value = StoredValue.of(bytes, "text/x-" + thread);
                        writtenBy.put(value.version(), key + "|" + new String(bytes, StandardCharsets.UTF_8)
                                + "|text/x-" + thread);
                        cache.put(key, value);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            writer.start();
            writers.add(writer);
        }
        try {
            Path file = dir.resolve("race.snap");
            int saves = 0;
            long entries = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline || saves < 5) {
                SnapshotFile.Written written = SnapshotFile.write(file, handler, System.currentTimeMillis());
                SnapshotFile.Contents contents = SnapshotFile.read(file);
                assertEquals(written.entries(), contents.entries().size());
                Map<String, Integer> seen = new HashMap<>();
                for (SnapshotFile.Entry entry : contents.entries()) {
                    assertEquals(null, seen.put(entry.key(), 1), "key twice in one snapshot: " + entry.key());
                    String expected = writtenBy.get(entry.value().version());
                    assertEquals(expected, entry.key() + "|" + new String(entry.value().toByteArray(),
                            StandardCharsets.UTF_8) + "|" + entry.value().mediaType());
                    assertTrue(entry.remainingMillis() > 0 && entry.remainingMillis() <= 60_000,
                            entry.remainingMillis() + " ms");
                }
                saves++;
                entries += contents.entries().size();
            }
            assertTrue(entries > 0, "no entry seen in " + saves + " saves");
            assertEquals(List.of(), tempFiles(dir));
        } finally {
            stop.set(true);
            for (Thread writer : writers) {
                writer.join(10_000);
            }
            cache.close();
        }
        assertEquals(null, failure.get());
    }

    /**
     * The ETag of a restored entry keeps matching, and a write after the restart never reuses the version
     * of any restored entry (docs: "new writes get higher versions").
     */
    @Test
    void writesAfterARestartGetVersionsAboveEveryRestoredOne() throws Exception {
        Path file = dir.resolve("cache.snap");
        long highest;
        try (TestServer first = new TestServer("--snapshot", file.toString())) {
            for (int i = 0; i < 20; i++) {
                first.put("/kv/k" + i, "v" + i);
            }
        }
        highest = SnapshotFile.read(file).entries().stream().mapToLong(e -> e.value().version()).max().orElseThrow();
        try (TestServer second = new TestServer("--snapshot", file.toString())) {
            HttpResponse<String> put = second.put("/kv/new", "x");
            String etag = put.headers().firstValue("ETag").orElseThrow();
            for (SnapshotFile.Entry entry : SnapshotFile.read(file).entries()) {
                assertNotEquals(entry.value().etag(), etag);
            }
            assertEquals(412, second.put("/kv/new", "y", "If-Match", SnapshotFile.read(file).entries().get(0)
                    .value().etag()).statusCode());
        }
        assertTrue(SnapshotFile.read(file).entries().stream().filter(e -> e.key().equals("new"))
                .allMatch(e -> e.value().version() > highest));
    }
}
