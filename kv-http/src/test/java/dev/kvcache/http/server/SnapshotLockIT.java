package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server jars on one {@code --snapshot} file: the second exits 1 naming {@code --snapshot} and the first's
 * PID; once the first is killed with SIGKILL (no shutdown hook runs), the OS has released its lock and a new
 * server starts on the file.
 */
@Tag("heavy") // .ci/run runs it on JDK 17 only: two jars and a kill, a file lock whose outcome does not depend on the JDK
class SnapshotLockIT {
    @TempDir
    Path dir;

    @Test
    void aSecondJarIsRefusedUntilTheFirstIsKilled() throws Exception {
        Path jar = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: run mvn package first");
        Path snapshot = dir.resolve("cache.snap");
        List<Process> started = new ArrayList<>();
        try {
            Process first = start(jar, snapshot, dir.resolve("first.log"), started);
            ServerLog.awaitPort(first, dir.resolve("first.log"), Duration.ofSeconds(60));

            Path secondLog = dir.resolve("second.log");
            Process second = start(jar, snapshot, secondLog, started);
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second server did not exit");
            String log = Files.readString(secondLog);
            assertEquals(1, second.exitValue(), log);
            assertTrue(log.contains("Cannot start: --snapshot " + snapshot + " is in use by another server (PID "
                    + first.pid() + " holds the lock on " + snapshot + ".lock)"), log);

            first.destroyForcibly(); // SIGKILL
            assertTrue(first.waitFor(20, TimeUnit.SECONDS));
            Process third = start(jar, snapshot, dir.resolve("third.log"), started);
            ServerLog.awaitPort(third, dir.resolve("third.log"), Duration.ofSeconds(60));
            third.destroy(); // SIGTERM: a clean stop, which writes the snapshot
            assertTrue(third.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, third.exitValue(), Files.readString(dir.resolve("third.log")));
        } finally {
            for (Process process : started) {
                if (process.isAlive()) {
                    process.destroyForcibly();
                    process.waitFor(20, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Process start(Path jar, Path snapshot, Path log, List<Process> started) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(Stream.of(java, "-jar", jar.toString(), "--port", "0", "--warm-up", "0", "--snapshot",
                snapshot.toString()).toList()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(process);
        return process;
    }
}
