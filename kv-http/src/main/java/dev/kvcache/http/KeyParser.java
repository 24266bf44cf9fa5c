package dev.kvcache.http;

/** Extracts keys from paths that {@link Route#of} classified as {@link Route#KEY}, and measures them. */
final class KeyParser {
    private KeyParser() {}

    /**
     * @param path a path of {@link Route#KEY}
     * @return its key: the rest of a {@code /kv/} path, or the first segment of a root path
     */
    static String key(String path) {
        if (path.startsWith(Route.NAMESPACE)) {
            return path.substring(Route.NAMESPACE.length());
        }
        int end = path.indexOf('/', 1);
        return path.substring(1, end < 0 ? path.length() : end);
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
