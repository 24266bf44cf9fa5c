package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import dev.kvcache.http.server.snapshot.SnapshotFile;
import dev.kvcache.http.server.snapshot.Snapshots;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore "stops at the --max-bytes/--max-entries bound" (docs/http.md): at exactly either bound every entry
 * is restored and none evicted; one past, exactly one is skipped and the cache still evicts none.
 */
class HostileRestoreBoundsTest {
    @TempDir
    Path dir;

    private static StoredValue value(int bytes) {
        return StoredValue.of(new byte[bytes], "text/plain");
    }

    private Path snapshotOf(int entries, int valueBytes) throws Exception {
        Path file = dir.resolve("n" + entries + "-" + valueBytes + ".snap");
        KvHandler writer = new KvHandler(KvHandlerOptions.builder().ticker(new FakeTicker()).build());
        for (int i = 0; i < entries; i++) {
            writer.restore("k" + i, value(valueBytes), Duration.ofHours(1));
        }
        SnapshotFile.write(file, writer, Clock.systemUTC().millis());
        return file;
    }

    private static Set<String> held(KvHandler handler) {
        Set<String> keys = new HashSet<>();
        handler.forEachEntry(entry -> keys.add(entry.getKey()));
        return keys;
    }

    private static void restoreInto(Path file, KvHandlerOptions options, long loaded, long skipped) throws Exception {
        KvHandler reader = new KvHandler(options);
        try (Snapshots snapshots = new Snapshots(file, reader, Clock.systemUTC(), 0)) {
            assertEquals(new Snapshots.Restored(loaded, 0, skipped), snapshots.restore(false), file.toString());
        }
        assertEquals(loaded, held(reader).size(), "the cache evicted some of what it restored: " + file);
    }

    @Test
    void atExactlyTheEntryBoundAllAreRestoredAndOnePastOneIsSkipped() throws Exception {
        // 4 MiB over 4 entries: each small entry weighs exactly 1 MiB, so 4 fill the bound to the byte.
        KvHandlerOptions options = KvHandlerOptions.builder().ticker(new FakeTicker()).maxEntries(4).maxBytes(4 << 20).build();
        restoreInto(snapshotOf(4, 10), options, 4, 0);
        restoreInto(snapshotOf(5, 10), options, 4, 1);
    }

    @Test
    void atExactlyTheByteBoundAllAreRestoredAndOnePastOneIsSkipped() throws Exception {
        // "k0".."k3": 2 key bytes + 100 value bytes + 256 = 358 each, over the floor of 1432 / 1000.
        KvHandlerOptions options = KvHandlerOptions.builder().ticker(new FakeTicker()).maxEntries(1000).maxBytes(4 * 358)
                .build();
        assertEquals(358, options.weightOf("k0", value(100)));
        restoreInto(snapshotOf(4, 100), options, 4, 0);
        restoreInto(snapshotOf(5, 100), options, 4, 1);
    }
}
