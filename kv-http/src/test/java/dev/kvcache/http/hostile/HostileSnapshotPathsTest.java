package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import dev.kvcache.http.server.snapshot.Snapshots;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots.removeStaleTempFiles: "Deletes the temporary files of writes that a crash ... cut off before
 * their rename". It matches names only, so an entry named like a temp file but not one of ours (a
 * directory) is deleted if empty and, if not, fails the start with a bare DirectoryNotEmptyException.
 */
class HostileSnapshotPathsTest {
    @TempDir
    Path dir;

    private static Snapshots snapshots(Path file) {
        return new Snapshots(file, new KvHandler(KvHandlerOptions.defaults()), Clock.systemUTC(), 0);
    }

    @Test
    void aDirectoryNamedLikeATempFileIsNeitherDeletedNorFatal() throws Exception {
        Path file = dir.resolve("cache.snap");
        Path empty = Files.createDirectory(dir.resolve("cache.snap.1.tmp"));
        Path full = Files.createDirectory(dir.resolve("cache.snap.2.tmp"));
        Files.write(full.resolve("someone-elses-data"), new byte[] {42});
        try (Snapshots snapshots = snapshots(file)) {
            assertEquals(new Snapshots.Restored(0, 0), snapshots.restore(false),
                    "a directory named like a temp file fails the start");
        }
        assertTrue(Files.isDirectory(empty), "an empty directory that no snapshot write made was deleted");
        assertTrue(Files.exists(full.resolve("someone-elses-data")));
    }

    /**
     * "--snapshot ... give the path of a regular file ... the server reads it whole at start and replaces it
     * at shutdown". A symlink to a regular file passes the check (isRegularFile follows links) and is read
     * through, but the save's rename replaces the link itself: the file read at start is never written again.
     */
    @Test
    void aSnapshotPathThatIsASymlinkToARegularFileIsWrittenWhereItWasRead() throws Exception {
        Path real = Files.createDirectory(dir.resolve("data")).resolve("real.snap");
        KvHandler first = new KvHandler(KvHandlerOptions.defaults());
        first.restore("a", StoredValue.of("1".getBytes(StandardCharsets.UTF_8), "text/plain"), Duration.ofHours(1));
        try (Snapshots snapshots = new Snapshots(real, first, Clock.systemUTC(), 0)) {
            snapshots.save();
        }
        Path link = Files.createSymbolicLink(dir.resolve("cache.snap"), real);
        KvHandler second = new KvHandler(KvHandlerOptions.defaults());
        try (Snapshots snapshots = new Snapshots(link, second, Clock.systemUTC(), 0)) {
            assertEquals(1, snapshots.restore(false).loaded(), "read through the link");
            second.restore("b", StoredValue.of("2".getBytes(StandardCharsets.UTF_8), "text/plain"), Duration.ofHours(1));
            snapshots.save();
        }
        assertTrue(Files.isSymbolicLink(link), "the save replaced the --snapshot symlink with a regular file");
        KvHandler third = new KvHandler(KvHandlerOptions.defaults());
        try (Snapshots again = new Snapshots(real, third, Clock.systemUTC(), 0)) {
            assertEquals(2, again.restore(false).loaded(), "the file read at start (the link's target) was not replaced");
        }
    }

    /** A link to nothing would be replaced by a regular file at the first save: refused at start instead. */
    @Test
    void aSnapshotPathThatIsADanglingSymlinkIsRefusedAtStart() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("cache.snap"), dir.resolve("missing").resolve("real.snap"));
        try (Snapshots snapshots = snapshots(link)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> snapshots.restore(false));
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        }
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void aSnapshotPathWhoseParentIsAFileSaysSo() throws Exception {
        Path notADirectory = Files.write(dir.resolve("plain-file"), new byte[] {1});
        Path file = notADirectory.resolve("cache.snap");
        try (Snapshots snapshots = snapshots(file)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> snapshots.restore(false));
            assertTrue(e.getMessage().contains("is not a directory"),
                    "the message says the directory does not exist, but it exists and is a file: " + e.getMessage());
        }
    }
}
