package dev.kvcache.http;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.KvCache;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /kv/{key}?incr=N} (or {@code decr=N}; N defaults to 1) with {@code initial=V} (default 0):
 * adds N to a decimal value and answers the result. An absent or expired key counts as V, so the first
 * {@code incr=1} of a new counter gives {@code V+1} (as Redis' {@code INCRBY}, whose V is 0). The value
 * must be in {@link Decimal}'s form; the result keeps the value's content type.
 *
 * <p>Atomic per key: a CAS loop on kv-core's {@code replace(key, current, next, ttl)} (on
 * {@code putIfAbsent} for a new counter), so concurrent increments never lose one, and a write between
 * the read and the replace makes the loop re-read. TTL: the request's {@code ttl}/{@code Kv-Ttl} if
 * given; otherwise a new counter gets the default TTL and an existing one keeps its deadline: the
 * remaining TTL read with the value is given to the replace, so the deadline moves later by the time
 * between the two ticker reads (microseconds), never earlier.
 * ({@code asMap().compute} would restart the TTL at the default instead.) On a shared cache a TTL-less
 * update is instead the cache's TTL-less {@code replace(key, current, next)} (its expiry function or
 * time-to-idle decide), as every TTL-less write there. Each increment makes a new version, so watches see it.
 *
 * <p>{@code If-Match}/{@code If-None-Match} are judged as for any write, against the value each attempt of
 * the loop read, so an increment lands only on a value they accept.
 *
 * <p>Statuses: 200 with the new value (decimal, no newline) and its {@code ETag}; 412 if a precondition
 * fails; 409 if the value is
 * not a decimal or the result would overflow a signed 64-bit long (the value is then unchanged; the
 * message says which); 400 for an invalid N, V or TTL, both {@code incr} and {@code decr}, or a body.
 */
final class CounterOperation {
    static final String INCR = "incr";
    static final String DECR = "decr";
    private static final byte[] NO_BODY = Replies.message("incr and decr take no body: the amount is the incr or"
            + " decr parameter");
    private static final byte[] BOTH = Replies.message("Give either incr or decr, not both");

    private final KeyStore store;
    private final Operations operations;

    CounterOperation(KeyStore store, Operations operations) {
        this.store = store;
        this.operations = operations;
    }

    /** @param query the request's decoded query (it names {@code incr} or {@code decr}) */
    void serve(Request request, Response response, Callback callback, String key, Query query) {
        if (Replies.refusedBody(request, response, callback, NO_BODY)) {
            return;
        }
        long delta;
        long initial;
        Duration ttl;
        try {
            if (query.has(INCR) && query.has(DECR)) {
                Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, BOTH);
                return;
            }
            delta = query.has(INCR) ? amount(query, INCR) : -amount(query, DECR);
            initial = query.getLong("initial", 0, Long.MIN_VALUE, Long.MAX_VALUE);
            ttl = RequestTtl.of(request, query);
        } catch (IllegalArgumentException e) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message(e.getMessage()));
            return;
        }
        Outcome outcome = add(key, delta, initial, ttl, Conditions.of(request.getHeaders()));
        if (outcome == PRECONDITION_FAILED) {
            Replies.text(response, callback, HttpStatus.PRECONDITION_FAILED_412, Replies.PRECONDITION_FAILED);
        } else if (outcome.value != null) {
            operations.incremented();
            Replies.written(response, callback, HttpStatus.OK_200, outcome.value, true);
        } else {
            Replies.text(response, callback, HttpStatus.CONFLICT_409, Replies.message(outcome.conflict));
        }
    }

    /** N, from 0 to Long.MAX_VALUE (so that its negation is a long too); 1 when given without a value. */
    private static long amount(Query query, String name) {
        String text = query.get(name);
        return text == null || text.isEmpty() ? 1 : query.getLong(name, 1, 0, Long.MAX_VALUE);
    }

    /** The new value, or why there is none. */
    record Outcome(StoredValue value, String conflict) {}

    /** An {@code If-Match}/{@code If-None-Match} that the value (or its absence) did not meet. */
    private static final Outcome PRECONDITION_FAILED = new Outcome(null, null);

    /**
     * Adds {@code delta} atomically.
     *
     * @param ttl the TTL to give, or {@code null} to keep an existing counter's and give a new one the default
     *     (on a shared cache: the cache's TTL-less {@code putIfAbsent} and {@code replace})
     * @param conditions judged against the value each attempt read, so they hold for the value replaced
     */
    Outcome add(String key, long delta, long initial, Duration ttl, Conditions conditions) {
        for (;;) {
            CacheEntry<String, StoredValue> entry = store.read(key);
            if (!conditions.isNone() && !conditions.allowsWrite(entry == null ? null : entry.getValue())) {
                return PRECONDITION_FAILED;
            }
            if (entry == null) {
                long next;
                try {
                    next = Math.addExact(initial, delta);
                } catch (ArithmeticException e) {
                    return overflow(key, initial, delta);
                }
                StoredValue value = counter(next, StoredValue.TEXT_PLAIN);
                if (store.create(key, value, ttl)) {
                    return new Outcome(value, null);
                }
                continue;
            }
            StoredValue current = entry.getValue();
            long now;
            try {
                now = Decimal.parse(current.bytes());
            } catch (NumberFormatException e) {
                return new Outcome(null, "The value of " + key + " is not a decimal integer (an optional minus sign and"
                        + " 1 to 19 digits, within a signed 64-bit long), so it cannot be incremented; it is unchanged");
            }
            long next;
            try {
                next = Math.addExact(now, delta);
            } catch (ArithmeticException e) {
                return overflow(key, now, delta);
            }
            // On a shared cache a TTL-less update is the cache's TTL-less replace, as any TTL-less write there:
            // the remaining TTL read here is capped by an idle time, and given back it would end the entry there.
            Duration lifetime = ttl != null || !store.ownsCache() ? ttl
                    : entry.expires() ? Duration.ofNanos(Math.max(1, entry.expiresInNanos())) : KvCache.NEVER;
            StoredValue value = counter(next, current.contentType());
            if (store.replace(key, current, value, lifetime)) {
                return new Outcome(value, null);
            }
            // Another write landed between the read and the replace: read again.
        }
    }

    private static Outcome overflow(String key, long value, long delta) {
        return new Outcome(null, "Adding " + delta + " to " + value + " (the value of " + key + ") would overflow"
                + " a signed 64-bit integer (" + Long.MIN_VALUE + " to " + Long.MAX_VALUE + "); it is unchanged");
    }

    private StoredValue counter(long value, org.eclipse.jetty.http.HttpField contentType) {
        return new StoredValue(Long.toString(value).getBytes(StandardCharsets.US_ASCII), contentType,
                StoredValue.nextVersion());
    }
}
