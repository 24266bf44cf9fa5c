package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.server.TestServer;
import dev.kvcache.http.server.snapshot.Snapshots;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-server-per-file lock (docs/http.md "One server per file") attacked through the paths that name it:
 * a symlinked lock file, symlinked directories, relative and absolute names, stale lock files, restart loops.
 */
class HostileSnapshotLockTest {
    @TempDir
    Path dir;

    private static Snapshots snapshots(Path file) {
        return new Snapshots(file, new KvHandler(KvHandlerOptions.defaults()), Clock.systemUTC(), 0);
    }

    private static String pid() {
        return ProcessHandle.current().pid() + "\n";
    }

    /**
     * Was: FILE.lock is opened following links and truncated, so a link planted there (in a shared directory,
     * or a mistaken {@code ln -s}) had the server wipe the file it names and write its PID in it.
     */
    @Test
    void aLockFileThatIsASymlinkIsRefusedAndItsTargetLeftAlone() throws Exception {
        Path victim = Files.writeString(dir.resolve("precious.txt"), "someone's data\n");
        Path file = dir.resolve("cache.snap");
        Files.createSymbolicLink(dir.resolve("cache.snap.lock"), victim);
        try (Snapshots snapshots = snapshots(file)) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> snapshots.restore(false));
            assertTrue(refused.getMessage().startsWith("--snapshot " + file + ": its lock file " + dir.resolve("cache.snap.lock")
                    + " is a symbolic link"), refused.getMessage());
        }
        assertEquals("someone's data\n", Files.readString(victim), "the link's target was overwritten");
    }

    /**
     * Was: a FIFO at FILE.lock opened (read-write does not block on Linux) and the start failed with a bare
     * "java.io.IOException: Illegal seek" that named neither the flag nor the file.
     */
    @Test
    void aLockFileThatIsNotARegularFileIsRefusedWithASentence() throws Exception {
        Path file = dir.resolve("cache.snap");
        Path lock = dir.resolve("cache.snap.lock");
        assertEquals(0, new ProcessBuilder("mkfifo", lock.toString()).inheritIO().start().waitFor());
        try (Snapshots snapshots = snapshots(file)) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> snapshots.restore(false));
            assertEquals("--snapshot " + file + ": its lock file " + lock + " is not a regular file; remove it, the server"
                    + " creates that file itself and overwrites it with its PID", refused.getMessage());
        }
        Files.delete(lock);
        Files.createDirectory(lock);
        try (Snapshots snapshots = snapshots(file)) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> snapshots.restore(false));
            assertTrue(refused.getMessage().contains(" is not a regular file; "), refused.getMessage());
        }
    }

    /** Pins: a stale lock file from a crash (another PID, any content) is taken over and holds this PID only. */
    @Test
    void aStaleLockFileIsTakenOverWhateverItHolds() throws Exception {
        Path file = dir.resolve("cache.snap");
        Path lock = dir.resolve("cache.snap.lock");
        Files.writeString(lock, "999999999\n" + "x".repeat(100_000));
        try (Snapshots snapshots = snapshots(file)) {
            assertEquals(new Snapshots.Restored(0, 0), snapshots.restore(false));
            assertEquals(pid(), Files.readString(lock, StandardCharsets.US_ASCII));
        }
        assertTrue(Files.exists(lock), "the lock file stays after the release");
        try (Snapshots again = snapshots(file)) {
            assertEquals(new Snapshots.Restored(0, 0), again.restore(false), "released on close");
        }
    }

    /** Pins: the same file by a relative and an absolute name, and through a symlinked directory, is one lock. */
    @Test
    void oneFileByAnyNameIsOneLock() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path file = real.resolve("cache.snap");
        Path linkedDir = Files.createSymbolicLink(dir.resolve("linked"), real);
        Path relative = Path.of("").toAbsolutePath().relativize(file);
        assertFalse(relative.isAbsolute());
        try (Snapshots first = snapshots(file)) {
            first.restore(false);
            for (Path other : new Path[] {relative, linkedDir.resolve("cache.snap"), real.resolve("../real/./cache.snap"),
                    linkedDir.resolve("../linked/cache.snap")}) {
                try (Snapshots second = snapshots(other)) {
                    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> second.restore(false),
                            other.toString());
                    assertTrue(refused.getMessage().contains("is in use by another server (PID "
                            + ProcessHandle.current().pid() + " holds the lock on "), refused.getMessage());
                }
            }
        }
        try (Snapshots viaLink = snapshots(linkedDir.resolve("cache.snap"))) {
            assertEquals(new Snapshots.Restored(0, 0), viaLink.restore(false), "free once the first closed");
        }
    }

    /** Pins: a server restarted over and over on one file keeps every write, and each stop frees the lock. */
    @Test
    void aRestartLoopKeepsEveryWriteAndNeverFindsItsOwnLock() throws Exception {
        Path file = dir.resolve("loop.snap");
        for (int round = 0; round < 8; round++) {
            try (TestServer server = new TestServer("--snapshot", file.toString())) {
                for (int earlier = 0; earlier < round; earlier++) {
                    assertEquals("v" + earlier, server.get("/kv/k" + earlier).body(), "round " + round);
                }
                assertEquals(204, server.put("/kv/k" + round + "?ttl=1h", "v" + round).statusCode());
            }
        }
        assertEquals(pid(), Files.readString(dir.resolve("loop.snap.lock"), StandardCharsets.US_ASCII));
    }
}
