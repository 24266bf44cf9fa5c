package dev.kvcache.http;

/**
 * The request methods the handler tells apart; every other method is {@link #OTHER}. Resources
 * dispatch on it, and {@link Metrics} counts by it (its {@link #label} is the {@code method} label).
 */
enum Method {
    GET("get"),
    HEAD("head"),
    POST("post"),
    PUT("put"),
    DELETE("delete"),
    OTHER("other");

    /** {@link #values()}, built once: {@code values()} copies its array on every call. */
    static final Method[] ALL = values();

    /** The name in lower case, as Go's promhttp writes it in {@code api_requests_total}. */
    final String label;

    Method(String label) {
        this.label = label;
    }

    /**
     * @param name the request's method, case-sensitive as RFC 9110 section 9.1 says
     * @return the method, or {@link #OTHER}
     */
    static Method of(String name) {
        switch (name) {
            case "GET": return GET;
            case "HEAD": return HEAD;
            case "POST": return POST;
            case "PUT": return PUT;
            case "DELETE": return DELETE;
            default: return OTHER;
        }
    }

    /** @return whether this is {@code GET} or {@code HEAD} */
    boolean isRead() {
        return this == GET || this == HEAD;
    }
}
