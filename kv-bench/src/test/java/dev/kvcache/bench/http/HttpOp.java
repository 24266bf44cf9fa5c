package dev.kvcache.bench.http;

/**
 * One step of a stateful test of the HTTP server: a request on a small key space, or a move of the
 * fake clock. Each prints as the request it sends (method, path, the headers that matter), so that a
 * minimal counterexample reads as a curl session. Values are not part of the step: the harness gives
 * every write a fresh, unique body.
 */
sealed interface HttpOp {

    /** How a write names its TTL: not at all (the default), {@code ?ttl=}, or the {@code Kv-Ttl} header. */
    enum TtlSource { DEFAULT, QUERY, HEADER }

    /** A write's TTL and the text that expresses it ({@code 1500}, {@code 1500ms}, {@code 2s}, ...). */
    record Ttl(TtlSource source, String text, long millis) {
        static final Ttl DEFAULT = new Ttl(TtlSource.DEFAULT, "", 0);

        String query() {
            return source == TtlSource.QUERY ? "?ttl=" + text : "";
        }

        @Override public String toString() {
            return source == TtlSource.HEADER ? " Kv-Ttl:" + text : "";
        }
    }

    /** The precondition a write or delete sends. */
    enum Precondition {
        NONE(""),
        /** {@code If-None-Match: *}: create only. */
        CREATE_ONLY(" If-None-Match:*"),
        /** {@code If-Match: *}: only if present. */
        IF_PRESENT(" If-Match:*"),
        /** {@code If-Match: <the ETag last seen for the key>} (compare-and-set). */
        MATCH_LAST_SEEN(" If-Match:<last seen>"),
        /** {@code If-Match: <an ETag the key had before, or one never issued>}. */
        MATCH_STALE(" If-Match:<stale>");

        private final String text;

        Precondition(String text) {
            this.text = text;
        }

        @Override public String toString() {
            return text;
        }
    }

    /** The path of key {@code key}: {@code /kv/k<key>} or the Go route {@code /k<key>}. */
    static String path(int key, boolean namespaced) {
        return (namespaced ? "/kv/k" : "/k") + key;
    }

    /** {@code PUT} (answers 204/201) or {@code POST} (answers 200 with the value echoed). */
    record Write(String method, int key, boolean namespaced, Ttl ttl, Precondition precondition,
            String contentType, boolean emptyBody) implements HttpOp {
        @Override public String toString() {
            return method + " " + path(key, namespaced) + ttl.query() + ttl + precondition
                    + (contentType == null ? "" : " Content-Type:" + contentType) + (emptyBody ? " (empty)" : "");
        }
    }

    /** {@code GET} or {@code HEAD}, optionally with {@code If-None-Match: <the ETag last seen>}. */
    record Read(String method, int key, boolean namespaced, boolean ifNoneMatchLastSeen) implements HttpOp {
        @Override public String toString() {
            return method + " " + path(key, namespaced) + (ifNoneMatchLastSeen ? " If-None-Match:<last seen>" : "");
        }
    }

    /** {@code DELETE}. */
    record Delete(int key, boolean namespaced, Precondition precondition) implements HttpOp {
        @Override public String toString() {
            return "DELETE " + path(key, namespaced) + precondition;
        }
    }

    /** Moves the server's fake ticker forward. */
    record Advance(long millis) implements HttpOp {
        @Override public String toString() {
            return "advance(" + millis + "ms)";
        }
    }
}
