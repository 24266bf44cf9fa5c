package dev.kvcache.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes the workload's two requests, {@code GET <base>/<key>} and {@code POST <base>/<key>} with a
 * decimal body, straight into a connection's output buffer.
 *
 * <p>Everything but the key and the body is encoded once, up front, so a request costs two bulk copies
 * and a few digit stores, and no allocation. Not thread-safe: one encoder per worker thread.
 */
final class RequestEncoder {

    /** Enough for any long in decimal, sign included. */
    private static final int MAX_DECIMAL_DIGITS = 20;
    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final byte[] getPrefix;
    private final byte[] getSuffix;
    private final byte[] postPrefix;
    private final byte[] postSuffix;
    private final byte[] digits = new byte[MAX_DECIMAL_DIGITS];

    /**
     * @param basePath the path the keys hang under, without a trailing slash ("" for the root)
     * @param hostHeader the value of the Host header, {@code host:port}
     */
    RequestEncoder(String basePath, String hostHeader) {
        getPrefix = ascii("GET " + basePath + "/");
        getSuffix = ascii(" HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n");
        postPrefix = ascii("POST " + basePath + "/");
        postSuffix = ascii(" HTTP/1.1\r\nHost: " + hostHeader + "\r\nContent-Length: ");
    }

    /** The largest number of bytes one request can take; size output buffers by it. */
    int maxRequestBytes() {
        return Math.max(getPrefix.length + getSuffix.length + MAX_DECIMAL_DIGITS,
                postPrefix.length + postSuffix.length + 2 + HEAD_END.length + 2 * MAX_DECIMAL_DIGITS);
    }

    /**
     * Appends {@code GET <base>/<key>}.
     *
     * @return the number of bytes written
     */
    int encodeGet(ByteBuffer out, long key) {
        int start = out.position();
        out.put(getPrefix);
        putDecimal(out, key);
        out.put(getSuffix);
        return out.position() - start;
    }

    /**
     * Appends {@code POST <base>/<key>} whose body is {@code value} in decimal.
     *
     * @return the number of bytes written
     */
    int encodePost(ByteBuffer out, long key, long value) {
        int start = out.position();
        out.put(postPrefix);
        putDecimal(out, key);
        out.put(postSuffix);
        putDecimal(out, decimalLength(value));
        out.put(HEAD_END);
        putDecimal(out, value);
        return out.position() - start;
    }

    private void putDecimal(ByteBuffer out, long value) {
        int position = MAX_DECIMAL_DIGITS;
        // Work on the negative value: it covers Long.MIN_VALUE, whose magnitude has no positive long.
        long rest = value < 0 ? value : -value;
        do {
            digits[--position] = (byte) ('0' - (rest % 10));
            rest /= 10;
        } while (rest != 0);
        if (value < 0) {
            digits[--position] = '-';
        }
        out.put(digits, position, MAX_DECIMAL_DIGITS - position);
    }

    static int decimalLength(long value) {
        int length = value < 0 ? 2 : 1;
        long rest = value < 0 ? value : -value;
        while (rest <= -10) {
            rest /= 10;
            length++;
        }
        return length;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
