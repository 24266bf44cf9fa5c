package dev.kvcache.http;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Request;

/**
 * A write's TTL as the request gives it: the {@code ttl} query parameter, else the {@value #HEADER}
 * header, in the forms {@link TtlParser} reads, or {@value #NEVER} for an entry that never expires.
 * Each may be given once: a second {@code ttl} parameter or {@value #HEADER} line is refused, not dropped.
 */
final class RequestTtl {
    static final String HEADER = "Kv-Ttl";
    static final String PARAMETER = "ttl";
    /** The TTL that never expires: {@link KvCache#NEVER}. */
    static final String NEVER = "never";

    private RequestTtl() {}

    /**
     * @return the TTL the request asks for, or {@code null} for the default
     * @throws IllegalArgumentException if it is not a valid duration, the parameter or the header is given
     *     more than once, or the query holds a malformed escape (the message says why)
     */
    static Duration of(Request request) {
        return of(request, request.getHttpURI().getQuery() == null ? null : Query.of(request));
    }

    /**
     * {@link #of(Request)} for a request whose query the caller has decoded already.
     *
     * @param query the request's decoded query, or {@code null} if it has none
     */
    static Duration of(Request request, Query query) {
        String text = null;
        if (query != null) {
            int given = query.count(PARAMETER);
            if (given > 1) {
                // Else one of two TTLs would be dropped without a word (and an invalid second one never read).
                throw new IllegalArgumentException("the ttl parameter is given " + given + " times; give it once");
            }
            if (query.isBare(PARAMETER)) {
                // Else a typo (?ttl, ?ttl&...) would store with the default TTL without a word.
                throw new IllegalArgumentException("the ttl parameter needs a value: ttl=D (e.g. ttl=30s) or ttl=never");
            }
            text = query.get(PARAMETER);
        }
        List<String> headers = request.getHeaders().getValuesList(HEADER);
        if (headers.size() > 1) {
            throw new IllegalArgumentException("the " + HEADER + " header is given " + headers.size() + " times; give it once");
        }
        if (text == null && !headers.isEmpty()) {
            // A header's value may be padded (RFC 9110 5.5); a decoded query value is taken as it is.
            text = headers.get(0).trim();
        }
        return text == null ? null : parse(text);
    }

    /**
     * @return {@code never} as {@link KvCache#NEVER}, otherwise the duration {@link TtlParser} reads
     * @throws IllegalArgumentException if it is neither; zero gets a message of its own, since it looks
     *     like "expire now" or "no expiry" and is neither
     */
    static Duration parse(String text) {
        if (text.equals(NEVER)) {
            return KvCache.NEVER;
        }
        try {
            return TtlParser.parse(text);
        } catch (IllegalArgumentException e) {
            if (isZero(text)) {
                throw new IllegalArgumentException("invalid duration '" + text + "': a TTL of 0 is refused, it must be"
                        + " positive (DELETE removes a key now; ttl=never keeps it until it is removed or evicted)", e);
            }
            throw e;
        }
    }

    private static boolean isZero(String text) {
        int digits = 0;
        while (digits < text.length() && text.charAt(digits) == '0') {
            digits++;
        }
        String unit = text.substring(digits);
        return digits > 0 && (unit.isEmpty() || unit.equals("ms") || unit.equals("s") || unit.equals("m") || unit.equals("h"));
    }
}
