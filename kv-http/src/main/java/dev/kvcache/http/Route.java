package dev.kvcache.http;

/**
 * Which resource a path (relative to the handler's context) names.
 *
 * <p>Two spaces of keys share the path:
 * <ul>
 *   <li>{@code /kv/{key}}: the namespaced route; everything after {@code /kv/} is the key, slashes
 *       included, so every key works, {@code size} and {@code metrics} too.
 *   <li>{@code /{key}}: the Go server's route, kept so that its scripts run unchanged. As there, the
 *       key is the first path segment ({@code /a/b} names {@code a}). The names in {@link #RESERVED}
 *       are not keys here.
 * </ul>
 * Public so that a wrapper in front of {@link KvHandler} (the standalone server's authentication)
 * judges paths exactly as the handler routes them.
 */
public enum Route {
    /** {@code /size}: the number of entries. */
    SIZE,
    /** {@code /metrics}: Prometheus text exposition. */
    METRICS,
    /** {@code /stats}: counters and configuration as JSON. */
    STATS,
    /** {@code /health}: 200 while serving, 503 while shutting down. */
    HEALTH,
    /** A key, read with {@link KeyParser#key}. */
    KEY,
    /** {@code /kv/} with nothing after it: the keys as a whole (listing, flush). */
    KEYS,
    /** No key: {@code /}, {@code //x} or {@code /kv}. */
    NO_KEY;

    /** The first path segments that are not keys on the root route, in the order the docs list them. */
    static final String[] RESERVED = {"size", "metrics", "stats", "health", "kv"};

    static final String NAMESPACE = "/kv/";

    /** {@link #RESERVED}'s names at the index of their length ({@code null}: none that long). */
    private static final String[] RESERVED_BY_LENGTH = {null, null, "kv", null, "size", "stats", "health", "metrics"};
    /** What each name of {@link #RESERVED_BY_LENGTH} routes to; {@code /kv} alone names no key. */
    private static final Route[] ROUTE_BY_LENGTH = {null, null, NO_KEY, null, SIZE, STATS, HEALTH, METRICS};

    /**
     * @param path the decoded path in the handler's context, starting with {@code /}; or {@code null}, which
     *     Jetty gives for a request without one (an HTTP/2 {@code CONNECT}) and which names no key
     * @return the resource it names
     */
    public static Route of(String path) {
        if (path == null) {
            return NO_KEY;
        }
        int length = path.length();
        if (length < 2 || path.charAt(0) != '/') {
            return NO_KEY;
        }
        if (path.startsWith(NAMESPACE)) {
            return length > NAMESPACE.length() ? KEY : KEYS;
        }
        int end = path.indexOf('/', 1);
        int segment = (end < 0 ? length : end) - 1;
        if (segment == 0) {
            return NO_KEY;
        }
        // A lookup by the segment's length, not a switch over it: C2 compiles a switch with only the
        // lengths its profile saw (not the rare key lengths of a few digits, say), and a request with
        // another length then deoptimized the whole compiled request path.
        String reserved = segment < RESERVED_BY_LENGTH.length ? RESERVED_BY_LENGTH[segment] : null;
        return reserved != null && path.startsWith(reserved, 1) ? ROUTE_BY_LENGTH[segment] : KEY;
    }
}
