package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit status each kind of stop reports ({@code ExitStatusIT} checks it as the process's). */
class StopStatusTest {
    @TempDir
    Path dir;

    @Test
    void aCleanStopIs0AndStaysSo() throws Exception {
        try (TestServer server = new TestServer("--snapshot", dir.resolve("kv.snapshot").toString())) {
            server.post("/k", "v");
            assertEquals(KvServer.EXIT_OK, server.server.stop());
            assertEquals(KvServer.EXIT_OK, server.server.stop());
        }
    }

    @Test
    void aFinalSnapshotThatCannotBeWrittenIs4() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("gone"));
        try (TestServer server = new TestServer("--snapshot", directory.resolve("kv.snapshot").toString())) {
            server.post("/k", "v");
            Files.delete(directory.resolve("kv.snapshot.lock")); // the server's lock file (a held lock does not stop this)
            Files.delete(directory);
            assertEquals(KvServer.EXIT_SNAPSHOT_FAILED, server.server.stop());
        }
    }
}
