package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.server.snapshot.Snapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --snapshot-ignore-corrupt through a link: a crash before the first save must not leave the link dangling (hostile9). */
class HostileCorruptLinkLoopTest {
    @TempDir
    Path dir;

    private static Snapshots snapshots(Path file) {
        return new Snapshots(file, new KvHandler(KvHandlerOptions.defaults()), Clock.systemUTC(), 0);
    }

    @Test
    void aServerRestartedAfterACrashStartsAgainOnceItsLinksTargetWasSetAside() throws Exception {
        Path target = Files.writeString(dir.resolve("data.snap"), "not a snapshot");
        Path link = Files.createSymbolicLink(dir.resolve("cache.snap"), target);
        try (Snapshots first = snapshots(link)) {
            assertEquals(new Snapshots.Restored(0, 0), first.restore(true));
        } // no save: the process died before its first write
        assertEquals(true, Files.isRegularFile(dir.resolve("data.snap.corrupt")), "the corrupt file is kept aside");
        assertEquals(true, Files.isRegularFile(link), "the link has a target again: an empty snapshot");
        assertEquals(target, Files.readSymbolicLink(link), "the link itself is left as it was");
        try (Snapshots restarted = snapshots(link)) {
            assertEquals(new Snapshots.Restored(0, 0), restarted.restore(true), "the restart after the crash");
        }
    }
}
