package dev.kvcache.http.server;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.NanoTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --access-log}: one line per request on logger {@value #LOGGER}, in NCSA combined order
 * without its timestamp (the logging backend's line already has one), then the time taken:
 * <pre>127.0.0.1 - "GET /k1 HTTP/1.1" 200 2 "-" "curl/8.5.0" 1ms</pre>
 * A missing field is {@code -}, quoted fields escape {@code "} and {@code \}, and control characters
 * are written as {@code ?}, so a client cannot forge a line. A flush's line ends with {@code removed=N}.
 */
final class AccessLog implements RequestLog {
    static final String LOGGER = "dev.kvcache.http.access";
    /** The header a flush answers with the count of keys it removed (the handler's FlushOperation). */
    static final String FLUSHED_HEADER = "Kv-Removed";
    private final Logger log = LoggerFactory.getLogger(LOGGER);

    @Override
    public void log(Request request, Response response) {
        if (!log.isInfoEnabled()) {
            return;
        }
        StringBuilder line = new StringBuilder(160);
        line.append(orDash(Request.getRemoteAddr(request))).append(" - \"");
        escape(line, request.getMethod() + " " + request.getHttpURI().getPathQuery() + " "
                + request.getConnectionMetaData().getProtocol());
        line.append("\" ").append(response.getStatus()).append(' ').append(Response.getContentBytesWritten(response));
        quoted(line, request.getHeaders().get("Referer"));
        quoted(line, request.getHeaders().get("User-Agent"));
        line.append(' ').append(NanoTime.millisSince(request.getBeginNanoTime())).append("ms");
        String removed = response.getHeaders().get(FLUSHED_HEADER);
        if (removed != null) {
            line.append(" removed=").append(removed); // a flush: how many keys it removed
        }
        log.info(line.toString());
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    private static void quoted(StringBuilder line, String value) {
        line.append(" \"");
        escape(line, orDash(value));
        line.append('"');
    }

    private static void escape(StringBuilder line, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            } else {
                line.append(c < 0x20 || c == 0x7f ? '?' : c);
            }
        }
    }
}
