package dev.kvcache.http;

import java.nio.charset.StandardCharsets;

/**
 * The decimal form of counters: an optional {@code -}, then 1 to 19 ASCII digits, within a signed
 * 64-bit long; no sign {@code +}, no spaces, no leading zeros beyond one {@code 0} (so that each number
 * has one form, as Redis' {@code INCR} requires of its strings).
 */
final class Decimal {
    private Decimal() {}

    /** @throws NumberFormatException if {@code text} is not in that form, or out of range */
    static long parse(CharSequence text) {
        int length = text.length();
        int start = length > 0 && text.charAt(0) == '-' ? 1 : 0;
        int digits = length - start;
        if (digits < 1 || digits > 19 || digits > 1 && text.charAt(start) == '0' || start == 1 && digits == 1 && text.charAt(1) == '0') {
            throw new NumberFormatException();
        }
        for (int i = start; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException();
            }
        }
        return Long.parseLong(text, 0, length, 10); // throws past the long range
    }

    /** @throws NumberFormatException if the bytes are not a decimal in that form */
    static long parse(byte[] bytes) {
        if (bytes.length > 20) {
            throw new NumberFormatException();
        }
        return parse(new String(bytes, StandardCharsets.ISO_8859_1));
    }
}
