package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.core.CacheEntry;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import dev.kvcache.http.server.snapshot.SnapshotFile;
import dev.kvcache.http.server.snapshot.Snapshots;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** {@code --snapshot}: written on shutdown and periodically, restored on start, corruption refused. */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP and snapshot logic whose outcome does not depend on the JDK
class SnapshotTest {
    private static final Instant T0 = Instant.parse("2026-11-25T23:00:00Z");

    @TempDir
    Path dir;

    private record Written(byte[] value, String contentType, long ttlMillis) {}

    /** Percent-encodes each segment of a key (an encoded slash would do as well). */
    private static String path(String key) {
        StringBuilder path = new StringBuilder("/kv");
        for (String segment : key.split("/", -1)) {
            path.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return path.toString();
    }

    /** @return the live entry of {@code key} in {@code handler}, or {@code null} */
    private static CacheEntry<String, StoredValue> entry(KvHandler handler, String key) {
        Map<String, CacheEntry<String, StoredValue>> entries = new LinkedHashMap<>();
        handler.forEachEntry(entry -> entries.put(entry.getKey(), entry));
        return entries.get(key);
    }

    private static HttpResponse<byte[]> put(TestServer server, String key, byte[] value, String type, String ttl)
            throws Exception {
        HttpRequest.Builder request = server.request(path(key) + (ttl == null ? "" : "?ttl=" + ttl))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value));
        if (type != null) {
            request.header("Content-Type", type);
        }
        HttpResponse<byte[]> response = server.sendBytes(request);
        assertEquals(204, response.statusCode());
        return response;
    }

    private static HttpResponse<byte[]> get(TestServer server, String key) throws Exception {
        return server.sendBytes(server.request(path(key)).GET());
    }

    @Test
    void entriesSurviveARestartWithTheirValueTypeVersionAndRemainingTtl() throws Exception {
        Path file = dir.resolve("cache.snap");
        byte[] binary = new byte[100_000];
        new Random(42).nextBytes(binary);
        for (int i = 0; i < 256; i++) {
            binary[i] = (byte) i;
        }
        Map<String, Written> written = new LinkedHashMap<>();
        written.put("text", new Written("v1".getBytes(StandardCharsets.UTF_8), null, 10_000));
        written.put("json", new Written("{\"a\":1}".getBytes(StandardCharsets.UTF_8), "application/json", 60_000));
        written.put("binary", new Written(binary, "application/octet-stream", 7_200_000));
        written.put("caf\u00e9/with slash", new Written("\u00e9t\u00e9".getBytes(StandardCharsets.UTF_8),
                "text/plain; charset=utf-8", 5_000));
        written.put("empty", new Written(new byte[0], "image/png", 3_000));
        Map<String, String> etags = new LinkedHashMap<>();
        try (TestServer first = new TestServer("--snapshot", file.toString())) {
            for (Map.Entry<String, Written> entry : written.entrySet()) {
                Written w = entry.getValue();
                HttpResponse<byte[]> response = put(first, entry.getKey(), w.value(), w.contentType(),
                        w.ttlMillis() == 10_000 ? null : w.ttlMillis() + "ms");
                etags.put(entry.getKey(), response.headers().firstValue("ETag").orElseThrow());
            }
            put(first, "expires-before-the-stop", new byte[] {1}, null, "1s");
            first.ticker.advance(Duration.ofMillis(1_500));
        }
        assertTrue(Files.isRegularFile(file));
        assertEquals(0, Files.list(dir).filter(p -> p.toString().endsWith(".tmp")).count(), "temp file left");

        try (TestServer second = new TestServer("--snapshot", file.toString())) {
            for (Map.Entry<String, Written> entry : written.entrySet()) {
                Written w = entry.getValue();
                HttpResponse<byte[]> read = get(second, entry.getKey());
                assertEquals(200, read.statusCode(), entry.getKey());
                assertArrayEquals(w.value(), read.body(), entry.getKey());
                assertEquals(w.contentType() == null ? "text/plain; charset=utf-8" : w.contentType(),
                        read.headers().firstValue("Content-Type").orElse(null), entry.getKey());
                assertEquals(etags.get(entry.getKey()), read.headers().firstValue("ETag").orElse(null));
                long remaining = Long.parseLong(read.headers().firstValue("Kv-Ttl-Remaining-Ms").orElseThrow());
                long expected = w.ttlMillis() - 1_500;
                assertTrue(remaining <= expected && remaining > expected - 1_000,
                        entry.getKey() + ": " + remaining + " ms left, expected " + expected);
            }
            assertEquals(404, get(second, "expires-before-the-stop").statusCode());
            assertEquals(Integer.toString(written.size()), second.get("/size").body());
            // New versions stay above the restored ones: a new write's ETag is new, and If-Match on a
            // restored ETag still works.
            HttpResponse<byte[]> rewrite = put(second, "fresh", new byte[] {2}, null, null);
            assertFalse(etags.containsValue(rewrite.headers().firstValue("ETag").orElseThrow()));
            HttpResponse<String> cas = second.put("/kv/json", "{\"a\":2}", "If-Match", etags.get("json"));
            assertEquals(204, cas.statusCode());
        }
    }

    /**
     * Keys that only an encoded path reaches ('%', '/', '\', control characters, one of the longest) are
     * written and restored as the keys themselves, and are addressed by the same paths after the restart.
     */
    @Test
    void keysOfEncodedPathsSurviveARestart() throws Exception {
        Path file = dir.resolve("encoded.snap");
        List<String> paths = List.of("/kv/50%25", "/kv/%2541", "/kv/a%2Fb", "/kv/C:%5Ctemp", "/kv/tab%09key",
                "/kv/%0D%0A", "/kv/x%2F..%2Fy", "/size%2F", "/kv/" + "%25".repeat(250));
        try (TestServer first = new TestServer("--snapshot", file.toString())) {
            for (String path : paths) {
                assertEquals(204, first.put(path, path).statusCode(), path);
            }
        }
        try (TestServer second = new TestServer("--snapshot", file.toString())) {
            assertEquals(Integer.toString(paths.size()), second.get("/size").body());
            for (String path : paths) {
                HttpResponse<String> read = second.get(path);
                assertEquals(200, read.statusCode(), path);
                assertEquals(path, read.body(), path);
            }
            assertEquals(404, second.get("/kv/A").statusCode(), "%2541 was decoded twice");
            assertEquals("/kv/a%2Fb", second.get("/kv/a/b").body());
        }
    }

    @Test
    void entriesWhoseTtlRanOutWhileTheServerWasDownAreSkipped() throws Exception {
        Path file = dir.resolve("cache.snap");
        try (TestServer first = new TestServer(Clock.fixed(T0, ZoneOffset.UTC), "--snapshot", file.toString())) {
            put(first, "short", new byte[] {1}, null, "5s");
            put(first, "default", new byte[] {2}, null, null);
            put(first, "long", new byte[] {3}, null, "1m");
        }
        try (TestServer second = new TestServer(Clock.fixed(T0.plusSeconds(7), ZoneOffset.UTC),
                "--snapshot", file.toString())) {
            assertEquals(404, get(second, "short").statusCode());
            // The fake tickers stand still, so only the 7 s of downtime count.
            HttpResponse<byte[]> read = get(second, "long");
            assertEquals(200, read.statusCode());
            assertEquals("53000", read.headers().firstValue("Kv-Ttl-Remaining-Ms").orElse(null));
            assertEquals("3000", get(second, "default").headers().firstValue("Kv-Ttl-Remaining-Ms").orElse(null));
            assertEquals("2", second.get("/size").body());
            second.ticker.advance(Duration.ofMillis(3_000));
            assertEquals(404, get(second, "default").statusCode());
        }
        SnapshotFile.Contents contents = SnapshotFile.read(file);
        assertEquals(1, contents.entries().size());
        assertEquals(T0.plusSeconds(7).toEpochMilli(), contents.writtenAtMillis());

        // A clock that went backwards counts as no time down; an entry with exactly its remaining TTL
        // elapsed is expired.
        KvHandler third = new KvHandler(KvHandlerOptions.builder().ticker(new FakeTicker()).build());
        Snapshots.Restored restored;
        try (Snapshots snapshots = new Snapshots(file, third, Clock.fixed(T0, ZoneOffset.UTC), 0)) {
            restored = snapshots.restore(false);
        }
        assertEquals(new Snapshots.Restored(1, 0), restored);
        // 53 s at the second start, 3 s passed on its ticker before it stopped.
        assertEquals(50_000, TimeUnit.NANOSECONDS.toMillis(entry(third, "long").expiresInNanos()));
        KvHandler fourth = new KvHandler(KvHandlerOptions.builder().ticker(new FakeTicker()).build());
        try (Snapshots snapshots = new Snapshots(file, fourth, Clock.fixed(T0.plusSeconds(57), ZoneOffset.UTC), 0)) {
            restored = snapshots.restore(false);
        }
        assertEquals(new Snapshots.Restored(0, 1), restored);
        assertEquals(null, entry(fourth, "long"));
    }

    @Test
    void everyAlteredOrTruncatedByteIsDetected() throws Exception {
        Path file = dir.resolve("small.snap");
        KvHandlerOptions options = KvHandlerOptions.builder().ticker(new FakeTicker()).build();
        KvHandler store = new KvHandler(options);
        store.restore("k1", StoredValue.of("v1".getBytes(StandardCharsets.UTF_8), "text/x"), Duration.ofMinutes(1));
        store.restore("k2", StoredValue.of(new byte[] {0, 1, 2}, "text/plain; charset=utf-8"), options.defaultTtl());
        SnapshotFile.Written written = SnapshotFile.write(file, store, T0.toEpochMilli());
        assertEquals(2, written.entries());
        byte[] good = Files.readAllBytes(file);
        assertEquals(good.length, written.bytes());
        assertEquals(2, SnapshotFile.read(file).entries().size());

        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Files.write(file, bad);
            int at = i;
            assertThrows(SnapshotFile.CorruptException.class, () -> SnapshotFile.read(file), "flip at " + at);
        }
        for (int length = 0; length < good.length; length++) {
            Files.write(file, java.util.Arrays.copyOf(good, length));
            int at = length;
            assertThrows(SnapshotFile.CorruptException.class, () -> SnapshotFile.read(file), "cut at " + at);
        }
        Files.write(file, java.util.Arrays.copyOf(good, good.length + 1));
        assertThrows(SnapshotFile.CorruptException.class, () -> SnapshotFile.read(file), "one byte more");
    }

    @Test
    void aCorruptSnapshotStopsTheStartUnlessIgnored() throws Exception {
        Path file = dir.resolve("cache.snap");
        try (TestServer first = new TestServer("--snapshot", file.toString())) {
            put(first, "k", "value".getBytes(StandardCharsets.UTF_8), null, "1m");
        }
        byte[] good = Files.readAllBytes(file);
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 1;
        Files.write(file, flipped);
        SnapshotFile.CorruptException corrupt = assertThrows(SnapshotFile.CorruptException.class,
                () -> new TestServer("--snapshot", file.toString()).close());
        assertTrue(corrupt.getMessage().contains("is corrupt: checksum mismatch")
                && corrupt.getMessage().contains("--snapshot-ignore-corrupt"), corrupt.getMessage());

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 3));
        corrupt = assertThrows(SnapshotFile.CorruptException.class,
                () -> new TestServer("--snapshot", file.toString()).close());
        assertTrue(corrupt.getMessage().contains("truncated"), corrupt.getMessage());
        // The command line exits with 1 without starting.
        int status = ServerMain.run(new String[] {"--port", "0", "--snapshot", file.toString()}, Map.of(),
                new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
        assertEquals(1, status);
        assertArrayEquals(java.util.Arrays.copyOf(good, good.length - 3), Files.readAllBytes(file), "left as it was");

        try (TestServer ignoring = new TestServer("--snapshot", file.toString(), "--snapshot-ignore-corrupt")) {
            assertEquals(404, get(ignoring, "k").statusCode());
            assertFalse(Files.exists(file));
            assertArrayEquals(java.util.Arrays.copyOf(good, good.length - 3),
                    Files.readAllBytes(dir.resolve("cache.snap.corrupt")), "set aside");
            put(ignoring, "after", new byte[] {7}, null, "1m");
        }
        assertEquals("after", SnapshotFile.read(file).entries().get(0).key());
    }

    @Test
    void theIntervalWritesWhileServing() throws Exception {
        Path file = dir.resolve("cache.snap");
        try (TestServer server = new TestServer("--snapshot", file.toString(), "--snapshot-interval", "100ms")) {
            put(server, "k", new byte[] {1, 2, 3}, "application/x-test", "1m");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // Polls until a periodic write has seen the entry (the first may predate it).
            while (!Files.exists(file) || SnapshotFile.read(file).entries().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "no periodic snapshot within 10 s");
                Thread.sleep(20);
            }
            SnapshotFile.Entry entry = SnapshotFile.read(file).entries().get(0);
            assertEquals("k", entry.key());
            assertArrayEquals(new byte[] {1, 2, 3}, entry.value().toByteArray());
            assertEquals("application/x-test", entry.value().mediaType());
            assertEquals(60_000, entry.remainingMillis());
        }
    }

    @Test
    void aMissingSnapshotStartsEmpty() throws Exception {
        Path file = dir.resolve("never-written.snap");
        try (TestServer server = new TestServer("--snapshot", file.toString())) {
            assertEquals("0", server.get("/size").body());
            assertNotEquals(200, get(server, "k").statusCode());
        }
        assertEquals(0, SnapshotFile.read(file).entries().size(), "written on shutdown, empty");

        // A directory that cannot hold the snapshot stops the start, rather than the data at shutdown.
        ServerConfig nowhere = ServerConfig.parse(new String[] {"--port", "0", "--snapshot",
                dir.resolve("missing-dir").resolve("cache.snap").toString()}, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvServer.start(nowhere, new FakeTicker()).close());
        assertTrue(e.getMessage().startsWith("--snapshot " + dir.resolve("missing-dir").resolve("cache.snap")
                + ": the directory " + dir.resolve("missing-dir") + " does not exist"), e.getMessage());
    }
}
