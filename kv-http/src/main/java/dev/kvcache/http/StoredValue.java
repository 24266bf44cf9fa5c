package dev.kvcache.http;

import dev.kvcache.core.KvCache;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;

/**
 * One value as the cache holds it: the bytes written, the content type they were written with, and
 * the version that names this write. Immutable; the byte array is never modified after construction,
 * so it is shared with responses without copying.
 *
 * <p>Two instances are equal exactly when they have the same version. Every write gets a fresh
 * version, so {@code KvCache.replace(key, expected, value, ttl)} with the instance a request read
 * succeeds only if no other write happened in between: compare-and-set by identity of the write,
 * not by content (two writes of the same bytes have different ETags).
 *
 * <p>Application code that shares a handler's cache (see {@link KvHandler#KvHandler(KvCache,
 * KvHandlerOptions)}) makes values with {@link #of} and reads them with {@link #toByteArray()},
 * {@link #mediaType()} and {@link #etag()}.
 */
public final class StoredValue {
    /*
     * Versions start from the wall clock (in units of 1/65536 ms) so that an ETag a client kept from an
     * earlier run of the server cannot match a value written by this one; JVM-wide, so values made by
     * different handlers, or by application code, never share one.
     */
    /** The type of values written without a {@code Content-Type}, also that of plain-text answers. */
    static final HttpField TEXT_PLAIN = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");

    private static final AtomicLong VERSIONS = new AtomicLong(System.currentTimeMillis() << 16);

    /*
     * Two objects per entry, this and the array: every write's objects live as long as the entry (the TTL,
     * 10 s by default), so each young collection in between copies them; fewer objects, fewer copies.
     * The ETag is therefore derived from the version for each response rather than kept, and the content
     * type is a field shared by every value of that type (see ContentTypes).
     */
    private final byte[] bytes;
    private final HttpField contentType;
    private final long version;

    /**
     * @param bytes the value, owned by this instance from now on
     * @param contentType the {@code Content-Type} field to answer reads with (kept as the request's
     *     field object, so that a read sends it without re-encoding)
     * @param version a number no other write of the same handler has used
     */
    StoredValue(byte[] bytes, HttpField contentType, long version) {
        this.bytes = bytes;
        this.contentType = contentType;
        this.version = version;
    }

    /**
     * Makes a value as an HTTP write would: a copy of {@code bytes}, a content type, and a fresh version.
     *
     * @param bytes the value; copied
     * @param contentType the media type reads answer with, e.g. {@code "application/json"}; a blank one is
     *     {@code text/plain; charset=utf-8}, as for an HTTP write without one
     * @return the value
     * @throws NullPointerException if an argument is null
     */
    public static StoredValue of(byte[] bytes, String contentType) {
        return new StoredValue(bytes.clone(), ContentTypes.field(java.util.Objects.requireNonNull(contentType,
                "contentType")), nextVersion());
    }

    /**
     * Makes a value read back from elsewhere (a snapshot) with the version it had when it was written,
     * so that the ETags clients hold stay valid. Pass it to {@link KvHandler#restore}, which keeps later
     * versions above it.
     *
     * @param bytes the value, owned by the new instance from now on (not copied)
     * @param contentType the media type reads answer with; a blank one is {@code text/plain; charset=utf-8}
     * @param version the version the value had, from {@link #version()}
     * @return the value
     * @throws NullPointerException if {@code bytes} or {@code contentType} is null
     */
    public static StoredValue restored(byte[] bytes, String contentType, long version) {
        java.util.Objects.requireNonNull(bytes, "bytes");
        return new StoredValue(bytes, ContentTypes.field(java.util.Objects.requireNonNull(contentType, "contentType")),
                version);
    }

    /** @return a version no other value in this JVM has */
    static long nextVersion() {
        return VERSIONS.incrementAndGet();
    }

    /**
     * Makes every later {@link #nextVersion()} exceed {@code version}, that of a value restored from a
     * snapshot, so that new writes never repeat a restored ETag.
     */
    static void versionsAbove(long version) {
        VERSIONS.accumulateAndGet(version, Math::max);
    }

    /** @return the quoted strong entity tag of a version, base 36, built as one string */
    private static String etagOf(long version) {
        if (version < 0) {
            return '"' + Long.toString(version, 36) + '"'; // only a snapshot could restore one
        }
        // The String copies what it is built from, so the digits go to a scratch array of this thread's
        // rather than to one more array per response.
        byte[] text = ETAG_SCRATCH.get();
        int at = text.length;
        text[--at] = '"';
        long rest = version;
        do {
            text[--at] = DIGITS[(int) (rest % 36)];
            rest /= 36;
        } while (rest != 0);
        text[--at] = '"';
        return new String(text, at, text.length - at, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** A positive long has at most 13 digits in base 36; two quotes. */
    private static final ThreadLocal<byte[]> ETAG_SCRATCH = ThreadLocal.withInitial(() -> new byte[15]);

    private static final byte[] DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII);

    /** @return a copy of the value's bytes */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** @return the value's length in bytes (without the copy {@link #toByteArray()} makes) */
    public int length() {
        return bytes.length;
    }

    /** @return the content type reads answer with */
    public String mediaType() {
        return contentType.getValue();
    }

    /** The array itself, shared with responses; never modified. */
    byte[] bytes() {
        return bytes;
    }

    HttpField contentType() {
        return contentType;
    }

    /** @return the number that names this write; its ETag is derived from it */
    public long version() {
        return version;
    }

    /** @return a new {@code ETag} field for a response (not kept: see the fields' comment) */
    HttpField etagField() {
        return new HttpField(HttpHeader.ETAG, etagOf(version));
    }

    /** @return the quoted strong entity tag reads answer with, e.g. {@code "k3x9a"} */
    public String etag() {
        return etagOf(version);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredValue other && other.version == version;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version);
    }

    @Override
    public String toString() {
        return "StoredValue[" + bytes.length + " bytes, " + contentType.getValue() + ", etag " + etag() + "]";
    }
}
