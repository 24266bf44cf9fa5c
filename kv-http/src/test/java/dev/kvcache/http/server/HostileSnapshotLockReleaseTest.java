package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot lock is released by a start that fails after taking it (the port is taken: the restore came
 * first), so a retry in the same process (an embedding supervisor, a test) is not refused by its own dead start.
 */
class HostileSnapshotLockReleaseTest {
    @TempDir
    Path dir;

    @Test
    void aStartThatFailsToBindReleasesTheLock() throws Exception {
        Path file = dir.resolve("cache.snap");
        try (TestServer first = new TestServer("--snapshot", file.toString())) {
            first.put("/kv/k?ttl=1h", "kept");
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            for (int attempt = 0; attempt < 3; attempt++) {
                // No warm-up: it runs after the restore and before the bind, and would add 3 s to each attempt.
                IllegalStateException refused = assertThrows(IllegalStateException.class, () -> KvServer.start(
                        ServerConfig.parse(new String[] {"--port", String.valueOf(taken.getLocalPort()), "--threads", "16",
                            "--selectors", "2", "--warm-up", "0", "--snapshot", file.toString()}, Map.of()),
                        new FakeTicker()));
                assertTrue(refused.getMessage().contains("already in use"), refused.getMessage());
            }
        }
        try (TestServer retry = new TestServer("--snapshot", file.toString())) {
            assertEquals("kept", retry.get("/kv/k").body(), "the failed starts neither kept the lock nor lost the file");
        }
    }
}
