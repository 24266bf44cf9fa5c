package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --snapshot-ignore-corrupt} sets a corrupt file aside as {@code FILE.corrupt}, and a later one as
 * {@code FILE.corrupt.1}, {@code .2}, ...: it used to replace the earlier {@code FILE.corrupt}, losing it.
 */
class CorruptSnapshotAsideTest {
    @TempDir
    Path dir;

    @Test
    void eachCorruptFileIsKeptUnderTheFirstFreeName() throws Exception {
        Path file = dir.resolve("cache.snap");
        byte[][] corrupt = {"not a snapshot 0".getBytes(), "not a snapshot 1".getBytes(), "not a snapshot 2".getBytes()};
        for (byte[] bytes : corrupt) {
            Files.write(file, bytes);
            new TestServer("--snapshot", file.toString(), "--snapshot-ignore-corrupt").close();
        }
        assertArrayEquals(corrupt[0], Files.readAllBytes(dir.resolve("cache.snap.corrupt")));
        assertArrayEquals(corrupt[1], Files.readAllBytes(dir.resolve("cache.snap.corrupt.1")));
        assertArrayEquals(corrupt[2], Files.readAllBytes(dir.resolve("cache.snap.corrupt.2")));
        assertFalse(Files.exists(dir.resolve("cache.snap.corrupt.3")));
    }
}
