package dev.kvcache.http.server;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Answers 431 to an HTTP/2 request whose headers exceed {@code --max-header-bytes}, and 414 to one whose
 * request target alone does (measured as the HTTP/1.1 request line it would be), as HTTP/1.1 does.
 *
 * <p>Jetty 12.1.14's HPACK decoder treats a header block over its limit as a connection error: it
 * sends GOAWAY and closes the connection, failing every stream on it, since it stops decoding and its
 * table would no longer match the client's. So the HTTP/2 decoder is given a higher limit
 * ({@link #decoderLimit}), and this customizer, which sees the decoded request before any handler,
 * refuses one over the configured limit with 431 (through the server's error handler). Only a
 * header block over the decoder's limit still closes the connection.
 *
 * <p>The size is HTTP/2's own measure (RFC 9113, 6.5.2): each field's name and value plus 32, the
 * pseudo-header fields ({@code :method}, {@code :scheme}, {@code :authority}, {@code :path}) included.
 */
final class Http2HeaderLimit implements HttpConfiguration.Customizer {
    /** RFC 9113, 6.5.2: the overhead counted for each field. */
    private static final int FIELD_OVERHEAD = 32;
    private static final int MIN_DECODER_LIMIT = 64 * 1024;

    private final int limit;

    /** @param limit the most bytes of headers a request may have, as measured here */
    Http2HeaderLimit(int limit) {
        this.limit = limit;
    }

    /** @return the HPACK decoder's limit for a header {@code limit}: four times it, at least 64 KiB */
    static int decoderLimit(int limit) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_DECODER_LIMIT, 4L * limit));
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        if (requestLineSize(request) > limit) {
            // HTTP/1.1 answers 414 when the request line alone is over the limit; so does HTTP/2.
            throw new HttpException.RuntimeException(HttpStatus.URI_TOO_LONG_414);
        }
        if (size(request) > limit) {
            throw new HttpException.RuntimeException(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431);
        }
        return request;
    }

    static long size(Request request) {
        HttpURI uri = request.getHttpURI();
        long size = field(":method", request.getMethod()) + field(":scheme", uri.getScheme())
                + field(":authority", uri.getAuthority()) + field(":path", uri.getPathQuery());
        for (HttpField field : request.getHeaders()) {
            size += field(field.getName(), field.getValue());
        }
        return size;
    }

    /** @return the length of the HTTP/1.1 request line this request would have: method, target, version */
    static long requestLineSize(Request request) {
        String target = request.getHttpURI().getPathQuery();
        return request.getMethod().length() + 1 + (target == null ? 0 : target.length()) + " HTTP/1.1\r\n".length();
    }

    private static long field(String name, String value) {
        return value == null ? 0 : name.length() + value.length() + FIELD_OVERHEAD;
    }
}
