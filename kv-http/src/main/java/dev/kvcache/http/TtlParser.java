package dev.kvcache.http;

import java.time.Duration;

/**
 * Parses the duration strings the server accepts for time-to-live and timeouts: a positive whole
 * number with an optional unit, {@code ms}, {@code s}, {@code m} or {@code h}; a bare number means
 * milliseconds ({@code 1500}, {@code 1500ms}, {@code 10s}, {@code 1m}, {@code 2h}). Public so that the
 * standalone server's flags take the same forms as the {@code ttl} parameter.
 */
public final class TtlParser {
    /** Longer values are refused rather than saturated, so a typo cannot make an entry immortal. */
    static final long MAX_MILLIS = Duration.ofDays(365 * 100L).toMillis();

    private TtlParser() {}

    /**
     * Parses a duration string.
     *
     * @param text the text, not null
     * @return the duration in milliseconds, positive
     * @throws IllegalArgumentException if the text is not a positive duration in the accepted forms, or
     *     is longer than 100 years (the message says which)
     */
    public static long parseMillis(String text) {
        int length = text.length();
        int digits = 0;
        long value = 0;
        boolean overflow = false; // keep scanning: a malformed text is reported as malformed, however long
        while (digits < length && text.charAt(digits) >= '0' && text.charAt(digits) <= '9') {
            value = value * 10 + (text.charAt(digits) - '0');
            if (value > MAX_MILLIS) {
                overflow = true;
                value = MAX_MILLIS + 1;
            }
            digits++;
        }
        if (digits == 0) {
            throw invalid(text);
        }
        long unitMillis = unitMillis(text, digits, length);
        if (value == 0) {
            throw invalid(text);
        }
        if (overflow || value > MAX_MILLIS / unitMillis) {
            throw tooLong(text);
        }
        return value * unitMillis;
    }

    /**
     * Parses a duration string.
     *
     * @param text the text, not null
     * @return the duration, positive
     * @throws IllegalArgumentException if the text is not a positive duration in the accepted forms
     */
    static Duration parse(String text) {
        return Duration.ofMillis(parseMillis(text));
    }

    private static long unitMillis(String text, int from, int to) {
        int unitLength = to - from;
        if (unitLength == 0 || text.startsWith("ms", from) && unitLength == 2) {
            return 1;
        }
        if (unitLength == 1) {
            switch (text.charAt(from)) {
                case 's': return 1_000;
                case 'm': return 60_000;
                case 'h': return 3_600_000;
                default: break;
            }
        }
        throw invalid(text);
    }

    private static IllegalArgumentException tooLong(String text) {
        return new IllegalArgumentException("invalid duration '" + text + "': too long, at most " + MAX_MILLIS
                + "ms (100 years)");
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration '" + text
                + "': expected a positive whole number of ms, or with a unit: 1500ms, 10s, 1m, 2h");
    }
}
