package dev.kvcache.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes responses. Every method sets the status and headers, then hands the body to Jetty with one
 * {@link Response#write} that completes the callback; a value's byte array is wrapped, never copied.
 *
 * <p>The fields a reply sets are added, not put: {@code put} searches the response's fields with an
 * iterator (an allocation per field), and each field named here is set once per response, by the one
 * reply that answers it. A wrapper in front of the handler that sets one of them itself gets both.
 *
 * <p>Error bodies are the Go server's: plain text, the message and a newline, as Go's
 * {@code http.Error} writes them.
 */
final class Replies {
    static final HttpField TEXT_PLAIN = StoredValue.TEXT_PLAIN;
    static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    static final HttpField PROMETHEUS =
            new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    /** Values come back with the type they were written with; browsers must not second-guess it. */
    private static final HttpField NOSNIFF = new PreEncodedHttpField("X-Content-Type-Options", "nosniff");
    private static final HttpField CONNECTION_CLOSE = new PreEncodedHttpField(HttpHeader.CONNECTION, "close");
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");
    // Built from the long, so that Jetty reads the length back without parsing the digits (see contentLength).
    private static final HttpField CONTENT_LENGTH_0 = new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, 0L);

    private static final AtomicReferenceArray<HttpField> MAX_AGES = new AtomicReferenceArray<>(3601);
    private static final AtomicReferenceArray<HttpField> CONTENT_LENGTHS = new AtomicReferenceArray<>(1025);
    /*
     * Kv-Ttl-Remaining-Ms fields, direct-mapped by their value: the remaining TTLs of the hits in one
     * moment cover at most the TTL's range of milliseconds (10 000 under the default TTL), so once
     * each has been built, hits share them instead of building a field, a string and its array each
     * (about 80 B). A slot holding another value is overwritten; at most about 1.3 MB when full.
     */
    private static final int TTL_REMAINING_SLOTS = 1 << 14;
    private static final AtomicReferenceArray<HttpField.LongValueHttpField> TTL_REMAINING =
            new AtomicReferenceArray<>(TTL_REMAINING_SLOTS);

    /** The response header with a value's remaining time-to-live in milliseconds. */
    static final String TTL_REMAINING_HEADER = "Kv-Ttl-Remaining-Ms";

    static final byte[] NO_KEY = message("Must provide a key in the path");
    static final byte[] PRECONDITION_FAILED = message("Precondition Failed");
    /** Every method some route serves: the {@code Allow} of {@code OPTIONS *}. */
    static final String ALL_METHODS = "GET, HEAD, POST, PUT, DELETE";
    static final byte[] KEY_METHODS = message("Only GET, HEAD, POST, PUT and DELETE methods are supported.");
    static final byte[] SIZE_METHODS = message("Only GET, HEAD and POST methods are supported.");
    static final byte[] READ_METHODS = message("Only GET and HEAD methods are supported.");
    static final byte[] BODY_UNREADABLE = message("Cannot read request body");
    static final byte[] CUT_OFF = message("The server is shutting down and cut this request off; retry it.");
    static final byte[] HEALTHY = message("ok");
    static final byte[] DRAINING = message("draining");
    static final byte[] OUT_OF_MEMORY = message("Out of memory: the server has no room for this value now; retry later");
    private static final byte[] EMPTY = new byte[0];

    private Replies() {}

    static byte[] message(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A stored value: its bytes, content type, ETag and remaining lifetime.
     *
     * @param withBody {@code false} for HEAD: the headers (with the value's length) only
     */
    static void value(Response response, Callback callback, int status, StoredValue value,
            long expiresInNanos, boolean withBody) {
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        byte[] bytes = value.bytes();
        // Content-Length first: Jetty looks it up by a scan of the fields when the response is written.
        if (withBody) {
            headers.add(contentLength(bytes.length));
        } else {
            // The GET's length (RFC 9110 9.3.2): left unset, Jetty would send "Content-Length: 0".
            headers.put(HttpHeader.CONTENT_LENGTH, bytes.length);
        }
        headers.add(value.contentType());
        headers.add(NOSNIFF);
        headers.add(value.etagField());
        lifetime(headers, expiresInNanos);
        response.write(true, withBody ? ByteBuffer.wrap(bytes) : null, callback);
    }

    /**
     * 304 Not Modified for a stored value: its ETag and lifetime (Cache-Control, {@value #TTL_REMAINING_HEADER})
     * only. RFC 9110 15.4.5 lists what a 304 carries (of those, Date is Jetty's); representation metadata
     * (Content-Type, X-Content-Type-Options) would describe a body it has not. The one exception is the
     * value's Content-Length: left unset, Jetty sends "Content-Length: 0", which RFC 9110 8.6 forbids for a 304
     * of a non-empty value, while the 200's length is allowed.
     */
    static void notModified(Response response, Callback callback, StoredValue value, long expiresInNanos) {
        response.setStatus(HttpStatus.NOT_MODIFIED_304);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_LENGTH, value.bytes().length);
        headers.add(value.etagField());
        lifetime(headers, expiresInNanos);
        response.write(true, null, callback);
    }

    private static void lifetime(HttpFields.Mutable headers, long expiresInNanos) {
        if (expiresInNanos != Long.MAX_VALUE) {
            long millis = TimeUnit.NANOSECONDS.toMillis(expiresInNanos);
            // max-age never promises more than the entry has left.
            headers.add(maxAge(millis / 1000));
            headers.add(ttlRemaining(millis));
        }
    }

    /**
     * The {@code Content-Length} field of a value's response; those up to 1 KiB are built once and shared
     * (Jetty would otherwise build one, with its digits, for every response it sends with a body).
     */
    static HttpField contentLength(int length) {
        if (length >= CONTENT_LENGTHS.length()) {
            return new HttpField.LongValueHttpField(HttpHeader.CONTENT_LENGTH, length);
        }
        HttpField field = CONTENT_LENGTHS.get(length);
        if (field == null) {
            // Racing threads may each build one; any of them is right. Built from the long: Jetty reads
            // every response's length back with getLongValue, which a field built from text parses.
            field = new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, length);
            CONTENT_LENGTHS.set(length, field);
        }
        return field;
    }

    /** The {@value #TTL_REMAINING_HEADER} field for a number of milliseconds, shared when built before. */
    static HttpField ttlRemaining(long millis) {
        int slot = (int) (millis & (TTL_REMAINING_SLOTS - 1));
        HttpField.LongValueHttpField field = TTL_REMAINING.get(slot);
        if (field == null || field.getLongValue() != millis) {
            // Racing threads may each build one; any of them is right.
            field = new HttpField.LongValueHttpField(TTL_REMAINING_HEADER, millis);
            TTL_REMAINING.set(slot, field);
        }
        return field;
    }

    /** The {@code Cache-Control} field for a number of seconds; those up to an hour are built once and shared. */
    static HttpField maxAge(long seconds) {
        if (seconds >= MAX_AGES.length()) {
            return new HttpField(HttpHeader.CACHE_CONTROL, "max-age=" + seconds);
        }
        HttpField field = MAX_AGES.get((int) seconds);
        if (field == null) {
            // Racing threads may each build one; any of them is right.
            field = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "max-age=" + seconds);
            MAX_AGES.set((int) seconds, field);
        }
        return field;
    }

    /** A write's answer: the new ETag, and the stored value echoed when {@code echo} (POST, as Go did). */
    static void written(Response response, Callback callback, int status, StoredValue value, boolean echo) {
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        if (echo) {
            headers.add(contentLength(value.bytes().length)); // first: see value()
            headers.add(value.etagField());
            headers.add(value.contentType());
            headers.add(NOSNIFF);
            response.write(true, ByteBuffer.wrap(value.bytes()), callback);
        } else {
            headers.add(value.etagField());
            response.write(true, null, callback);
        }
    }

    /**
     * Marks the response {@code Connection: close} if the request has a body that will not be read.
     * Jetty then cannot reuse the connection (the unread bytes stand between this request and the
     * next), and without the header a client would send its next request on a connection about to
     * close. Requests without a body, the vast majority of rejected ones, keep their connection.
     */
    static void closeIfBodyUnread(Request request, Response response) {
        if (hasBody(request)) {
            response.getHeaders().put(CONNECTION_CLOSE);
        }
    }

    /**
     * Answers 400 with {@code message}, closing the connection, if the request has a body, for the
     * operations that take none.
     *
     * @return whether it refused the request (the response is then complete)
     */
    static boolean refusedBody(Request request, Response response, Callback callback, byte[] message) {
        if (!hasBody(request)) {
            return false;
        }
        response.getHeaders().put(CONNECTION_CLOSE); // the body stays unread (see closeIfBodyUnread)
        text(response, callback, HttpStatus.BAD_REQUEST_400, message);
        return true;
    }

    /** @return whether the request carries a body (a length above zero, or chunked) */
    static boolean hasBody(Request request) {
        // getField, not contains: HttpFields.contains walks the fields with an iterator, an object
        // per call, and this runs for every request that has no body to read (every GET).
        return request.getLength() > 0 || request.getHeaders().getField(HttpHeader.TRANSFER_ENCODING) != null;
    }

    /** A status with no body: 204, or 404 for a missing key. */
    static void empty(Response response, Callback callback, int status) {
        response.setStatus(status);
        if (status != 204 && status != 304) {
            response.getHeaders().add(CONTENT_LENGTH_0);
        }
        response.write(true, null, callback);
    }

    /** A plain-text body (Go's error format: message and newline). */
    static void text(Response response, Callback callback, int status, byte[] body) {
        bytes(response, callback, status, TEXT_PLAIN, body, true);
    }

    /** 405 with the {@code Allow} header. */
    static void methodNotAllowed(Response response, Callback callback, String allow, byte[] body) {
        response.getHeaders().put(HttpHeader.ALLOW, allow);
        text(response, callback, 405, body);
    }

    /** 405 for the resources that answer only {@code GET} and {@code HEAD}. */
    static void readMethodsOnly(Response response, Callback callback) {
        methodNotAllowed(response, callback, "GET, HEAD", READ_METHODS);
    }

    /** A body computed for this request (size, stats, metrics); never cached by intermediaries. */
    static void bytes(Response response, Callback callback, int status, HttpField contentType, byte[] body,
            boolean withBody) {
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.add(contentType);
        headers.add(NOSNIFF);
        headers.add(NO_STORE);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, withBody ? ByteBuffer.wrap(body) : null, callback);
    }

    static byte[] empty() {
        return EMPTY;
    }
}
