package dev.kvcache.http;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * One value as the cache holds it: the bytes written, the content type they were written with, and
 * the version that names this write. Immutable; the byte array is never modified after construction,
 * so it is shared with responses without copying.
 *
 * <p>Two instances are equal exactly when they have the same version. Every write gets a fresh
 * version, so {@code KvCache.replace(key, expected, value, ttl)} with the instance a request read
 * succeeds only if no other write happened in between: compare-and-set by identity of the write,
 * not by content (two writes of the same bytes have different ETags).
 */
final class StoredValue {
    private final byte[] bytes;
    private final HttpField contentType;
    private final long version;
    private final HttpField etag;

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
        // Built once per write so that reads, the common case, send it without allocating.
        this.etag = new HttpField(HttpHeader.ETAG, Conditions.etagOf(version));
    }

    byte[] bytes() {
        return bytes;
    }

    HttpField contentType() {
        return contentType;
    }

    long version() {
        return version;
    }

    HttpField etagField() {
        return etag;
    }

    /** @return the quoted strong entity tag, e.g. {@code "k3x9a"} */
    String etag() {
        return etag.getValue();
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
