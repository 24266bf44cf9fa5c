package dev.kvcache.http.server.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive claim of one server on a snapshot file: an OS file lock ({@link FileChannel#tryLock()}) on
 * {@code FILE.lock} beside it, which holds the holder's PID. Two servers on one file would delete each other's
 * in-flight temp files at start and overwrite each other's snapshots. The OS releases the lock with the
 * process, however it ends ({@code kill -9} included), so a stale lock file never blocks a restart; the file
 * itself stays (deleting it would let a third server lock a new file while the second holds the old one).
 */
final class SnapshotLock implements AutoCloseable {
    private final FileChannel channel;

    private SnapshotLock(FileChannel channel) {
        this.channel = channel;
    }

    /** @return the lock file of {@code snapshot}: {@code FILE.lock} in the same directory */
    static Path pathOf(Path snapshot) {
        return snapshot.resolveSibling(snapshot.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code snapshot}, without waiting.
     *
     * @throws IllegalStateException if another server (process, or server in this JVM) holds it; the message
     *     names {@code --snapshot} and the holder's PID
     * @throws IllegalArgumentException if the lock file cannot be opened, or exists and is a symbolic link or not a
     *     regular file (the message names {@code --snapshot})
     * @throws IOException if the lock file cannot be locked or written
     */
    static SnapshotLock acquire(Path snapshot) throws IOException {
        Path path = pathOf(snapshot);
        if (Files.isSymbolicLink(path)) {
            // The lock file is truncated once locked: through a link, that would wipe whatever file it names.
            throw new IllegalArgumentException("--snapshot " + snapshot + ": its lock file " + path + " is a symbolic"
                    + " link; remove it, the server creates that file itself and overwrites it with its PID");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            // A FIFO opens (read-write does not block on Linux) and then fails with a bare "Illegal seek".
            throw new IllegalArgumentException("--snapshot " + snapshot + ": its lock file " + path + " is not a regular"
                    + " file; remove it, the server creates that file itself and overwrites it with its PID");
        }
        FileChannel channel;
        try {
            // NOFOLLOW_LINKS: a link planted after the check fails to open (ELOOP) rather than being followed.
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IllegalArgumentException("--snapshot " + snapshot + ": cannot open its lock file " + path + " ("
                    + e + "); the server locks it so that no second server uses the same snapshot file", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new IllegalStateException("--snapshot " + snapshot + " is in use by another server (" + holder
                    + " holds the lock on " + path + "); give each server its own snapshot file");
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            channel.force(false);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new SnapshotLock(channel);
    }

    /** The PID the holder wrote, as "PID n", or a plain description if the file says none yet. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
            if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
                return "PID " + text;
            }
        } catch (IOException e) {
            // Locks are advisory on Linux, but not everywhere: the holder then goes unnamed.
        }
        return "a process that has not written its PID yet";
    }

    /** Releases the lock (closing the channel does). Idempotent. */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
