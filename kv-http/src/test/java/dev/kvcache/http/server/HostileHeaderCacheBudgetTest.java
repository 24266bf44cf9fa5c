package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HeaderCacheBudget} through the whole server: after connections that end in every way a client or
 * the server can end one (a close, a reset, an idle timeout, a refusal that closes, {@code Connection: close},
 * HTTP/1.0, an h2c upgrade, prior-knowledge HTTP/2, nothing sent at all), more of them at once than the
 * budget, every place is free again: the next {@value HeaderCacheBudget#CONNECTIONS} connections each get a
 * cache, and the one after them none (no place leaked, none counted twice). Observed through each server
 * connection's parser, with batching on (the default) and off.
 */
class HostileHeaderCacheBudgetTest {
    private static final int BUDGET = HeaderCacheBudget.CONNECTIONS;

    @ParameterizedTest(name = "--pipeline-batch {0}")
    @ValueSource(strings = {"64KiB", "0"})
    void afterConnectionsEndingInEveryWayEveryPlaceIsFreeAgain(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch, "--idle-timeout", "1s",
                "--max-header-bytes", "1KiB", "--max-value-bytes", "1KiB")) {
            List<Socket> churn = new ArrayList<>();
            for (int i = 0; i < BUDGET + 40; i++) {
                churn.add(begin(server.port(), i));
            }
            for (int i = 0; i < churn.size(); i++) {
                end(churn.get(i), i);
            }
            awaitNoConnections(server);
            assertEveryPlaceFree(server);
        }
    }

    /**
     * Over TLS: finished HTTP/1.1 exchanges, failed handshakes (a client that does not trust the certificate),
     * plain HTTP on the TLS port (400, closed), h2 chosen by ALPN and TLS closed before any request.
     */
    @ParameterizedTest(name = "--pipeline-batch {0}")
    @ValueSource(strings = {"64KiB", "0"})
    void overTlsTooEveryPlaceIsFreeAgain(String batch, @TempDir Path dir) throws Exception {
        TestKeystore keystore = TestKeystore.create(dir);
        SSLContext trusting = keystore.clientContext();
        try (TestServer server = new TestServer("--pipeline-batch", batch, "--tls-keystore", keystore.file.toString(),
                "--tls-password", TestKeystore.PASSWORD)) {
            List<Socket> churn = new ArrayList<>();
            for (int i = 0; i < BUDGET + 30; i++) {
                switch (i % 5) {
                    case 0 -> {
                        Socket tls = trusting.getSocketFactory().createSocket("127.0.0.1", server.port());
                        assertEquals(200, healthStatus(tls));
                        churn.add(tls);
                    }
                    case 1 -> {
                        SSLSocket untrusting = (SSLSocket) SSLContext.getDefault().getSocketFactory()
                                .createSocket("127.0.0.1", server.port());
                        untrusting.setSoTimeout(10_000);
                        assertThrows(IOException.class, untrusting::startHandshake, "the handshake fails");
                        churn.add(untrusting);
                    }
                    case 2 -> {
                        Socket plain = new Socket("127.0.0.1", server.port());
                        assertEquals(400, healthStatus(plain), "plain HTTP on the TLS port");
                        churn.add(plain);
                    }
                    case 3 -> {
                        SSLSocket h2 = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", server.port());
                        h2.setSoTimeout(10_000);
                        SSLParameters parameters = h2.getSSLParameters();
                        parameters.setApplicationProtocols(new String[] {"h2"});
                        h2.setSSLParameters(parameters);
                        h2.startHandshake();
                        assertEquals("h2", h2.getApplicationProtocol());
                        churn.add(h2);
                    }
                    default -> {
                        SSLSocket idle = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", server.port());
                        idle.setSoTimeout(10_000);
                        idle.startHandshake(); // HTTP/1.1 by ALPN's default; no request
                        churn.add(idle);
                    }
                }
            }
            for (Socket socket : churn) {
                socket.close();
            }
            awaitNoConnections(server);
            assertEveryPlaceFree(server, () -> {
                Socket tls = trusting.getSocketFactory().createSocket("127.0.0.1", server.port());
                tls.setSoTimeout(10_000);
                return tls;
            });
        }
    }

    /**
     * With {@code --max-connections} reached, Jetty stops accepting and the next connections wait in the
     * accept queue; each is taken as an earlier one ends. Afterwards every place is free.
     */
    @org.junit.jupiter.api.Test
    void connectionsWaitingForMaxConnectionsLeaveEveryPlaceFree() throws Exception {
        try (TestServer server = new TestServer("--max-connections", Integer.toString(BUDGET + 2),
                "--max-header-bytes", "1KiB", "--max-value-bytes", "1KiB")) {
            List<Socket> churn = new ArrayList<>();
            for (int i = 0; i < 2 * BUDGET + 20; i++) {
                churn.add(begin(server.port(), i % (KINDS - 1))); // all but the idle one, which takes 30 s
            }
            for (int i = 0; i < churn.size(); i++) {
                end(churn.get(i), i % (KINDS - 1)); // its end lets the server accept the next one waiting
            }
            awaitNoConnections(server);
            assertEveryPlaceFree(server);
        }
    }

    /** The warm-up's twin is a server of its own: its connections take none of the real server's places. */
    @org.junit.jupiter.api.Test
    void aWarmUpLeavesEveryPlaceFree() throws Exception {
        try (TestServer server = new TestServer("--warm-up", "300ms")) {
            assertEveryPlaceFree(server);
        }
    }

    /** Jetty's server stopped with connections open and started again: they freed their places. */
    @org.junit.jupiter.api.Test
    void aStopWithConnectionsOpenFreesTheirPlaces() throws Exception {
        try (TestServer server = new TestServer()) {
            List<RawHttp> open = new ArrayList<>();
            for (int i = 0; i < BUDGET + 10; i++) {
                RawHttp client = new RawHttp(server.port());
                open.add(client);
                client.send(RawHttp.get("/health"));
                assertEquals(200, client.read().status());
            }
            server.server.jetty().stop();
            for (RawHttp client : open) {
                client.close();
            }
            server.server.jetty().start();
            assertEveryPlaceFree(server);
        }
    }

    /** 42 characters: {@code "Authorization: Bearer " + TOKEN} is a header line of exactly 64 characters. */
    private static final String TOKEN = "Tok-" + "0123456789".repeat(3) + "abcdefgh";

    /**
     * The same requests get the same answers on a connection with a cache (one of the first
     * {@value HeaderCacheBudget#CONNECTIONS}) and on one without (the next): tokens that differ from the valid
     * one in case, by a last character, or as a prefix or an extension of it, on a line of exactly the
     * cache's 64 characters; two {@code Authorization} lines that differ; {@code Host} lines in other cases;
     * requests pipelined in one write; and last a second, different {@code Host} line.
     */
    @ParameterizedTest(name = "--pipeline-batch {0}")
    @ValueSource(strings = {"64KiB", "0"})
    void aConnectionWithACacheAndOneWithoutAnswerAlike(String batch) throws Exception {
        assertEquals(64, ("Authorization: Bearer " + TOKEN).length());
        try (TestServer server = new TestServer("--pipeline-batch", batch, "--auth-token", TOKEN)) {
            List<RawHttp> clients = new ArrayList<>();
            try {
                for (int i = 0; i <= BUDGET; i++) {
                    RawHttp client = new RawHttp(server.port());
                    clients.add(client);
                    client.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                    assertEquals(200, client.read().status());
                }
                RawHttp cached = clients.get(0);
                RawHttp uncached = clients.get(BUDGET);
                assertEquals(KvServer.HEADER_CACHE_SIZE, parserOf(server, cached).getParser().getHeaderCacheSize());
                assertEquals(0, parserOf(server, uncached).getParser().getHeaderCacheSize());
                List<String> withCache = exchange(cached);
                List<String> withoutCache = exchange(uncached);
                assertEquals(withoutCache, withCache);
                assertEquals("401", withCache.get(3).substring(0, 3), "a token in another case: " + withCache);
            } finally {
                for (RawHttp client : clients) {
                    client.close();
                }
            }
        }
    }

    private static List<String> exchange(RawHttp client) throws IOException {
        String host = "Host: 127.0.0.1\r\n";
        List<String> tokens = List.of(TOKEN, TOKEN, TOKEN.toLowerCase(java.util.Locale.ROOT),
                TOKEN.substring(0, 41) + "H", TOKEN.substring(0, 41), TOKEN + "x", TOKEN);
        List<String> answers = new ArrayList<>();
        client.send("PUT /kv/k HTTP/1.1\r\n" + host + "Authorization: Bearer " + TOKEN
                + "\r\nContent-Length: 1\r\n\r\nv");
        answers.add(brief(client.read()));
        for (String token : tokens) {
            client.send("GET /kv/k HTTP/1.1\r\n" + host + "Authorization: Bearer " + token + "\r\n\r\n");
            answers.add(brief(client.read()));
        }
        // Two Authorization lines that differ, each way round; Host in other cases; all pipelined in one write.
        StringBuilder pipelined = new StringBuilder();
        List<String> pairs = List.of(TOKEN + "\r\nAuthorization: Bearer nope", "nope\r\nAuthorization: Bearer " + TOKEN);
        for (String pair : pairs) {
            pipelined.append("GET /kv/k HTTP/1.1\r\n").append(host).append("Authorization: Bearer ").append(pair)
                    .append("\r\n\r\n");
        }
        for (String hostLine : List.of("host: 127.0.0.1", "HOST: 127.0.0.1", "Host: localhost", "Host: 127.0.0.1 ",
                "Host: 127.0.0.1x", "Host: 127.0.0.1:8081", "Host:127.0.0.1", "Host: 127.0.0.1")) {
            pipelined.append("GET /kv/k HTTP/1.1\r\n").append(hostLine).append("\r\nAuthorization: Bearer ")
                    .append(TOKEN).append("\r\n\r\n");
        }
        client.send(pipelined.toString());
        for (RawHttp.Reply reply : client.read(pairs.size() + 8)) {
            answers.add(brief(reply));
        }
        client.send("GET /kv/k HTTP/1.1\r\n" + host + "Host: other.example\r\nAuthorization: Bearer " + TOKEN
                + "\r\n\r\n");
        answers.add(brief(client.read()));
        return answers;
    }

    private static String brief(RawHttp.Reply reply) {
        return reply.status() + " " + reply.body().strip();
    }

    /**
     * Plain HTTP on the TLS port is parsed as HTTP/1.1 too (to answer its 400): while the budget's
     * {@value HeaderCacheBudget#CONNECTIONS} TLS connections hold every place, such a connection must not keep a
     * cache of its own either, the docs' "at most 64 HTTP/1.1 connections at once".
     */
    @org.junit.jupiter.api.Test
    void plainHttpOnTheTlsPortKeepsNoCachePastTheBudget(@TempDir Path dir) throws Exception {
        TestKeystore keystore = TestKeystore.create(dir);
        SSLContext trusting = keystore.clientContext();
        try (TestServer server = new TestServer("--tls-keystore", keystore.file.toString(), "--tls-password",
                TestKeystore.PASSWORD)) {
            List<RawHttp> clients = new ArrayList<>();
            try {
                for (int i = 0; i < BUDGET; i++) {
                    Socket tls = trusting.getSocketFactory().createSocket("127.0.0.1", server.port());
                    tls.setSoTimeout(10_000);
                    RawHttp client = new RawHttp(tls);
                    clients.add(client);
                    client.send(RawHttp.get("/health"));
                    assertEquals(200, client.read().status());
                    assertEquals(KvServer.HEADER_CACHE_SIZE, parserOf(server, client).getParser().getHeaderCacheSize());
                }
                RawHttp plain = new RawHttp(server.port());
                clients.add(plain);
                plain.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // the request's end not sent yet
                HttpConnection connection = awaitHttpConnection(server, plain);
                assertEquals(0, connection.getParser().getHeaderCacheSize(),
                        "the plain connection, the 65th HTTP/1.1 connection at once, keeps no cache");
                plain.send("\r\n");
                assertEquals(400, plain.read().status());
            } finally {
                for (RawHttp client : clients) {
                    client.close();
                }
            }
        }
    }

    /** @return the client's server connection once it is HTTP/1.1 (a detector's turns into one on its first bytes) */
    private static HttpConnection awaitHttpConnection(TestServer server, RawHttp client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return parserOf(server, client);
            } catch (AssertionError | ClassCastException notYet) {
                assertTrue(System.nanoTime() < deadline, "the connection became HTTP/1.1: " + notYet);
                Thread.sleep(10);
            }
        }
    }

    private static final int KINDS = 11;

    /** Opens a connection and starts the {@code kind % KINDS}th way of ending it; none of them is finished yet. */
    private static Socket begin(int port, int kind) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        String host = "Host: 127.0.0.1\r\n";
        String request = switch (kind % KINDS) {
            case 0, 1 -> "GET /health HTTP/1.1\r\n" + host + "\r\n"; // then a close, or a reset
            case 2 -> "NOT A REQUEST\r\n\r\n"; // 400, closed
            case 3 -> "GET /health HTTP/1.1\r\n" + host + "X-Big: " + "b".repeat(2_000) + "\r\n\r\n"; // 431
            case 4 -> "GET /" + "u".repeat(2_000) + " HTTP/1.1\r\n" + host + "\r\n"; // 414
            case 5 -> "PUT /kv/k HTTP/1.1\r\n" + host + "Content-Length: 100000\r\n\r\n"; // 413
            case 6 -> "GET /health HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n";
            case 7 -> "GET /health HTTP/1.0\r\n\r\n";
            case 8 -> "GET /health HTTP/1.1\r\n" + host + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n";
            case 9 -> new String(H2Frames.PREFACE, StandardCharsets.ISO_8859_1)
                    + "\0\0\0\4\0\0\0\0\0"; // an empty SETTINGS frame
            default -> ""; // nothing: the idle timeout ends it
        };
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return socket;
    }

    private static void end(Socket socket, int kind) throws IOException {
        try (socket) {
            switch (kind % KINDS) {
                case 1 -> {
                    new RawHttp(socket).read();
                    socket.setSoLinger(true, 0); // the close resets the connection
                }
                case 8 -> {
                    // The 101, then HTTP/2 on the same connection; what follows does not matter here.
                    byte[] head = socket.getInputStream().readNBytes(12);
                    assertEquals("HTTP/1.1 101", new String(head, StandardCharsets.ISO_8859_1));
                }
                case 9 -> {
                    byte[] frame = socket.getInputStream().readNBytes(9); // the server's SETTINGS
                    assertEquals(H2Frames.SETTINGS, frame[3], "an HTTP/2 frame header");
                }
                case 10 -> assertEquals("", new RawHttp(socket).readToEnd(), "closed by the idle timeout");
                default -> new RawHttp(socket).read(); // an answer (some then close), and the client closes
            }
        }
    }

    /** The next {@link #BUDGET} connections at once each get a cache; one more gets none. */
    private static void assertEveryPlaceFree(TestServer server) throws Exception {
        assertEveryPlaceFree(server, () -> new Socket("127.0.0.1", server.port()));
    }

    interface Connect {
        Socket open() throws Exception;
    }

    private static void assertEveryPlaceFree(TestServer server, Connect connect) throws Exception {
        List<RawHttp> clients = new ArrayList<>();
        try {
            for (int i = 0; i <= BUDGET; i++) {
                RawHttp client = new RawHttp(connect.open());
                clients.add(client);
                for (int request = 0; request < 2; request++) {
                    client.send(RawHttp.get("/health"));
                    assertEquals(200, client.read().status());
                }
                int cache = parserOf(server, client).getParser().getHeaderCacheSize();
                if (i < BUDGET) {
                    assertEquals(KvServer.HEADER_CACHE_SIZE, cache, "connection " + i + " of the " + BUDGET
                            + " opened after the others all ended has a cache: no place leaked");
                } else {
                    assertEquals(0, cache, "connection " + i + ", past the budget, has none: no place counted twice");
                }
            }
        } finally {
            for (RawHttp client : clients) {
                client.close();
            }
        }
    }

    /** @return the server's HTTP/1.1 connection for this client, told apart by the client's local port */
    static HttpConnection parserOf(TestServer server, RawHttp client) {
        for (EndPoint endPoint : endPoints(server)) {
            if (endPoint.getRemoteSocketAddress() instanceof InetSocketAddress remote
                    && remote.getPort() == client.localPort()) {
                Connection connection = endPoint.getConnection();
                if (connection instanceof SslConnection tls) {
                    connection = tls.getSslEndPoint().getConnection();
                }
                return (HttpConnection) connection;
            }
        }
        throw new AssertionError("no server connection for the client's port " + client.localPort());
    }

    private static List<EndPoint> endPoints(TestServer server) {
        List<EndPoint> endPoints = new ArrayList<>();
        for (Connector connector : server.server.jetty().getConnectors()) {
            endPoints.addAll(((ServerConnector) connector).getConnectedEndPoints());
        }
        return endPoints;
    }

    private static void awaitNoConnections(TestServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!endPoints(server).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the server closed every connection: " + endPoints(server));
            Thread.sleep(10);
        }
    }

    /** @return the status of a GET /health sent over {@code socket} (RawHttp sets its 10 s read timeout) */
    private static int healthStatus(Socket socket) throws IOException {
        RawHttp raw = new RawHttp(socket);
        raw.send(RawHttp.get("/health"));
        return raw.read().status();
    }
}
