package dev.kvcache.http;

import org.eclipse.jetty.util.URIUtil;

/** Extracts keys from paths that {@link Route#of} classified as {@link Route#KEY}, and measures them. */
final class KeyParser {
    private KeyParser() {}

    /**
     * @param path a path of {@link Route#KEY}
     * @return its key, percent-decoded: the rest of a {@code /kv/} path, or the first segment of a
     *     root path; {@code null} if its percent-encoding is not valid UTF-8
     */
    static String key(String path) {
        String raw;
        if (path.startsWith(Route.NAMESPACE)) {
            raw = path.substring(Route.NAMESPACE.length());
        } else {
            int end = path.indexOf('/', 1);
            raw = path.substring(1, end < 0 ? path.length() : end);
        }
        // Jetty's path in context is the canonical, still percent-encoded path (it decodes only
        // unreserved characters), so "a%20b" must become "a b" here; keys without '%' cost nothing.
        // This is the only decoding: "%2541" is the key "%41", and "a%2Fb" (kept whole by the split
        // above, and by Route) the key "a/b".
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        try {
            return URIUtil.decodePath(raw);
        } catch (IllegalArgumentException e) {
            return null; // not valid percent-encoded UTF-8 (Jetty normally refuses it first)
        }
    }

    /** @return the length of {@code text} in UTF-8, computed without encoding it */
    static int utf8Length(CharSequence text) {
        int length = text.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < length
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2; // the pair is 4 bytes, counted as 2 chars already
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }
}
