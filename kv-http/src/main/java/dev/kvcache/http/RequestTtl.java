package dev.kvcache.http;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import org.eclipse.jetty.server.Request;

/**
 * A write's TTL as the request gives it: the {@code ttl} query parameter, else the {@value #HEADER}
 * header, in the forms {@link TtlParser} reads, or {@value #NEVER} for an entry that never expires.
 */
final class RequestTtl {
    static final String HEADER = "Kv-Ttl";
    static final String PARAMETER = "ttl";
    /** The TTL that never expires: {@link KvCache#NEVER}. */
    static final String NEVER = "never";

    private RequestTtl() {}

    /**
     * @return the TTL the request asks for, or {@code null} for the default
     * @throws IllegalArgumentException if it is not a valid duration, or the query holds a malformed escape (the
     *     message says why)
     */
    static Duration of(Request request) {
        String text = null;
        if (request.getHttpURI().getQuery() != null) {
            Query query = Query.of(request);
            if (query.isBare(PARAMETER)) {
                // Else a typo (?ttl, ?ttl&...) would store with the default TTL without a word.
                throw new IllegalArgumentException("the ttl parameter needs a value: ttl=D (e.g. ttl=30s) or ttl=never");
            }
            text = query.get(PARAMETER);
        }
        if (text == null) {
            // A header's value may be padded (RFC 9110 5.5); a decoded query value is taken as it is.
            String header = request.getHeaders().get(HEADER);
            text = header == null ? null : header.trim();
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
