package dev.kvcache.http.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/2 frames over a plain socket, for what a client library hides: the h2c upgrade exactly as
 * curl sends it, and a connection that goes away without a GOAWAY.
 */
final class H2Frames implements AutoCloseable {
    static final int DATA = 0;
    static final int HEADERS = 1;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int GOAWAY = 7;
    static final int END_STREAM = 1;
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    record Frame(int type, int flags, int stream, byte[] payload) {}

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    H2Frames(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * Sends {@code GET path} with {@code Upgrade: h2c} (curl's request), reads the 101, sends the
     * preface and an empty SETTINGS frame, and reads frames until stream 1, the upgraded request, ends.
     *
     * @return the frames the server sent
     */
    java.util.List<Frame> upgradeAndGet(String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + head);
        }
        out.write(PREFACE);
        writeFrame(SETTINGS, 0, 0, new byte[0]);
        java.util.List<Frame> frames = new java.util.ArrayList<>();
        for (;;) {
            Frame frame = readFrame();
            frames.add(frame);
            if (frame.stream() == 1 && (frame.flags() & END_STREAM) != 0 && (frame.type() == DATA || frame.type() == HEADERS)
                    || frame.type() == RST_STREAM || frame.type() == GOAWAY) {
                return frames;
            }
        }
    }

    /**
     * Sends, in one write, an {@code Upgrade: h2c} request, the preface and an empty SETTINGS frame,
     * then shuts the output down: the server reads the end of the stream while it is still handling
     * the upgraded request (curl's timing, made certain).
     */
    void upgradeAndHalfClose(String path) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        bytes.write(PREFACE);
        bytes.write(new byte[] {0, 0, 0, SETTINGS, 0, 0, 0, 0, 0});
        out.write(bytes.toByteArray());
        out.flush();
        socket.shutdownOutput();
    }

    /** Reads until the server closes the connection; returns the bytes read. */
    int readToEnd() throws IOException {
        int count = 0;
        try {
            while (in.read() >= 0) {
                count++;
            }
        } catch (java.net.SocketException reset) {
            // A reset is an end too.
        }
        return count;
    }

    void writeFrame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] header = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
            (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
        out.write(header);
        out.write(payload);
        out.flush();
    }

    Frame readFrame() throws IOException {
        byte[] header = new byte[9];
        in.readFully(header);
        int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
        int stream = ((header[5] & 0x7f) << 24) | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8 | header[8] & 0xff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(header[3], header[4] & 0xff, stream, payload);
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        InputStream raw = in;
        int matched = 0;
        while (matched < 4) {
            int b = raw.read();
            if (b < 0) {
                throw new IOException("closed in the response head: " + head);
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0) == (b == '\r') ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
