package dev.kvcache.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestEncoderTest {

    private static String encoded(ByteBuffer buffer) {
        buffer.flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        buffer.clear();
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void encodesGetUnderTheBasePath() {
        RequestEncoder encoder = new RequestEncoder("", "127.0.0.1:8081");
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        int length = encoder.encodeGet(buffer, 123456);
        String request = encoded(buffer);
        assertEquals("GET /123456 HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n\r\n", request);
        assertEquals(request.length(), length);

        RequestEncoder nested = new RequestEncoder("/kv", "localhost:80");
        nested.encodeGet(buffer, 0);
        assertEquals("GET /kv/0 HTTP/1.1\r\nHost: localhost:80\r\n\r\n", encoded(buffer));
    }

    @Test
    void encodesPostWithADecimalBodyAndItsLength() {
        RequestEncoder encoder = new RequestEncoder("", "h:1");
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        int length = encoder.encodePost(buffer, 999999, 42);
        String request = encoded(buffer);
        assertEquals("POST /999999 HTTP/1.1\r\nHost: h:1\r\nContent-Length: 2\r\n\r\n42", request);
        assertEquals(request.length(), length);

        encoder.encodePost(buffer, 7, -10);
        assertEquals("POST /7 HTTP/1.1\r\nHost: h:1\r\nContent-Length: 3\r\n\r\n-10", encoded(buffer));
    }

    @Test
    void extremeValuesFitInMaxRequestBytes() {
        RequestEncoder encoder = new RequestEncoder("/some/base", "localhost:65535");
        ByteBuffer buffer = ByteBuffer.allocate(encoder.maxRequestBytes());
        for (long value : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -1, 0, 9, 10}) {
            int length = encoder.encodePost(buffer, Long.MAX_VALUE, value);
            String request = encoded(buffer);
            String body = Long.toString(value);
            assertTrue(request.endsWith("\r\nContent-Length: " + body.length() + "\r\n\r\n" + body), request);
            assertTrue(length <= encoder.maxRequestBytes());
            assertEquals(body.length(), RequestEncoder.decimalLength(value));
        }
        assertTrue(encoder.encodeGet(buffer, Long.MAX_VALUE) <= encoder.maxRequestBytes());
    }
}
