package dev.kvcache.bench.httpjmh;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.LocalConnector;

/**
 * Counts complete HTTP/1.1 responses in a connection's output without building them: a byte-wise scan
 * for the end of each header block and its {@code Content-Length} (the responses measured are never
 * chunked). Jetty's own {@code LocalEndPoint.waitForResponse} parses each response into a parser,
 * fields and strings, so its allocation grew with every header a server sends; counted here, the
 * benchmark thread allocates about the same per response for any peer, and {@code -prof gc} differences
 * are the server's own. One instance per connection; not thread-safe.
 */
final class ResponseCounter {
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final long TIMEOUT_SECONDS = 10;

    private final byte[] line = new byte[512];
    private int lineLength;
    private long contentLength;
    private long bodyLeft = -1;

    /**
     * Waits until {@code count} more responses have been written.
     *
     * @return the bytes they took
     * @throws IllegalStateException if they do not arrive within 10 s
     */
    int await(LocalConnector.LocalEndPoint endpoint, int count) throws InterruptedException {
        int complete = 0;
        int bytes = 0;
        while (complete < count) {
            ByteBuffer output = endpoint.waitForOutput(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (output == null || !output.hasRemaining()) {
                throw new IllegalStateException("no response within " + TIMEOUT_SECONDS + " s");
            }
            bytes += output.remaining();
            complete += scan(output);
        }
        if (complete > count) {
            throw new IllegalStateException(complete + " responses to " + count + " requests");
        }
        return bytes;
    }

    /** @return the responses that ended in {@code output} */
    private int scan(ByteBuffer output) {
        int ended = 0;
        while (output.hasRemaining()) {
            if (bodyLeft >= 0) {
                int skip = (int) Math.min(bodyLeft, output.remaining());
                output.position(output.position() + skip);
                bodyLeft -= skip;
                if (bodyLeft == 0) {
                    bodyLeft = -1;
                    ended++;
                }
                continue;
            }
            byte b = output.get();
            if (b != '\n') {
                if (b != '\r' && lineLength < line.length) {
                    line[lineLength++] = b;
                }
                continue;
            }
            if (lineLength == 0) {
                // The blank line after the headers.
                if (contentLength > 0) {
                    bodyLeft = contentLength;
                } else {
                    ended++;
                }
                contentLength = 0;
            } else if (startsWithIgnoringCase(line, lineLength, CONTENT_LENGTH)) {
                contentLength = digits(line, CONTENT_LENGTH.length, lineLength);
            }
            lineLength = 0;
        }
        return ended;
    }

    private static boolean startsWithIgnoringCase(byte[] text, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (Character.toLowerCase(text[i]) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static long digits(byte[] text, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            if (text[i] >= '0' && text[i] <= '9') {
                value = value * 10 + text[i] - '0';
            }
        }
        return value;
    }
}
