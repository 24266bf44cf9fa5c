package dev.kvcache.http;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * The query parameters of the operations beyond plain reads and writes ({@code touch}, {@code incr},
 * {@code index}, {@code prefix}, ...): whether a raw query names one, without decoding it (the hot
 * paths call {@link #has} only when a query is present), and their decoded values.
 */
final class Query {
    private final Fields fields;

    private Query(Fields fields) {
        this.fields = fields;
    }

    /** @return the request's query parameters, percent-decoded */
    static Query of(Request request) {
        return new Query(Request.extractQueryParameters(request));
    }

    /** @return whether the raw {@code query} (may be null) has a parameter {@code name}, with or without a value */
    static boolean has(String query, String name) {
        if (query == null) {
            return false;
        }
        int from = 0;
        int length = query.length();
        while (from < length) {
            int end = query.indexOf('&', from);
            if (end < 0) {
                end = length;
            }
            int nameEnd = from + name.length();
            if (query.startsWith(name, from) && (nameEnd == end || query.charAt(nameEnd) == '=')) {
                return true;
            }
            from = end + 1;
        }
        return false;
    }

    /** @return the first value of {@code name}, decoded, or {@code null} if absent */
    String get(String name) {
        return fields.getValue(name);
    }

    boolean has(String name) {
        return fields.get(name) != null;
    }

    /**
     * @return {@code name}'s value as a long, or {@code absent} if the parameter is not given
     * @throws IllegalArgumentException if it is not a decimal whole number within [{@code min}, {@code max}]
     */
    long getLong(String name, long absent, long min, long max) {
        String text = get(name);
        if (text == null) {
            return absent;
        }
        long value;
        try {
            value = Decimal.parse(text);
        } catch (NumberFormatException e) {
            throw outOfRange(name, text, min, max);
        }
        if (value < min || value > max) {
            throw outOfRange(name, text, min, max);
        }
        return value;
    }

    private static IllegalArgumentException outOfRange(String name, String text, long min, long max) {
        return new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", was '"
                + text + "'");
    }
}
