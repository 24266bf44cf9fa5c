package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Index;
import org.junit.jupiter.api.Test;

/**
 * Each HTTP/1.1 connection's parser keeps no cache of the header lines it has seen. Jetty's default (1 024)
 * builds one per connection from its second request on: a trie of about 100 KB, which at 1 000 and 4 000
 * connections is the parser's largest cost per request (its lookups miss the CPU caches) and holds
 * hundreds of megabytes (docs/benchmarks-http.md, "Issue 12: session 8"). Counted, not timed: the cache's
 * entries after several requests on one connection.
 */
class HeaderCacheTest {

    @Test
    void aKeepAliveConnectionCachesNoHeaderLines() throws Exception {
        try (TestServer server = new TestServer(); Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: header-cache-test/1\r\n"
                        + "X-Client: the-same-value-each-time\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = readHead(in);
                assertTrue(head.startsWith("HTTP/1.1 "), head);
                skipBody(in, head);
            }
            List<HttpConnection> connections = server.server.connectedEndPoints().stream()
                    .map(EndPoint::getConnection)
                    .filter(HttpConnection.class::isInstance)
                    .map(HttpConnection.class::cast)
                    .collect(Collectors.toList());
            assertEquals(1, connections.size(), "the test's one connection");
            Index<HttpField> cache = connections.get(0).getParser().getFieldCache();
            int cached = cache == null ? 0 : cache.size();
            assertEquals(0, cached, "header lines cached by the connection's parser after three requests");
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed after: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static void skipBody(InputStream in, String head) throws Exception {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                int length = Integer.parseInt(line.substring(15).trim());
                for (int i = 0; i < length; i++) {
                    if (in.read() < 0) {
                        throw new AssertionError("body cut short");
                    }
                }
                return;
            }
        }
        throw new AssertionError("no Content-Length in: " + head);
    }
}
