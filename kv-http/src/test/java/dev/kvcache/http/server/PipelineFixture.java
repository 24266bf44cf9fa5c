package dev.kvcache.http.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** What the plain-Jetty tests of the pipelined batching share: their handlers' answers and bodies. */
final class PipelineFixture {
    private PipelineFixture() {}

    /** Answers {@code body} as text with its Content-Length, in one last write. */
    static void answer(Response response, String body, Callback callback) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** @return {@code size} characters a-z over and over, so that a misplaced byte shows */
    static String big(int size) {
        StringBuilder text = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            text.append((char) ('a' + i % 26));
        }
        return text.toString();
    }
}
