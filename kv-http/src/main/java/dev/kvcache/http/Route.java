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

    /**
     * @param path the decoded path in the handler's context, starting with {@code /}
     * @return the resource it names
     */
    public static Route of(String path) {
        int length = path.length();
        if (length < 2 || path.charAt(0) != '/') {
            return NO_KEY;
        }
        if (path.startsWith(NAMESPACE)) {
            return length > NAMESPACE.length() ? KEY : KEYS;
        }
        int end = path.indexOf('/', 1);
        int segment = (end < 0 ? length : end) - 1;
        switch (segment) {
            case 0: return NO_KEY;
            case 2: return path.startsWith("kv", 1) ? NO_KEY : KEY;
            case 4: return path.startsWith("size", 1) ? SIZE : KEY;
            case 5: return path.startsWith("stats", 1) ? STATS : KEY;
            case 6: return path.startsWith("health", 1) ? HEALTH : KEY;
            case 7: return path.startsWith("metrics", 1) ? METRICS : KEY;
            default: return KEY;
        }
    }
}
