package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Index;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * At most {@link HeaderCacheBudget}'s count of HTTP/1.1 connections keep a header cache at once; the next
 * ones parse every line, and a closed connection frees its place for a new one. Counted on a server with a
 * budget of 2, with batching on and off (the factory's two kinds of connection), through each connection's
 * parser.
 */
class HeaderCacheBudgetTest {
    private static final String REQUEST = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private final HeaderCacheBudget budget = new HeaderCacheBudget(2);
    private final List<RawHttp> clients = new ArrayList<>();
    private Server server;
    private ServerConnector connector;

    @AfterEach
    void stop() throws Exception {
        for (RawHttp client : clients) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @ParameterizedTest(name = "batch {0} bytes")
    @ValueSource(ints = {16384, 0})
    void theConnectionsPastTheBudgetParseWithoutACacheUntilOneWithACacheCloses(int batchBytes) throws Exception {
        start(batchBytes);
        RawHttp first = connect();
        RawHttp second = connect();
        RawHttp third = connect();
        assertNotNull(cacheOf(first).get("Host: 127.0.0.1"), "the first connection caches its Host line");
        assertNotNull(cacheOf(second).get("Host: 127.0.0.1"), "the second too");
        assertNoCache(third, "the third, past the budget of 2");
        assertEquals(2, budget.held());

        HttpConnection firstConnection = connectionOf(first);
        first.close();
        clients.remove(first);
        awaitClosed(firstConnection);
        assertEquals(1, budget.held(), "the closed connection's place is free");
        RawHttp fourth = connect();
        assertNotNull(cacheOf(fourth).get("Host: 127.0.0.1"), "a new connection takes the freed place");
        assertNoCache(third, "a connection keeps what it was given at its start: the third");
        assertEquals(2, budget.held());
    }

    @Test
    void withCachingOffNoConnectionTakesAPlace() throws Exception {
        start(16384, 0);
        RawHttp client = connect();
        assertNoCache(client, "with a cache size of 0, the connection");
        assertEquals(0, budget.held());
    }

    private void start(int batchBytes) throws Exception {
        start(batchBytes, 64);
    }

    private void start(int batchBytes, int headerCacheSize) throws Exception {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setHeaderCacheSize(headerCacheSize);
        connector = new ServerConnector(server, 1, 1, new PipelinedHttpConnectionFactory(http, batchBytes, budget));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                PipelineFixture.answer(response, "ok", callback);
                return true;
            }
        });
        server.start();
    }

    /** @return a client whose connection has answered two requests, so that its cache, if any, is built */
    private RawHttp connect() throws Exception {
        RawHttp client = new RawHttp(connector.getLocalPort());
        clients.add(client);
        for (int i = 0; i < 2; i++) {
            client.send(REQUEST);
            assertEquals(200, client.read().status());
        }
        return client;
    }

    private void assertNoCache(RawHttp client, String which) throws Exception {
        HttpConnection connection = connectionOf(client);
        Index<HttpField> cache = connection.getParser().getFieldCache();
        assertEquals(0, connection.getParser().getHeaderCacheSize(), which + " parses without a cache");
        assertTrue(cache == null || cache.isEmpty(), which + " caches no line: " + cache.keySet());
    }

    private Index<HttpField> cacheOf(RawHttp client) throws Exception {
        return connectionOf(client).getParser().getFieldCache();
    }

    /** @return the server's connection for this client, told apart by the client's local port */
    private HttpConnection connectionOf(RawHttp client) throws Exception {
        int port = client.localPort();
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            if (endPoint.getRemoteSocketAddress() instanceof java.net.InetSocketAddress remote
                    && remote.getPort() == port) {
                return (HttpConnection) endPoint.getConnection();
            }
        }
        throw new AssertionError("no server connection for the client's port " + port);
    }

    private void awaitClosed(HttpConnection connection) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connection.getEndPoint().isOpen() || budget.held() == 2) {
            assertTrue(System.nanoTime() < deadline, "the server saw the close within 10 s");
            Thread.sleep(5);
        }
    }
}
