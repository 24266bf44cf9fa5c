package dev.kvcache.http.server.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A periodic snapshot at a short interval does not fill the log; the shutdown one still shows. */
class PeriodicSnapshotLogTest {
    @TempDir
    Path dir;

    @Test
    void periodicWritesLogAtDebugAndTheFinalOneAtInfo() throws Exception {
        Path file = dir.resolve("kv.snapshot");
        Snapshots snapshots = new Snapshots(file, new KvHandler(KvHandlerOptions.defaults()), Clock.systemUTC(), 1000);
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        String periodic;
        String last;
        try {
            for (int i = 0; i < 3; i++) {
                snapshots.savePeriodically();
            }
            periodic = captured.toString(StandardCharsets.UTF_8);
            assertTrue(Files.isRegularFile(file), "the periodic writes did not write");
            snapshots.save();
            last = captured.toString(StandardCharsets.UTF_8).substring(periodic.length());
        } finally {
            System.setErr(original);
        }
        assertFalse(periodic.contains("Wrote snapshot"), periodic);
        assertEquals(1, last.lines().filter(line -> line.contains("INFO") && line.contains("Wrote snapshot of 0 entries"))
                .count(), last);
    }
}
