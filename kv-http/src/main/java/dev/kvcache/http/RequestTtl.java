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
    /** The TTL that never expires: {@link KvCache#NEVER}. */
    static final String NEVER = "never";

    private RequestTtl() {}

    /**
     * @return the TTL the request asks for, or {@code null} for the default
     * @throws IllegalArgumentException if it is not a valid duration (the message says why)
     */
    static Duration of(Request request) {
        String query = request.getHttpURI().getQuery();
        String text = decode(queryParameter(query, "ttl"));
        if (text == null && hasBareParameter(query, "ttl")) {
            // Else a typo (?ttl, ?ttl&...) would store with the default TTL without a word.
            throw new IllegalArgumentException("the ttl parameter needs a value: ttl=D (e.g. ttl=30s) or ttl=never");
        }
        if (text == null) {
            text = request.getHeaders().get(HEADER);
        }
        return text == null ? null : parse(text.trim());
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

    /**
     * @return {@code value} percent-decoded (a client may encode any character of a query), or as it is if
     *     it holds no escape or a malformed one (which the duration parser then refuses, quoting it)
     */
    static String decode(String value) {
        if (value == null || value.indexOf('%') < 0) {
            return value; // the usual case, without a copy
        }
        try {
            return java.net.URLDecoder.decode(value.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return value;
        }
    }

    /** @return whether {@code query} holds {@code name} alone, without '=' */
    static boolean hasBareParameter(String query, String name) {
        if (query == null) {
            return false;
        }
        int from = 0;
        while ((from = query.indexOf(name, from)) >= 0) {
            int end = from + name.length();
            if ((from == 0 || query.charAt(from - 1) == '&') && (end == query.length() || query.charAt(end) == '&')) {
                return true;
            }
            from = end;
        }
        return false;
    }

    /**
     * Finds one raw parameter in a query string without parsing the rest (the caller decodes it).
     *
     * @return the first value of {@code name}, undecoded, or {@code null} if absent or {@code query} is null
     */
    static String queryParameter(String query, String name) {
        if (query == null) {
            return null;
        }
        int from = 0;
        int length = query.length();
        while (from < length) {
            int end = query.indexOf('&', from);
            if (end < 0) {
                end = length;
            }
            if (end - from > name.length() && query.startsWith(name, from)
                    && query.charAt(from + name.length()) == '=') {
                return query.substring(from + name.length() + 1, end);
            }
            from = end + 1;
        }
        return null;
    }
}
