package dev.kvcache.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for what a client library hides: pipelining, oversized headers,
 * a Content-Length with no body. Parses responses with a Content-Length (every response of the
 * server has one, or no body).
 */
public final class RawHttp implements AutoCloseable {
    public record Reply(int status, Map<String, String> headers, String body) {}

    private final Socket socket;
    private final InputStream in;

    public RawHttp(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    /** Over a socket already connected (a TLS one, say); closing this closes it. */
    public RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    /** @return the client's own port, by which the server's side of the connection can be found */
    public int localPort() {
        return socket.getLocalPort();
    }

    public void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    public static String request(String method, String path, String body) {
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (body != null) {
            request.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        }
        return request.append("\r\n").append(body == null ? "" : body).toString();
    }

    /** @return a GET of {@code path} with the Host header and nothing else */
    public static String get(String path) {
        return request("GET", path, null);
    }

    /** Reads one response; {@code head} for a response to HEAD (no body whatever the Content-Length). */
    public Reply read(boolean head) throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int length = head || status == 204 || status == 304 ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("connection closed after " + body.length + " of " + length + " body bytes");
        }
        return new Reply(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    public Reply read() throws IOException {
        return read(false);
    }

    public List<Reply> read(int count) throws IOException {
        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            replies.add(read());
        }
        return replies;
    }

    /**
     * Reads until the server closes the connection (or resets it).
     *
     * @return what arrived before the end
     * @throws java.net.SocketTimeoutException if the server keeps the connection open for 10 s
     */
    public String readToEnd() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b >= 0; b = in.read()) {
                rest.write(b);
            }
        } catch (java.net.SocketException reset) {
            // A reset is an end too.
        }
        return rest.toString(StandardCharsets.ISO_8859_1);
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
