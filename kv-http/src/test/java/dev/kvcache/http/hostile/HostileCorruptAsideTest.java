package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.server.snapshot.Snapshots;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --snapshot-ignore-corrupt} "moves it to FILE.corrupt, or FILE.corrupt.N with the lowest N free: earlier
 * ones are kept" (docs/http.md), attacked with names that are taken by things other than earlier corrupt files.
 */
class HostileCorruptAsideTest {
    @TempDir
    Path dir;

    private static Snapshots snapshots(Path file) {
        return new Snapshots(file, new KvHandler(KvHandlerOptions.defaults()), Clock.systemUTC(), 0);
    }

    /** Pins: a dangling link, a directory and a link to a file at the lower names are all "taken", and kept. */
    @Test
    void namesTakenByLinksAndDirectoriesAreSkippedAndLeftAlone() throws Exception {
        Path file = Files.writeString(dir.resolve("cache.snap"), "not a snapshot");
        Path dangling = Files.createSymbolicLink(dir.resolve("cache.snap.corrupt"), dir.resolve("nowhere"));
        Path directory = Files.createDirectory(dir.resolve("cache.snap.corrupt.1"));
        Path other = Files.writeString(dir.resolve("other.txt"), "other");
        Path link = Files.createSymbolicLink(dir.resolve("cache.snap.corrupt.2"), other);
        try (Snapshots snapshots = snapshots(file)) {
            assertEquals(new Snapshots.Restored(0, 0), snapshots.restore(true));
        }
        assertEquals("not a snapshot", Files.readString(dir.resolve("cache.snap.corrupt.3")));
        assertFalse(Files.exists(file));
        assertTrue(Files.isSymbolicLink(dangling) && !Files.exists(dangling));
        assertTrue(Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("other", Files.readString(other), "the file a taken name links to is unchanged");
    }
}
