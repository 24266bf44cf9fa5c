package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One server per snapshot file: a second server on the same file refuses to start, before it touches the
 * first one's files. Before, it started, deleted the first's in-flight temp file and overwrote its snapshots.
 * (The lock going with a killed process is {@code SnapshotLockIT}'s.)
 */
class SnapshotLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondServerOnTheSameFileRefusesToStartAndLeavesTheFirstsFilesAlone() throws Exception {
        Path file = dir.resolve("cache.snap");
        try (TestServer first = new TestServer("--snapshot", file.toString())) {
            first.put("/kv/k", "first");
            Path inFlight = dir.resolve("cache.snap.123456.tmp"); // as the first's write would have it
            Files.write(inFlight, new byte[] {1, 2, 3});
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> new TestServer("--snapshot", file.toString()).close());
            assertEquals("--snapshot " + file + " is in use by another server (PID " + ProcessHandle.current().pid()
                    + " holds the lock on " + dir.resolve("cache.snap.lock") + "); give each server its own snapshot"
                    + " file", refused.getMessage());
            assertTrue(Files.exists(inFlight), "the first server's temp file is still there");
            Files.delete(inFlight);
            // Through a symbolic link the file is the same, and so is its lock.
            Path link = Files.createSymbolicLink(dir.resolve("link.snap"), file.getFileName());
            first.close(); // writes the snapshot, then releases the lock
            try (TestServer viaLink = new TestServer("--snapshot", link.toString())) {
                assertEquals("first", viaLink.get("/kv/k").body(), "restored once the first stopped");
                assertThrows(IllegalStateException.class, () -> new TestServer("--snapshot", file.toString()).close());
            }
        }
        try (TestServer again = new TestServer("--snapshot", file.toString())) {
            assertEquals("first", again.get("/kv/k").body());
        }
    }

    @Test
    void theRefusedServerExitsWithStatus1() throws Exception {
        Path file = dir.resolve("cache.snap");
        try (TestServer first = new TestServer("--snapshot", file.toString())) {
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                // On a server that did start, run() would block until stopped: the timeout fails the test then.
                Future<Integer> status = runner.submit(() -> ServerMain.run(new String[] {"--port", "0", "--threads",
                        "16", "--selectors", "2", "--snapshot", file.toString()}, Map.of(),
                        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
                assertEquals(KvServer.EXIT_CANNOT_START, status.get(60, TimeUnit.SECONDS));
            } finally {
                runner.shutdownNow();
            }
        }
    }
}
