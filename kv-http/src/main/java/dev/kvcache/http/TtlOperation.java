package dev.kvcache.http;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /kv/{key}?touch}: gives a live entry a new TTL without rewriting its value (its bytes,
 * type and ETag stay): the default TTL from now (memcached's {@code touch}), or the request's
 * {@code ttl} / {@code Kv-Ttl} ({@code ttl=never}: never expires, Redis' {@code PERSIST}). Atomic per
 * key ({@link KeyStore#setTimeToLive}). Takes no body. Statuses: 204 with the {@code ETag} and the new
 * {@code Kv-Ttl-Remaining-Ms} (absent for never; on a shared cache, read back after the touch, 0 if the value
 * touched is gone by then); 404 if the key is absent or expired; 412 if an
 * {@code If-Match}/{@code If-None-Match} precondition fails; 400 for an invalid TTL (0 included), a body, or a
 * value given to {@code touch} itself ({@code ?touch=5s}).
 */
final class TtlOperation {
    static final String PARAMETER = "touch";
    private static final byte[] NO_BODY = Replies.message("touch takes no body: it changes only the TTL (send the"
            + " value with PUT or POST without touch)");
    private static final byte[] NO_VALUE = Replies.message("touch takes no value: give the new TTL as ttl"
            + " (?touch&ttl=5s), or neither for the default TTL");

    private final KeyStore store;
    private final Operations operations;

    TtlOperation(KeyStore store, Operations operations) {
        this.store = store;
        this.operations = operations;
    }

    /** @param query the request's decoded query (it names {@code touch}) */
    void serve(Request request, Response response, Callback callback, String key, Query query) {
        if (Replies.refusedBody(request, response, callback, NO_BODY)) {
            return;
        }
        if (query.hasValue(PARAMETER)) {
            // ?touch=5s would otherwise give the default TTL, not the 5 s it seems to ask for.
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, NO_VALUE);
            return;
        }
        Duration ttl;
        try {
            ttl = RequestTtl.of(request, query);
        } catch (IllegalArgumentException e) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message(e.getMessage()));
            return;
        }
        StoredValue value = store.setTimeToLive(key, ttl, Conditions.of(request.getHeaders()));
        if (value == null) {
            Replies.empty(response, callback, HttpStatus.NOT_FOUND_404);
        } else if (value == KeyStore.PRECONDITION_FAILED_VALUE) {
            Replies.text(response, callback, HttpStatus.PRECONDITION_FAILED_412, Replies.PRECONDITION_FAILED);
        } else {
            operations.touched();
            response.setStatus(HttpStatus.NO_CONTENT_204);
            response.getHeaders().put(value.etagField());
            // A shared cache's own rules (an expiry function, an idle time that caps every TTL) may give
            // other than asked: answer what it holds. The handler's own cache holds what was asked.
            // The value answered (its ETag) may be gone by the quiet read: it then answers 0, not never or
            // the TTL of a write that replaced it.
            Duration lifetime = store.defaultTtl() == null ? store.remaining(key, value)
                    : ttl != null ? ttl : store.defaultTtl();
            if (lifetime != null && !lifetime.equals(KvCache.NEVER)) {
                response.getHeaders().put(Replies.TTL_REMAINING_HEADER, TimeUnit.NANOSECONDS.toMillis(lifetime.toNanos()));
            }
            response.write(true, null, callback);
        }
    }
}
