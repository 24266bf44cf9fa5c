package dev.kvcache.bench.load;

/**
 * An incremental, allocation-free parser of HTTP/1.1 responses arriving on one connection.
 *
 * <p>Bytes are fed in whatever pieces the socket delivers; {@link #feed} consumes bytes up to the end of
 * the current response and stops there, so the caller loops until its buffer is empty:
 * <pre>{@code
 * while (offset < end) {
 *     offset += parser.feed(bytes, offset, end - offset);
 *     if (parser.isComplete()) { handle(parser.status(), ...); }
 * }
 * }</pre>
 * The accessors describe the last completed response until the next call to {@code feed}, which starts
 * the next response. Bodies are delimited by {@code Transfer-Encoding: chunked} (which wins, as RFC 9112
 * says), else by {@code Content-Length}, else by the end of the connection ({@link #endOfInput}).
 * Statuses 1xx (but 101), 204 and 304 carry no body; interim 1xx responses are skipped.
 *
 * <p>The body is not stored: while it streams past, the parser decides whether it is a decimal integer
 * in the sense of Go's {@code strconv.Atoi} (optional sign, ASCII digits, fits in 64 bits), because that
 * is all the workload needs from it. Header lines longer than {@value #LINE_CAPACITY} bytes are kept
 * only in part, which is enough for every header the parser reads.
 *
 * <p>Not thread-safe: one parser per connection.
 */
final class ResponseParser {

    static final int LINE_CAPACITY = 256;

    private static final int STATUS_LINE = 0;
    private static final int HEADER_LINE = 1;
    private static final int BODY_LENGTH = 2;
    private static final int CHUNK_SIZE_LINE = 3;
    private static final int CHUNK_DATA = 4;
    private static final int CHUNK_DATA_END = 5;
    private static final int TRAILER_LINE = 6;
    private static final int BODY_UNTIL_CLOSE = 7;
    private static final int COMPLETE = 8;

    private static final int INT_EMPTY = 0;
    private static final int INT_SIGN = 1;
    private static final int INT_DIGITS = 2;
    private static final int INT_NONE = 3;

    private final byte[] line = new byte[LINE_CAPACITY];
    private int lineLength;
    private int lineTotal;

    private int state = STATUS_LINE;
    private int status;
    private boolean http11;
    private boolean keepAlive;
    private boolean closeSeen;
    private boolean keepAliveSeen;
    private boolean chunked;
    private long contentLength;
    private long remaining;
    private long bodyLength;
    private long wireBytes;

    private int integerState;
    private boolean negative;
    private long magnitude;

    ResponseParser() {
        startResponse();
    }

