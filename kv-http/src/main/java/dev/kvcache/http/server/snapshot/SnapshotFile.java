package dev.kvcache.http.server.snapshot;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.StoredValue;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The snapshot file format, version 1: every live entry of a {@link KvHandler} with its remaining TTL.
 * All numbers are big-endian ({@link DataOutputStream}); strings are UTF-8.
 *
 * <pre>
 * header   magic      8 bytes  "KVSNAP\r\n"
 *          version    int      1
 *          writtenAt  long     wall clock when the walk over the entries began, ms since the epoch
 * entries  tag        byte     1 (an entry follows), or 0 (the trailer follows)
 *          key        int length, then the bytes
 *          type       int length, then the bytes of the Content-Type value
 *          version    long     the value's ETag version
 *          remaining  long     TTL left at writtenAt, ms; -1 for none
 *          value      int length, then the bytes
 * trailer  count      long     the number of entries
 *          checksum   int      CRC32C of every byte before it
 * </pre>
 *
 * An entry's remaining TTL is read after {@code writtenAt}, so counting it from {@code writtenAt}
 * can only end it early, never late. A file is valid only if it ends exactly after a checksum that
 * matches and a count that agrees: a truncated, extended or altered file is {@link CorruptException
 * corrupt}, and nothing of it is used.
 *
 * <p>{@link #write} never leaves a partial file under the final name: it writes a temporary file in
 * the same directory (readable by the owner only), forces it to the device, renames it over the old
 * snapshot atomically, and forces the directory.
 */
public final class SnapshotFile {
    public static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = "KVSNAP\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte ENTRY = 1;
    private static final byte END = 0;
    private static final int BUFFER_BYTES = 1 << 16;

    private SnapshotFile() {}

    /** One entry as written: the value and the TTL it had left at {@code writtenAt}, -1 for none. */
    public record Entry(String key, StoredValue value, long remainingMillis) {}

    /** A valid snapshot's content. */
    public record Contents(long writtenAtMillis, List<Entry> entries) {}

    /** A snapshot that is not a valid file of this format: truncated, altered, or of another version. */
    public static final class CorruptException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptException(String message) {
            super(message);
        }
    }

    /** A new empty temporary file beside {@code file}, named {@code FILE.<digits>.tmp}: where a write goes first. */
    static Path createTemp(Path file) throws IOException {
        return Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".tmp");
    }

    /** @return whether {@code candidate}'s name is one {@link #createTemp} gives for {@code file} */
    static boolean isTempName(Path file, Path candidate) {
        String prefix = file.getFileName() + ".";
        String name = candidate.getFileName().toString();
        return name.startsWith(prefix) && name.endsWith(".tmp")
                && name.substring(prefix.length(), name.length() - 4).matches("[0-9]+");
    }

    /** What {@link #write} wrote. */
    public record Written(long entries, long bytes) {}

    /**
     * Writes every live entry of {@code handler} to {@code file}, replacing it atomically.
     *
     * @param writtenAtMillis the wall clock now, ms since the epoch
     * @throws IOException if the file cannot be written; the old snapshot, if any, is then untouched
     */
    public static Written write(Path file, KvHandler handler, long writtenAtMillis) throws IOException {
        Path temp = createTemp(file);
        try {
            long count;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                BufferedOutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
                CRC32C crc = new CRC32C();
                DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
                out.write(MAGIC);
                out.writeInt(FORMAT_VERSION);
                out.writeLong(writtenAtMillis);
                count = writeEntries(out, handler);
                out.writeByte(END);
                out.writeLong(count);
                out.flush();
                // The checksum goes around the CheckedOutputStream: it covers everything before it.
                new DataOutputStream(buffered).writeInt((int) crc.getValue());
                buffered.flush();
                channel.force(true);
            }
            long bytes = Files.size(temp);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(file.toAbsolutePath().getParent());
            return new Written(count, bytes);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static long writeEntries(DataOutputStream out, KvHandler handler) throws IOException {
        long[] count = {0};
        try {
            handler.forEachEntry(entry -> {
                try {
                    writeEntry(out, entry);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                count[0]++;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return count[0];
    }

    private static void writeEntry(DataOutputStream out, CacheEntry<String, StoredValue> entry) throws IOException {
        StoredValue value = entry.getValue();
        out.writeByte(ENTRY);
        writeBytes(out, entry.getKey().getBytes(StandardCharsets.UTF_8));
        writeBytes(out, value.mediaType().getBytes(StandardCharsets.UTF_8));
        out.writeLong(value.version());
        out.writeLong(entry.expires() ? TimeUnit.NANOSECONDS.toMillis(entry.expiresInNanos()) : -1);
        writeBytes(out, value.toByteArray());
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** Makes the rename durable; not every platform can open a directory, and there it is skipped. */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The rename is still atomic; only its durability across a power loss is not guaranteed.
        }
    }

    /**
     * Reads and checks a whole snapshot.
     *
     * @return its content, every entry as written (expired ones included: the caller judges them)
     * @throws CorruptException if the file is not a complete, unaltered snapshot of this format
     * @throws IOException if it cannot be read
     */
    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES)) {
            CRC32C crc = new CRC32C();
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CorruptException("not a kvcache snapshot (it does not start with KVSNAP)");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new CorruptException("format version " + version + ", this server reads version "
                        + FORMAT_VERSION);
            }
            long writtenAt = in.readLong();
            List<Entry> entries = new ArrayList<>();
            for (;;) {
                byte tag = in.readByte();
                if (tag == END) {
                    break;
                }
                if (tag != ENTRY) {
                    throw new CorruptException("unknown record tag " + tag + " after " + entries.size() + " entries");
                }
                entries.add(readEntry(in, size));
            }
            long count = in.readLong();
            int computed = (int) crc.getValue();
            int stored = new DataInputStream(raw).readInt();
            if (stored != computed) {
                throw new CorruptException(String.format("checksum mismatch (stored %08x, computed %08x)",
                        stored, computed));
            }
            if (count != entries.size()) {
                throw new CorruptException("the trailer counts " + count + " entries, the file holds "
                        + entries.size());
            }
            if (raw.read() >= 0) {
                throw new CorruptException("bytes follow the checksum");
            }
            return new Contents(writtenAt, entries);
        } catch (EOFException e) {
            throw new CorruptException("truncated: the file (" + size + " bytes) ends before its checksum");
        }
    }

    private static Entry readEntry(DataInputStream in, long fileSize) throws IOException {
        String key = new String(readBytes(in, fileSize), StandardCharsets.UTF_8);
        String type = new String(readBytes(in, fileSize), StandardCharsets.UTF_8);
        long version = in.readLong();
        long remainingMillis = in.readLong();
        byte[] bytes = readBytes(in, fileSize);
        if (key.isEmpty() || remainingMillis < -1) {
            throw new CorruptException("invalid entry (key '" + key + "', remaining " + remainingMillis + " ms)");
        }
        return new Entry(key, StoredValue.restored(bytes, type, version), remainingMillis);
    }

    private static byte[] readBytes(DataInputStream in, long fileSize) throws IOException {
        int length = in.readInt();
        // A length no file of this size can hold is corruption; never allocate for it.
        if (length < 0 || length > fileSize) {
            throw new CorruptException("invalid length " + length + " in a file of " + fileSize + " bytes");
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException();
        }
        return bytes;
    }
}
