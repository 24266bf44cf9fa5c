package dev.kvcache.http;

import dev.kvcache.core.CacheEntry;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One key: {@code /kv/{key}} and {@code /{key}} ({@link Route#KEY}). Statuses:
 * <ul>
 *   <li>{@code GET}/{@code HEAD}: 200 with the value; 304 when {@code If-None-Match} names its ETag;
 *       404 (empty body) when absent or expired, or 200 with an empty body under
 *       {@link KvHandlerOptions#missStatus()} 200; 412 when {@code If-Match} names another ETag;
 *   <li>{@code POST} with {@code ?touch}, {@code ?incr} or {@code ?decr}: see {@link KeyOperations}; a {@code PUT}
 *       with one of them is 400 (it would replace the value with its body);
 *   <li>{@code POST}: 200 with the value echoed; {@code PUT}: 204, or 201 when {@code If-None-Match: *}
 *       created it; both 412 when a precondition fails (before the body is read, when the client sent
 *       {@code Expect: 100-continue}), 400 for an invalid TTL or a body that cannot
 *       be read, 413 for a value over the limit (refused before reading when the length is declared),
 *       503 for a body cut off by a graceful stop or one the heap has no room for
 *       ({@link OutOfMemoryError}), 500 if the store throws (a bug);
 *   <li>{@code DELETE}: 204, 404 when absent, 412 when a precondition fails, 400 (nothing removed) for a
 *       query with a malformed escape;
 *   <li>any method: 400 for invalid percent-encoding in the key or a ';' in the path (Jetty would drop
 *       it and what follows in its segment, naming another key), 414 for a key over the limit, 405
 *       (with {@code Allow}) for methods other than these five.
 * </ul>
 */
final class KeyResource implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(KeyResource.class);
    private static final String ALLOW = "GET, HEAD, POST, PUT, DELETE";
    private static final byte[] PATH_PARAMETER = Replies.message(
            "A ';' in a key's path is read as a path parameter, not as part of the key: percent-encode it as %3B");

    private final KeyStore store;
    private final int maxKeyBytes;
    private final BooleanSupplier draining;
    private final LongSupplier outOfMemory;
    private final int missStatus;
    private final KeyOperations operations;

    /**
     * @param draining whether a graceful stop has begun
     * @param outOfMemory counts a write that ran out of heap, and returns the count so far
     */
    KeyResource(KeyStore store, KvHandlerOptions options, BooleanSupplier draining, LongSupplier outOfMemory,
            KeyOperations operations) {
        this.store = store;
        this.operations = operations;
        this.draining = draining;
        this.outOfMemory = outOfMemory;
        this.maxKeyBytes = options.maxKeyBytes();
        this.missStatus = options.missStatus();
    }

    @Override
    public void serve(Request request, Response response, Callback callback, Method method, String path) {
        if (refusedPathParameter(request, response, callback)) {
            return;
        }
        String key = KeyParser.key(path);
        if (key == null) {
            Replies.closeIfBodyUnread(request, response);
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message("Invalid percent-encoding in the key"));
            return;
        }
        // A char is at most 3 bytes in UTF-8 (a surrogate pair 4 for two): short keys skip the count.
        if (key.length() > maxKeyBytes / 3 && KeyParser.utf8Length(key) > maxKeyBytes) {
            Replies.closeIfBodyUnread(request, response);
            Replies.text(response, callback, HttpStatus.URI_TOO_LONG_414,
                    Replies.message("Key too long: the limit is " + maxKeyBytes + " bytes"));
            return;
        }
        switch (method) {
            case GET:
            case HEAD:
                if (operations.read(request, response, callback, method, key)) {
                    break;
                }
                read(request, response, callback, method, key);
                break;
            case POST:
                if (operations.post(request, response, callback, key)) {
                    break;
                }
                write(request, response, callback, method, key);
                break;
            case PUT:
                if (operations.put(request, response, callback)) {
                    break;
                }
                write(request, response, callback, method, key);
                break;
            case DELETE:
                if (KeyOperations.refusedQuery(request, response, callback)) {
                    break;
                }
                delete(request, response, callback, key);
                break;
            default:
                Replies.methodNotAllowed(response, callback, ALLOW, Replies.KEY_METHODS);
                break;
        }
    }

    /**
     * Refuses a request whose path holds a {@code ;}: Jetty drops path parameters from the path in
     * context, so {@code /kv/user;1} would name the key {@code user}, and {@code /kv/;x} the listing,
     * a batch or a flush, rather than the key {@code ;x}.
     *
     * @return whether it refused the request (the response is then complete)
     */
    static boolean refusedPathParameter(Request request, Response response, Callback callback) {
        if (request.getHttpURI().getPath().indexOf(';') < 0) {
            return false;
        }
        Replies.closeIfBodyUnread(request, response);
        Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, PATH_PARAMETER);
        return true;
    }

    private void read(Request request, Response response, Callback callback, Method method, String key) {
        CacheEntry<String, StoredValue> entry = store.read(key);
        if (entry == null) {
            miss(response, callback, missStatus);
            return;
        }
        StoredValue value = entry.getValue();
        Conditions conditions = Conditions.of(request.getHeaders());
        if (conditions.readFails(value)) {
            Replies.text(response, callback, HttpStatus.PRECONDITION_FAILED_412, Replies.PRECONDITION_FAILED);
            return;
        }
        if (conditions.notModified(value)) {
            Replies.notModified(response, callback, value, entry.expiresInNanos());
        } else {
            Replies.value(response, callback, HttpStatus.OK_200, value, entry.expiresInNanos(), method == Method.GET);
        }
    }

    /**
     * A read of a missing or expired key: 404 and an empty body, or with {@code --miss-status 200} what the Go
     * server sent, 200 with an empty {@code text/plain; charset=utf-8} body (Go sniffs the type of its
     * empty write), so that its load tools count no "non 2xx".
     */
    static void miss(Response response, Callback callback, int missStatus) {
        if (missStatus == HttpStatus.OK_200) {
            Replies.text(response, callback, HttpStatus.OK_200, Replies.empty());
        } else {
            Replies.empty(response, callback, HttpStatus.NOT_FOUND_404);
        }
    }

    private void write(Request request, Response response, Callback callback, Method method, String key) {
        Duration ttl;
        try {
            ttl = RequestTtl.of(request);
        } catch (IllegalArgumentException e) {
            Replies.closeIfBodyUnread(request, response);
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message(e.getMessage()));
            return;
        }
        long length = request.getLength();
        int limit = store.maxValueBytes(key);
        if (length > limit) {
            // Refused before reading a byte: with "Expect: 100-continue" the client never sends it.
            Replies.closeIfBodyUnread(request, response);
            tooLarge(response, callback, key);
            return;
        }
        HttpFields headers = request.getHeaders();
        Conditions conditions = Conditions.of(headers);
        if (!conditions.isNone() && headers.contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString())
                && !store.preconditionsHold(key, conditions)) {
            // RFC 9110 10.1.1: answered before the 100 Continue, so the client never sends the body. The
            // write judges them again, atomically, once it has the body; this only saves an upload.
            Replies.closeIfBodyUnread(request, response);
            Replies.text(response, callback, HttpStatus.PRECONDITION_FAILED_412, Replies.PRECONDITION_FAILED);
            return;
        }
        new Write(request, response, callback, method, key, ttl, conditions,
                ContentTypes.of(headers.getField(HttpHeader.CONTENT_TYPE)), length, limit).run();
    }

    /**
     * Answers a write that ran out of heap with 503 rather than letting the error reach Jetty (a 500, or
     * a demand callback that never completes): the server stays up, the client may retry once eviction
     * or a collection has made room, and {@code /health} reports the pressure meanwhile. Logged (at
     * the 1st, 2nd, 4th, 8th... occurrence, so a flood cannot flood the log) and counted.
     */
    private void outOfMemory(Request request, Response response, Callback callback, OutOfMemoryError error) {
        long count = outOfMemory.getAsLong();
        if ((count & (count - 1)) == 0) {
            LOG.error("A write ran out of heap ({}; {} so far): answered 503; see /health and -Xmx", error.toString(), count);
        }
        Replies.closeIfBodyUnread(request, response);
        Replies.text(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, Replies.OUT_OF_MEMORY);
    }

    private void tooLarge(Response response, Callback callback, String key) {
        Replies.text(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, Replies.message(store.tooLarge(key)));
    }

    private void delete(Request request, Response response, Callback callback, String key) {
        switch (store.delete(key, Conditions.of(request.getHeaders()))) {
            case DELETED:
                Replies.empty(response, callback, HttpStatus.NO_CONTENT_204);
                break;
            case ABSENT:
                Replies.empty(response, callback, HttpStatus.NOT_FOUND_404);
                break;
            default:
                Replies.text(response, callback, HttpStatus.PRECONDITION_FAILED_412, Replies.PRECONDITION_FAILED);
                break;
        }
    }

    /** A write waiting for its body; see {@link BodyReader}. */
    private final class Write extends BodyReader {
        private final Response response;
        private final Callback callback;
        private final Method method;
        private final String key;
        private final Duration ttl;
        private final Conditions conditions;
        private final HttpField contentType;

        Write(Request request, Response response, Callback callback, Method method, String key, Duration ttl,
                Conditions conditions, HttpField contentType, long length, int limit) {
            super(request, length, limit);
            this.response = response;
            this.callback = callback;
            this.method = method;
            this.key = key;
            this.ttl = ttl;
            this.conditions = conditions;
            this.contentType = contentType;
        }

        @Override
        void onBody(byte[] bytes) {
            StoredValue value;
            KeyStore.WriteOutcome outcome;
            try {
                value = store.newValue(bytes, contentType);
                outcome = store.write(key, value, ttl, conditions);
            } catch (OutOfMemoryError e) {
                outOfMemory(request(), response, callback, e);
                return;
            } catch (RuntimeException e) {
                // A bug, here on a demand callback where Jetty would not answer for us.
                LOG.warn("Write of key {} failed", key, e);
                response.setStatus(HttpStatus.INTERNAL_SERVER_ERROR_500);
                Response.writeError(request(), response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500);
                return;
            }
            if (outcome == KeyStore.WriteOutcome.PRECONDITION_FAILED) {
                Replies.text(response, callback, HttpStatus.PRECONDITION_FAILED_412, Replies.PRECONDITION_FAILED);
            } else if (method == Method.POST) {
                Replies.written(response, callback, HttpStatus.OK_200, value, true);
            } else {
                Replies.written(response, callback, outcome == KeyStore.WriteOutcome.CREATED
                        ? HttpStatus.CREATED_201 : HttpStatus.NO_CONTENT_204, value, false);
            }
        }

        @Override
        void onOutOfMemory(OutOfMemoryError error) {
            outOfMemory(request(), response, callback, error);
        }

        @Override
        void onTooLarge() {
            Replies.closeIfBodyUnread(request(), response);
            tooLarge(response, callback, key);
        }

        @Override
        void onFailure(Throwable failure) {
            if (draining.getAsBoolean()) {
                // The stop's timeout ran out while the body was still arriving: the server, not the
                // request, is at fault, and the client may retry elsewhere.
                Replies.closeIfBodyUnread(request(), response);
                Replies.text(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, Replies.CUT_OFF);
                return;
            }
            // The client is likely gone; the answer may not reach it, but the callback must complete.
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.BODY_UNREADABLE);
        }
    }
}
