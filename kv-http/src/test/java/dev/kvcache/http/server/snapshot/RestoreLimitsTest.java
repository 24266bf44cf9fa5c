package dev.kvcache.http.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore applies today's limits, as a write would: an entry whose key or value is over the limit, or whose
 * content type is not a valid header value, is skipped, and the restore stops at the byte bound rather than
 * have the cache evict what it restored; the start-up line counts each reason. Before, every entry was stored
 * (a 2 KiB value under a 1 KiB limit, a content type with a CR LF that split the response's header).
 */
class RestoreLimitsTest {
    @TempDir
    Path dir;

    private static Map<String, CacheEntry<String, StoredValue>> entries(KvHandler handler) {
        Map<String, CacheEntry<String, StoredValue>> entries = new HashMap<>();
        handler.forEachEntry(entry -> entries.put(entry.getKey(), entry));
        return entries;
    }

    private static StoredValue value(int bytes, String type) {
        return StoredValue.of(new byte[bytes], type);
    }

    @Test
    void entriesOverTodaysLimitsAreSkippedAndCounted() throws Exception {
        Path file = dir.resolve("cache.snap");
        KvHandler writer = new KvHandler(KvHandlerOptions.builder().ticker(new FakeTicker()).maxKeyBytes(1000)
                .maxValueBytes(1 << 20).build());
        writer.restore("ok", value(10, "text/plain"), Duration.ofHours(1));
        writer.restore("k".repeat(300), value(10, "text/plain"), Duration.ofHours(1));
        writer.restore("big", value(2048, "text/plain"), Duration.ofHours(1));
        writer.restore("split", value(10, "text/plain\r\nSet-Cookie: a=b"), Duration.ofHours(1));
        writer.restore("tab", value(10, "text/plain;\tcharset=utf-8"), Duration.ofHours(1));
        SnapshotFile.write(file, writer, Clock.systemUTC().millis());

        KvHandler reader = new KvHandler(KvHandlerOptions.builder().ticker(new FakeTicker()).maxKeyBytes(250)
                .maxValueBytes(1024).build());
        String log;
        Snapshots.Restored restored;
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (Snapshots snapshots = new Snapshots(file, reader, Clock.systemUTC(), 0)) {
            restored = snapshots.restore(false);
        } finally {
            System.setErr(original);
            log = captured.toString(StandardCharsets.UTF_8);
        }
        assertEquals(new Snapshots.Restored(2, 0, 3), restored);
        assertEquals(java.util.Set.of("ok", "tab"), entries(reader).keySet());
        List<String> lines = log.lines().filter(line -> line.contains("Restored ")).toList();
        assertEquals(1, lines.size(), log);
        assertTrue(lines.get(0).endsWith("; skipped 0 that expired meanwhile, 1 with a key over --max-key-bytes, 1 with a"
                + " value over --max-value-bytes, 1 with a content type that is not a valid header value"), lines.get(0));
    }

    @Test
    void theRestoreStopsAtTheByteBoundInFileOrder() throws Exception {
        Path file = dir.resolve("cache.snap");
        KvHandler writer = new KvHandler(KvHandlerOptions.builder().ticker(new FakeTicker()).build());
        for (int i = 0; i < 100; i++) {
            writer.restore("k" + i, value(1000, "text/plain"), Duration.ofHours(1));
        }
        SnapshotFile.write(file, writer, Clock.systemUTC().millis());
        List<String> order = new ArrayList<>();
        for (SnapshotFile.Entry entry : SnapshotFile.read(file).entries()) {
            order.add(entry.key());
        }

        // Each entry weighs 1000 + 2 or 3 key bytes + 256: 40 of them fit in 50 000 bytes, 39 for sure.
        KvHandlerOptions options = KvHandlerOptions.builder().ticker(new FakeTicker()).maxBytes(50_000)
                .maxEntries(1_000).build();
        KvHandler reader = new KvHandler(options);
        long fit = 0;
        long weight = 0;
        for (String key : order) {
            long next = options.weightOf(key, value(1000, "text/plain"));
            if (weight + next > options.maxBytes()) {
                break;
            }
            weight += next;
            fit++;
        }
        assertTrue(fit >= 39 && fit <= 40, "fit " + fit);
        Snapshots.Restored restored;
        try (Snapshots snapshots = new Snapshots(file, reader, Clock.systemUTC(), 0)) {
            restored = snapshots.restore(false);
        }
        assertEquals(new Snapshots.Restored(fit, 0, 100 - fit), restored);
        Map<String, CacheEntry<String, StoredValue>> held = entries(reader);
        assertEquals(fit, held.size(), "none of the restored was evicted");
        for (int i = 0; i < order.size(); i++) {
            if (i < fit) {
                assertTrue(held.containsKey(order.get(i)), order.get(i) + " is among the first " + fit + " in the file");
            } else {
                assertNull(held.get(order.get(i)), order.get(i));
            }
        }
    }
}
