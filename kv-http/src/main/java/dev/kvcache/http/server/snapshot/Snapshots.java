package dev.kvcache.http.server.snapshot;

import dev.kvcache.core.KvCache;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.StoredValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists a {@link KvHandler} across restarts in one {@link SnapshotFile}: restores it before the
 * server starts, writes it on shutdown and, optionally, periodically in a background thread. Writes
 * never overlap. Time spent while the server was down counts against restored TTLs, measured with
 * the wall clock (a clock that went backwards counts as no time).
 */
public final class Snapshots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

    private final Path file;
    /** Whether the path given was a symbolic link to {@link #file}. */
    private final boolean linked;
    private final KvHandler handler;
    private final Clock clock;
    private final long intervalMillis;
    private ScheduledExecutorService periodic;
    /** Held from {@link #restore} to {@link #unlock} or {@link #close}: this server's claim on the file. */
    private SnapshotLock lock;

    /**
     * @param intervalMillis how often {@link #startPeriodic()} writes, 0 for never
     */
    public Snapshots(Path file, KvHandler handler, Clock clock, long intervalMillis) {
        this.file = throughLinks(file);
        this.linked = !this.file.equals(file);
        this.handler = handler;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
    }

    /**
     * The file a symbolic link names, so that saves replace the file read at start (a rename onto the
     * link would replace the link itself) and their temp files sit beside it; a dangling link is kept,
     * for {@link #restore} to refuse.
     */
    private static Path throughLinks(Path file) {
        if (!Files.isSymbolicLink(file)) {
            return file;
        }
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file;
        }
    }

    /**
     * What {@link #restore} did: entries loaded, skipped because their TTL ran out while the server was down, and
     * skipped though live (over today's key or value limit, an invalid content type, past the byte bound).
     */
    public record Restored(long loaded, long expired, long skipped) {
        /** A restore that skipped no live entry. */
        public Restored(long loaded, long expired) {
            this(loaded, expired, 0);
        }
    }

    /**
     * Takes the file's lock ({@code FILE.lock}, see {@link SnapshotLock}; held until {@link #unlock}), then loads
     * the snapshot into the handler's cache, skipping entries whose TTL ran out meanwhile, those that today's
     * limits refuse (a key over {@code maxKeyBytes}, a value over {@code maxValueBytes}, a content type that is
     * not a valid header value), and, once the next entry would take the restored weight past
     * {@code maxBytes}, every later one in the file (so the cache evicts none of what it restored); a missing
     * file loads nothing. Logs what it did. If it throws, the lock is not held.
     *
     * @param ignoreCorrupt on a corrupt file, set it aside as {@code FILE.corrupt} (or {@code FILE.corrupt.<n>},
     *     the lowest n free, if that exists) and load nothing,
     *     rather than throw
     * @throws SnapshotFile.CorruptException if the file is corrupt and {@code ignoreCorrupt} is false;
     *     nothing is loaded then
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file's directory is missing or not writable, or the file exists
     *     and is not a regular file (a FIFO, a device), or it is a symbolic link to nothing
     * @throws IllegalStateException if another server holds the file's lock
     */
    public Restored restore(boolean ignoreCorrupt) throws IOException {
        checkPath();
        checkWritable();
        // Before anything that touches the directory: the temp files removed next could be a live server's.
        SnapshotLock held = SnapshotLock.acquire(file);
        try {
            Restored restored = load(ignoreCorrupt);
            synchronized (this) {
                lock = held;
            }
            return restored;
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
    }

    /** Releases the file's lock taken by {@link #restore}, for the next server; call after the last write. */
    public synchronized void unlock() {
        if (lock == null) {
            return;
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.warn("Could not release {}: {}", SnapshotLock.pathOf(file), e.toString()); // the exit releases it
        }
        lock = null;
    }

    private void checkPath() {
        if (Files.isSymbolicLink(file)) { // still a link: its target does not resolve
            throw new IllegalArgumentException("--snapshot " + file + " is a symbolic link to a missing file or"
                    + " directory; give the path of a regular file (or of one to create), or a link to an existing one");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A FIFO would block the start for good on open; a device would be replaced at shutdown.
            throw new IllegalArgumentException("--snapshot " + file + " is not a regular file; give the path of a"
                    + " regular file (or of one to create), since the server reads it whole at start and replaces"
                    + " it at shutdown");
        }
    }

    private Restored load(boolean ignoreCorrupt) throws IOException {
        removeStaleTempFiles();
        SnapshotFile.Contents contents;
        try {
            contents = SnapshotFile.read(file);
        } catch (NoSuchFileException e) {
            LOG.info("No snapshot at {} yet: starting empty", file);
            return new Restored(0, 0);
        } catch (SnapshotFile.CorruptException e) {
            if (!ignoreCorrupt) {
                throw new SnapshotFile.CorruptException("Snapshot " + file + " is corrupt: " + e.getMessage()
                        + ". Refusing to start rather than serve wrong or partial data: move the file away, or"
                        + " start with --snapshot-ignore-corrupt to set it aside and start empty.");
            }
            Path aside = setAside();
            LOG.warn("Snapshot {} is corrupt: {}; moved it to {} and starting empty (--snapshot-ignore-corrupt)",
                    file, e.getMessage(), aside);
            if (linked) {
                // The link now dangles, and a restart before the first save would be refused: give it a target.
                write();
            }
            return new Restored(0, 0);
        }
        long elapsedMillis = Math.max(0, clock.millis() - contents.writtenAtMillis());
        KvHandlerOptions options = handler.options();
        long weight = 0;
        long loaded = 0;
        long expired = 0;
        Skipped skipped = new Skipped();
        for (SnapshotFile.Entry entry : contents.entries()) {
            Duration ttl;
            if (entry.remainingMillis() < 0) {
                ttl = KvCache.NEVER;
            } else if (entry.remainingMillis() > elapsedMillis) {
                ttl = Duration.ofMillis(entry.remainingMillis() - elapsedMillis);
            } else {
                expired++;
                continue;
            }
            // Today's limits, not those of the server that wrote the file: a restored entry is stored as a write.
            StoredValue value = entry.value();
            if (entry.key().getBytes(StandardCharsets.UTF_8).length > options.maxKeyBytes()) {
                skipped.keyTooLong++;
            } else if (value.length() > options.maxValueBytes()) {
                skipped.valueTooLarge++;
            } else if (!isFieldValue(value.mediaType())) {
                skipped.invalidType++;
            } else if (skipped.overBound > 0 || weight + options.weightOf(entry.key(), value) > options.maxBytes()) {
                // The bound is reached: stop there (in file order) rather than have the cache evict what it restored.
                skipped.overBound++;
            } else {
                weight += options.weightOf(entry.key(), value);
                handler.restore(entry.key(), value, ttl);
                loaded++;
            }
        }
        LOG.info("Restored {} entries from {} (written {}, {} ms ago); skipped {} that expired meanwhile{}",
                loaded, file, Instant.ofEpochMilli(contents.writtenAtMillis()), elapsedMillis, expired, skipped);
        return new Restored(loaded, expired, skipped.total());
    }

    /** The entries a restore skipped though live, by reason; {@link #toString} is the log line's tail. */
    private static final class Skipped {
        long keyTooLong;
        long valueTooLarge;
        long invalidType;
        long overBound;

        long total() {
            return keyTooLong + valueTooLarge + invalidType + overBound;
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            append(text, keyTooLong, "with a key over --max-key-bytes");
            append(text, valueTooLarge, "with a value over --max-value-bytes");
            append(text, invalidType, "with a content type that is not a valid header value");
            append(text, overBound, "past the --max-bytes/--max-entries bound, where the restore stopped");
            return text.toString();
        }

        private static void append(StringBuilder text, long count, String why) {
            if (count > 0) {
                text.append(", ").append(count).append(' ').append(why);
            }
        }
    }

    /**
     * @return whether {@code text} can be sent as a header value as a write's {@code Content-Type} arrived
     *     (RFC 9110 5.5: visible ISO-8859-1 characters, spaces and tabs); a control character would split or
     *     end the response's header
     */
    private static boolean isFieldValue(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\t' && (c < 0x20 || c == 0x7f || c > 0xff)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Moves the corrupt file to {@code FILE.corrupt}, or to {@code FILE.corrupt.<n>} with the lowest n free:
     * earlier ones are kept for a post-mortem (a move never replaces one).
     *
     * @return where it went
     */
    private Path setAside() throws IOException {
        String name = file.getFileName() + ".corrupt";
        for (int n = 0; ; n++) {
            Path aside = file.resolveSibling(n == 0 ? name : name + "." + n);
            try {
                return Files.move(file, aside);
            } catch (FileAlreadyExistsException taken) {
                // the next number
            }
        }
    }

    /**
     * Finds out at start, not at the shutdown that would lose the entries, whether snapshots can be
     * written: creates and deletes a temporary file where {@link SnapshotFile#write} will.
     *
     * @throws IllegalArgumentException if the directory is missing or not writable
     */
    private void checkWritable() {
        Path directory = file.toAbsolutePath().getParent();
        try {
            Files.delete(SnapshotFile.createTemp(file));
        } catch (IOException | RuntimeException e) {
            String why = Files.exists(directory) && !Files.isDirectory(directory) ? directory + " is not a directory"
                    : !Files.isDirectory(directory) ? "the directory " + directory + " does not exist"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied in " + directory
                    : "cannot create a file in " + directory + " (" + e.getMessage() + ")";
            throw new IllegalArgumentException("--snapshot " + file + ": " + why
                    + "; the server would lose the entries at shutdown, so it does not start", e);
        }
    }

    /**
     * Deletes the temporary files of writes that a crash (SIGKILL, power loss) cut off before their rename:
     * each is as large as the payload, and nothing else would ever remove them. Runs before any write of
     * this instance, so none of them is in use. Only regular files: a directory or link of that name is
     * not one of ours.
     */
    private void removeStaleTempFiles() throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(directory,
                candidate -> SnapshotFile.isTempName(file, candidate))) {
            for (Path temp : stale) {
                if (!Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Files.deleteIfExists(temp);
                LOG.info("Removed {}, left by a snapshot write that did not complete", temp);
            }
        }
    }

    /** Starts writing the snapshot every interval, if one was given. */
    public synchronized void startPeriodic() {
        if (intervalMillis <= 0 || periodic != null) {
            return;
        }
        periodic = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "kv-snapshot");
            thread.setDaemon(true);
            return thread;
        });
        periodic.scheduleWithFixedDelay(this::savePeriodically, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        LOG.info("Writing the snapshot to {} every {} ms; each periodic write is logged at DEBUG, a failed one at WARN",
                file, intervalMillis);
    }

    /** One periodic write: logged at DEBUG, since at a short interval INFO would be a line a second. */
    void savePeriodically() {
        try {
            Timed written = write();
            LOG.debug("Wrote snapshot of {} entries ({} bytes) to {} in {} ms", written.entries(), written.bytes(),
                    file, written.millis());
        } catch (IOException | RuntimeException e) {
            // The previous snapshot is intact; the next attempt may succeed (a full disk freed, say).
            LOG.warn("Periodic snapshot to {} failed: {}", file, e.toString());
        }
    }

    /**
     * Writes every live entry to the file, replacing it atomically, and logs it. Serialized with other
     * writes of this instance.
     *
     * @return what was written
     * @throws IOException if the file cannot be written; the previous snapshot is then intact
     */
    public SnapshotFile.Written save() throws IOException {
        Timed written = write();
        LOG.info("Wrote snapshot of {} entries ({} bytes) to {} in {} ms", written.entries(), written.bytes(), file,
                written.millis());
        return written.written();
    }

    private record Timed(SnapshotFile.Written written, long millis) {
        long entries() {
            return written.entries();
        }

        long bytes() {
            return written.bytes();
        }
    }

    private synchronized Timed write() throws IOException {
        long beginNanos = System.nanoTime();
        SnapshotFile.Written written = SnapshotFile.write(file, handler, clock.millis());
        return new Timed(written, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos));
    }

    /** Stops periodic writes and releases the file's lock ({@link #stopPeriodic}, {@link #unlock}). Does not write. Idempotent. */
    @Override
    public void close() {
        stopPeriodic();
        unlock();
    }

    /** Stops periodic writes, waiting for one in progress. Does not write; the lock stays held. Idempotent. */
    public void stopPeriodic() {
        ScheduledExecutorService executor;
        synchronized (this) {
            executor = periodic;
        }
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            executor.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
