package dev.kvcache.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseParserTest {

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
    private static final String NUMBER = "HTTP/1.1 200 OK\r\ncontent-length:   3  \r\n\r\n-42";
    private static final String MISS = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n"
            + "1;ext=1\r\n1\r\n2\r\n23\r\na\r\n4567890123\r\n0\r\nTrailer: x\r\n\r\n";
    private static final String INTERIM = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n7";
    private static final String NO_CONTENT = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
    private static final String LONG_HEADER = "HTTP/1.1 200 OK\r\nX-Long: " + "y".repeat(1000)
            + "\r\nContent-Length: 2\r\n\r\nok";
    private static final String BARE_LF = "HTTP/1.1 500 Internal Server Error\nContent-Length: 3\n\nbad";
    private static final String CLOSING = "HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx";

    /** Everything a test compares about one parsed response. */
    private record Parsed(int status, long bodyLength, long wireBytes, boolean keepAlive, boolean integer, long value) {
    }

    private static Parsed current(ResponseParser parser) {
        return new Parsed(parser.status(), parser.bodyLength(), parser.wireBytes(), parser.keepAlive(),
                parser.bodyIsInteger(), parser.bodyInteger());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Feeds {@code data} in the given pieces and collects every completed response. */
    private static List<Parsed> parse(byte[] data, int... cuts) {
        ResponseParser parser = new ResponseParser();
        List<Parsed> results = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int end = i < cuts.length ? cuts[i] : data.length;
            int offset = start;
            while (offset < end) {
                int consumed = parser.feed(data, offset, end - offset);
                offset += consumed;
                if (parser.isComplete()) {
                    results.add(current(parser));
                } else {
                    assertEquals(end, offset, "an incomplete response must consume all it was given");
                }
            }
            start = end;
        }
        return results;
    }

    @Test
    void parsesOneResponseWithContentLength() {
        List<Parsed> results = parse(bytes(OK));
        assertEquals(List.of(new Parsed(200, 5, OK.length(), true, false, 0)), results);
    }

    @Test
    void parsesSeveralResponsesDeliveredInOneRead() {
        String all = OK + NUMBER + MISS + OK;
        List<Parsed> results = parse(bytes(all));
        assertEquals(4, results.size());
        assertEquals(new Parsed(200, 5, OK.length(), true, false, 0), results.get(0));
        assertEquals(new Parsed(200, 3, NUMBER.length(), true, true, -42), results.get(1));
        assertEquals(new Parsed(404, 0, MISS.length(), true, false, 0), results.get(2));
        assertEquals(results.get(0), results.get(3));
    }

    @Test
    void chunkedWinsOverContentLengthAndItsDigitsFormOneInteger() {
        List<Parsed> results = parse(bytes(CHUNKED));
        assertEquals(List.of(new Parsed(200, 13, CHUNKED.length(), true, true, 1234567890123L)), results);
    }

    @Test
    void skipsInterimResponsesButCountsTheirBytes() {
        List<Parsed> results = parse(bytes(INTERIM));
        assertEquals(List.of(new Parsed(201, 1, INTERIM.length(), true, true, 7)), results);
    }

    @Test
    void noContentHasNoBodyEvenWhenMoreBytesFollow() {
        List<Parsed> results = parse(bytes(NO_CONTENT + OK));
        assertEquals(2, results.size());
        assertEquals(new Parsed(204, 0, NO_CONTENT.length(), true, false, 0), results.get(0));
        assertEquals(200, results.get(1).status());
    }

    @Test
    void toleratesHeaderLinesLongerThanItsLineBuffer() {
        List<Parsed> results = parse(bytes(LONG_HEADER + OK));
        assertEquals(new Parsed(200, 2, LONG_HEADER.length(), true, false, 0), results.get(0));
        assertEquals(2, results.size());
    }

    @Test
    void acceptsBareLineFeeds() {
        assertEquals(List.of(new Parsed(500, 3, BARE_LF.length(), true, false, 0)), parse(bytes(BARE_LF)));
    }

    @Test
    void keepAliveFollowsVersionAndConnectionHeader() {
        assertFalse(parse(bytes(CLOSING)).get(0).keepAlive());
        assertFalse(parse(bytes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).get(0).keepAlive());
        assertTrue(parse(bytes("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"))
                .get(0).keepAlive());
        assertFalse(parse(bytes("HTTP/1.1 200 OK\r\nConnection: keep-alive, CLOSE\r\nContent-Length: 0\r\n\r\n"))
                .get(0).keepAlive());
    }

    /** Every split of a mixed stream into two reads, and one byte at a time, gives the same responses. */
    @Test
    void givesTheSameResponsesWhenSplitAtEveryByteBoundary() {
        String stream = OK + CHUNKED + INTERIM + MISS + NUMBER + NO_CONTENT + LONG_HEADER + BARE_LF + CLOSING;
        byte[] data = bytes(stream);
        List<Parsed> whole = parse(data);
        assertEquals(9, whole.size());
        for (int cut = 0; cut <= data.length; cut++) {
            assertEquals(whole, parse(data, cut), "split at " + cut);
        }
        int[] everyByte = new int[data.length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        assertEquals(whole, parse(data, everyByte));
    }

    @Test
    void bodyDelimitedByCloseCompletesAtEndOfInput() {
        byte[] data = bytes("HTTP/1.1 200 OK\r\n\r\n12345");
        ResponseParser parser = new ResponseParser();
        assertEquals(10, parser.feed(data, 0, 10));
        assertEquals(data.length - 10, parser.feed(data, 10, data.length - 10));
        assertFalse(parser.isComplete());
        assertTrue(parser.endOfInput());
        assertEquals(new Parsed(200, 5, data.length, false, true, 12345), current(parser));
    }

    @Test
    void endOfInputIsCleanBetweenResponsesOnly() {
        ResponseParser idle = new ResponseParser();
        assertFalse(idle.endOfInput());
        ResponseParser done = new ResponseParser();
        done.feed(bytes(OK), 0, OK.length());
        assertFalse(done.endOfInput());
        ResponseParser cut = new ResponseParser();
        cut.feed(bytes(OK), 0, OK.length() - 1);
        assertThrows(HttpParseException.class, cut::endOfInput);
    }

    @Test
    void rejectsMalformedResponses() {
        for (String bad : List.of("HTTP/2 200 OK\r\n\r\n", "SSH-2.0-OpenSSH\r\n", "HTTP/1.1 2x0 OK\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n")) {
            ResponseParser parser = new ResponseParser();
            byte[] data = bytes(bad);
            assertThrows(HttpParseException.class, () -> parser.feed(data, 0, data.length), bad);
        }
    }

    /** The integer test follows Go's strconv.Atoi, which the seed's tool applied to GET bodies. */
    @Test
    void decidesIntegerBodiesLikeGoAtoi() {
        assertInteger("0", 0);
        assertInteger("41", 41);
        assertInteger("+7", 7);
        assertInteger("-5", -5);
        assertInteger("007", 7);
        assertInteger("9223372036854775807", Long.MAX_VALUE);
        assertInteger("-9223372036854775808", Long.MIN_VALUE);
        for (String notInteger : List.of("", "-", "+", "abc", "12a", "1 ", " 1", "1.5", "--1", "1-",
                "9223372036854775808", "-9223372036854775809", "99999999999999999999999")) {
            Parsed parsed = parseBody(notInteger);
            assertFalse(parsed.integer(), "'" + notInteger + "'");
            assertEquals(0, parsed.value());
        }
    }

    @Test
    void resetForgetsAPartialResponse() {
        ResponseParser parser = new ResponseParser();
        parser.feed(bytes(OK), 0, 20);
        parser.reset();
        byte[] data = bytes(MISS);
        assertEquals(data.length, parser.feed(data, 0, data.length));
        assertTrue(parser.isComplete());
        assertEquals(404, parser.status());
        assertEquals(data.length, parser.wireBytes());
    }

    private static void assertInteger(String body, long value) {
        Parsed parsed = parseBody(body);
        assertTrue(parsed.integer(), body);
        assertEquals(value, parsed.value(), body);
    }

    private static Parsed parseBody(String body) {
        String response = "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        List<Parsed> results = parse(bytes(response));
        assertEquals(1, results.size());
        return results.get(0);
    }
}
