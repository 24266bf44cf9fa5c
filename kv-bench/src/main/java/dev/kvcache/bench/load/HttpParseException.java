package dev.kvcache.bench.load;

/** Thrown by {@link ResponseParser} when a server sends bytes that are not a valid HTTP/1.x response. */
final class HttpParseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    HttpParseException(String message) {
        super(message);
    }
}
