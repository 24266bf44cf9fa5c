package dev.kvcache.bench.http;

import java.nio.charset.StandardCharsets;

/** Percent-encodes keys for the {@code /kv/{key}} route, as a client would. */
final class KeyCodec {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private KeyCodec() {}

    /**
     * Encodes every UTF-8 byte of {@code key} except RFC 3986 unreserved characters and {@code '/'}, which
     * stays a separator: the route takes everything after {@code /kv/}, slashes included, and Jetty refuses
     * an encoded slash ({@code %2F}) as ambiguous (docs/http.md).
     */
    static String encode(String key) {
        StringBuilder out = new StringBuilder();
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    static int utf8Length(String key) {
        return key.getBytes(StandardCharsets.UTF_8).length;
    }
}