    /**
     * Consumes bytes of the current response, stopping at its end.
     *
     * @return the number of bytes consumed, at most {@code length}; fewer only if the response completed
     * @throws HttpParseException if the bytes are not a valid HTTP/1.x response
     */
    int feed(byte[] data, int offset, int length) {
        if (state == COMPLETE) {
            startResponse();
        }
        int position = offset;
        int end = offset + length;
        while (position < end && state != COMPLETE) {
            switch (state) {
                case STATUS_LINE, HEADER_LINE, CHUNK_SIZE_LINE, TRAILER_LINE -> {
                    position = readLine(data, position, end);
                }
                case BODY_LENGTH -> {
                    int take = (int) Math.min(remaining, end - position);
                    scanBody(data, position, take);
                    position += take;
                    remaining -= take;
                    if (remaining == 0) {
                        state = COMPLETE;
                    }
                }
                case CHUNK_DATA -> {
                    int take = (int) Math.min(remaining, end - position);
                    scanBody(data, position, take);
                    position += take;
                    remaining -= take;
                    if (remaining == 0) {
                        state = CHUNK_DATA_END;
                        lineLength = 0;
                        lineTotal = 0;
                    }
                }
                case CHUNK_DATA_END -> {
                    // The CRLF after the chunk data is read as an empty line.
                    position = readLine(data, position, end);
                }
                case BODY_UNTIL_CLOSE -> {
                    scanBody(data, position, end - position);
                    position = end;
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
        wireBytes += position - offset;
        return position - offset;
    }

    /**
     * Signals that the connection delivered its last byte.
     *
     * @return true if that ended a response delimited by the connection's close (which is then complete)
     * @throws HttpParseException if a response was cut short
     */
    boolean endOfInput() {
        if (state == BODY_UNTIL_CLOSE) {
            state = COMPLETE;
            return true;
        }
        if (state == COMPLETE || (state == STATUS_LINE && lineTotal == 0 && wireBytes == 0)) {
            return false;
        }
        throw new HttpParseException("connection closed inside a response");
    }

    /** Forgets any partial response, for a new connection. */
    void reset() {
        startResponse();
    }

    /** True if the bytes fed so far end exactly at the end of a response. */
    boolean isComplete() {
        return state == COMPLETE;
    }

    /** True if no byte of a next response has been fed since the last one completed (or since creation). */
    boolean isIdle() {
        return state == COMPLETE || (state == STATUS_LINE && lineTotal == 0 && wireBytes == 0);
    }

    /** The status code of the completed response. */
    int status() {
        return status;
    }

    /** The number of body bytes (chunk framing excluded) of the completed response. */
    long bodyLength() {
        return bodyLength;
    }

    /** The number of bytes the completed response took on the wire, interim 1xx responses included. */
    long wireBytes() {
        return wireBytes;
    }

    /** Whether the connection may carry further responses after this one. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the body is a decimal integer as Go's {@code strconv.Atoi} accepts it. */
    boolean bodyIsInteger() {
        return integerState == INT_DIGITS;
    }

    /** The body's value when {@link #bodyIsInteger()}, else 0. */
    long bodyInteger() {
        if (integerState != INT_DIGITS) {
            return 0;
        }
        // magnitude is accumulated as a negative number so that Long.MIN_VALUE fits.
        return negative ? magnitude : -magnitude;
    }

    private void startResponse() {
        state = STATUS_LINE;
        lineLength = 0;
        lineTotal = 0;
        wireBytes = 0;
        startHead();
    }

    private void startHead() {
        status = 0;
        http11 = false;
        closeSeen = false;
        keepAliveSeen = false;
        chunked = false;
        contentLength = -1;
        remaining = 0;
        bodyLength = 0;
        integerState = INT_EMPTY;
        negative = false;
        magnitude = 0;
    }

    /** Appends bytes to the current line; on its LF, interprets the line. */
    private int readLine(byte[] data, int position, int end) {
        while (position < end) {
            byte b = data[position++];
            if (b == '\n') {
                int length = lineLength;
                if (length > 0 && line[length - 1] == '\r' && lineTotal == length) {
                    length--;
                } else if (lineTotal > lineLength) {
                    // Truncated long line: the CR, if any, was dropped with the tail.
                    length = lineLength;
                }
                lineLength = 0;
                int total = lineTotal;
                lineTotal = 0;
                onLine(length, total);
                return position;
            }
            if (lineLength < LINE_CAPACITY) {
                line[lineLength++] = b;
            }
            lineTotal++;
        }
        return position;
    }

    private void onLine(int length, int total) {
        switch (state) {
            case STATUS_LINE -> onStatusLine(length);
            case HEADER_LINE -> {
                if (total == 0 || (total == 1 && length == 0)) {
                    onHeadEnd();
                } else {
                    onHeaderLine(length);
                }
            }
            case CHUNK_SIZE_LINE -> onChunkSizeLine(length);
            case CHUNK_DATA_END -> {
                if (length != 0) {
                    throw new HttpParseException("missing CRLF after chunk data");
                }
                state = CHUNK_SIZE_LINE;
            }
            case TRAILER_LINE -> {
                if (length == 0) {
                    state = COMPLETE;
                }
            }
            default -> throw new IllegalStateException("state " + state);
        }
    }

    private void onStatusLine(int length) {
        // "HTTP/1.1 200 OK": the reason phrase may be empty and the space before it may be missing.
        if (length < 12 || !startsWith("HTTP/1.") || line[8] != ' ') {
            throw new HttpParseException("bad status line: " + lineText(length));
        }
        byte minor = line[7];
        if (minor != '0' && minor != '1') {
            throw new HttpParseException("unsupported version: " + lineText(length));
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            int digit = line[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new HttpParseException("bad status code: " + lineText(length));
            }
            code = code * 10 + digit;
        }
        if (length > 12 && line[12] != ' ') {
            throw new HttpParseException("bad status line: " + lineText(length));
        }
        status = code;
        http11 = minor == '1';
        state = HEADER_LINE;
    }

    private void onHeaderLine(int length) {
        int colon = -1;
        for (int i = 0; i < length; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= 0) {
            throw new HttpParseException("bad header line: " + lineText(length));
        }
        int valueStart = colon + 1;
        while (valueStart < length && (line[valueStart] == ' ' || line[valueStart] == '\t')) {
            valueStart++;
        }
        int valueEnd = length;
        while (valueEnd > valueStart && (line[valueEnd - 1] == ' ' || line[valueEnd - 1] == '\t')) {
            valueEnd--;
        }
        if (nameIs("content-length", colon)) {
            contentLength = parseContentLength(valueStart, valueEnd, length);
        } else if (nameIs("transfer-encoding", colon)) {
            // "chunked" must be the final coding; anything else leaves the body to the connection close.
            chunked = endsWithToken("chunked", valueStart, valueEnd);
        } else if (nameIs("connection", colon)) {
            if (containsToken("close", valueStart, valueEnd)) {
                closeSeen = true;
            }
            if (containsToken("keep-alive", valueStart, valueEnd)) {
                keepAliveSeen = true;
            }
        }
    }

    private void onHeadEnd() {
        if (status >= 100 && status < 200 && status != 101) {
            // Interim response: its bytes stay in wireBytes, the final response follows.
            startHead();
            state = STATUS_LINE;
            return;
        }
        keepAlive = http11 ? !closeSeen : keepAliveSeen && !closeSeen;
        if (status == 101 || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            state = COMPLETE;
        } else if (chunked) {
            state = CHUNK_SIZE_LINE;
        } else if (contentLength >= 0) {
            remaining = contentLength;
            state = contentLength == 0 ? COMPLETE : BODY_LENGTH;
        } else {
            keepAlive = false;
            state = BODY_UNTIL_CLOSE;
        }
    }

    private void onChunkSizeLine(int length) {
        long size = 0;
        int digits = 0;
        for (int i = 0; i < length; i++) {
            int c = line[i];
            int digit = Character.digit(c, 16);
            if (digit < 0) {
                if (c == ';' || c == ' ' || c == '\t') {
                    break;
                }
                throw new HttpParseException("bad chunk size: " + lineText(length));
            }
            if (++digits > 15) {
                throw new HttpParseException("chunk too large: " + lineText(length));
            }
            size = size * 16 + digit;
        }
        if (digits == 0) {
            throw new HttpParseException("bad chunk size: " + lineText(length));
        }
        if (size == 0) {
            state = TRAILER_LINE;
        } else {
            remaining = size;
            state = CHUNK_DATA;
        }
    }

    private long parseContentLength(int start, int end, int length) {
        if (start == end || end - start > 18) {
            throw new HttpParseException("bad content-length: " + lineText(length));
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            int digit = line[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new HttpParseException("bad content-length: " + lineText(length));
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** Follows Go's strconv.Atoi over the body as it streams past, without storing it. */
    private void scanBody(byte[] data, int offset, int length) {
        bodyLength += length;
        int state = integerState;
        if (state == INT_NONE) {
            return;
        }
        long value = magnitude;
        for (int i = offset, end = offset + length; i < end; i++) {
            int c = data[i];
            if (state == INT_EMPTY && (c == '+' || c == '-')) {
                negative = c == '-';
                state = INT_SIGN;
                continue;
            }
            int digit = c - '0';
            if (digit < 0 || digit > 9) {
                state = INT_NONE;
                break;
            }
            // Accumulate negatively: the range [-2^63, 0] holds every magnitude an int64 can have.
            long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
            if (value < (limit + digit) / 10) {
                state = INT_NONE;
                break;
            }
            value = value * 10 - digit;
            state = INT_DIGITS;
        }
        magnitude = value;
        integerState = state;
    }

    private boolean startsWith(String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean nameIs(String lowerCaseName, int nameLength) {
        if (nameLength != lowerCaseName.length()) {
            return false;
        }
        for (int i = 0; i < nameLength; i++) {
            if (lower(line[i]) != lowerCaseName.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean endsWithToken(String token, int start, int end) {
        int tokenStart = end - token.length();
        if (tokenStart < start || !regionIs(token, tokenStart)) {
            return false;
        }
        return tokenStart == start || line[tokenStart - 1] == ',' || line[tokenStart - 1] == ' ';
    }

    private boolean containsToken(String token, int start, int end) {
        int position = start;
        while (position < end) {
            while (position < end && (line[position] == ',' || line[position] == ' ' || line[position] == '\t')) {
                position++;
            }
            int tokenEnd = position;
            while (tokenEnd < end && line[tokenEnd] != ',') {
                tokenEnd++;
            }
            int trimmed = tokenEnd;
            while (trimmed > position && (line[trimmed - 1] == ' ' || line[trimmed - 1] == '\t')) {
                trimmed--;
            }
            if (trimmed - position == token.length() && regionIs(token, position)) {
                return true;
            }
            position = tokenEnd;
        }
        return false;
    }

    private boolean regionIs(String lowerCaseToken, int start) {
        for (int i = 0; i < lowerCaseToken.length(); i++) {
            if (lower(line[start + i]) != lowerCaseToken.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    private String lineText(int length) {
        return new String(line, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
