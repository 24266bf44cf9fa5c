package dev.kvcache.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.eclipse.jetty.server.Request;

/**
 * A request's query parameters, names and values decoded as Jetty's {@code Request.extractQueryParameters}
 * decodes them (form rules: {@code %XX} escapes of UTF-8, {@code +} a space), but strictly: a malformed
 * escape or escapes that are not UTF-8 are an {@link IllegalArgumentException} (400), where Jetty's lenient
 * decoders would put U+FFFD in. A parameter given more than once counts with its first value.
 */
final class Query {
    private static final Query EMPTY = new Query(new String[0], new String[0], 0);

    private final String[] names;
    /** The value of each name, {@code null} for a bare name (no '='). */
    private final String[] values;
    private final int size;

    private Query(String[] names, String[] values, int size) {
        this.names = names;
        this.values = values;
        this.size = size;
    }

    /**
     * @return the request's query parameters, decoded
     * @throws IllegalArgumentException if the query holds a malformed escape (the message names the rule)
     */
    static Query of(Request request) {
        return parse(request.getHttpURI().getQuery());
    }

    /**
     * @param raw a query as it arrived (may be null)
     * @throws IllegalArgumentException if it holds a malformed escape (the message names the rule)
     */
    static Query parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            return EMPTY;
        }
        int capacity = 1;
        for (int i = 0; i < raw.length(); i++) {
            capacity += raw.charAt(i) == '&' ? 1 : 0;
        }
        String[] names = new String[capacity];
        String[] values = new String[capacity];
        int size = 0;
        // Decode only when a '%' or '+' is there: the usual query is taken as it is, with no copy beyond substrings.
        boolean plain = raw.indexOf('%') < 0 && raw.indexOf('+') < 0;
        int from = 0;
        while (from <= raw.length()) {
            int end = raw.indexOf('&', from);
            if (end < 0) {
                end = raw.length();
            }
            if (end > from) {
                int equals = raw.indexOf('=', from);
                boolean bare = equals < 0 || equals > end;
                int nameEnd = bare ? end : equals;
                names[size] = plain ? raw.substring(from, nameEnd) : decode(raw, from, nameEnd);
                values[size] = bare ? null : plain ? raw.substring(equals + 1, end) : decode(raw, equals + 1, end);
                size++;
            }
            from = end + 1;
        }
        return new Query(names, values, size);
    }

    private int indexOf(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** @return the first value of {@code name}, decoded, {@code ""} if it has none, or {@code null} if absent */
    String get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : values[i] == null ? "" : values[i];
    }

    /** @return how many times {@code name} is given, with or without a value */
    int count(String name) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            n += names[i].equals(name) ? 1 : 0;
        }
        return n;
    }

    /** @return whether {@code name} is given, with or without a value */
    boolean has(String name) {
        return indexOf(name) >= 0;
    }

    /** @return whether {@code name}'s first occurrence has no '=' ({@code ?ttl}, not {@code ?ttl=}) */
    boolean isBare(String name) {
        int i = indexOf(name);
        return i >= 0 && values[i] == null;
    }

    /**
     * @return whether some occurrence of {@code name} has a value, even an empty one ({@code ?all=false},
     *     {@code ?all=}): for the names that take none, where a value would otherwise be dropped without a word
     */
    boolean hasValue(String name) {
        for (int i = 0; i < size; i++) {
            if (values[i] != null && names[i].equals(name)) {
                return true;
            }
        }
        return false;
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

    /** Decodes {@code raw[from, to)}: each run of escapes as UTF-8 bytes, '+' as a space, the rest as it is. */
    private static String decode(String raw, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        byte[] bytes = null;
        int i = from;
        while (i < to) {
            char c = raw.charAt(i);
            if (c != '%') {
                out.append(c == '+' ? ' ' : c);
                i++;
                continue;
            }
            int runStart = i;
            int count = 0;
            while (i < to && raw.charAt(i) == '%') {
                int high = i + 1 < to ? hex(raw.charAt(i + 1)) : -1;
                int low = i + 2 < to ? hex(raw.charAt(i + 2)) : -1;
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("Malformed percent-escape '" + raw.substring(i, Math.min(i + 3, to))
                            + "' in the query: '%' must be followed by two hexadecimal digits (RFC 3986 2.1)");
                }
                if (bytes == null || count == bytes.length) {
                    bytes = bytes == null ? new byte[8] : Arrays.copyOf(bytes, 2 * bytes.length);
                }
                bytes[count++] = (byte) (high << 4 | low);
                i += 3;
            }
            try {
                out.append(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, count)));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("Percent-escapes in the query must encode UTF-8, and '"
                        + raw.substring(runStart, i) + "' does not");
            }
        }
        return out.toString();
    }

    /** @return the ASCII hexadecimal digit's value, or -1 (Character.digit would take other scripts' digits too) */
    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
