package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many clients connecting at once while the server is not accepting (busy): the kernel holds their
 * handshakes in the listen backlog ({@code --accept-queue}), and drops the SYNs of those beyond it, which
 * then retry after a second or more. With the JDK's default backlog of 50 a burst of a thousand
 * unpipelined wrk connections timed out; these tests pause the acceptor to make the queue's size the
 * only thing that decides. 120 connections stay within a {@code net.core.somaxconn} of 128 (older
 * kernels), which caps the queue.
 */
class ConnectionBurstTest {
    private static final int CLIENTS = 120;

    @Test
    void aBurstOfConnectionsWaitsInTheDefaultAcceptQueueAndIsServed() throws Exception {
        try (TestServer server = new TestServer()) {
            server.server.setAccepting(false);
            List<SocketChannel> channels = connectAll(server.port(), CLIENTS);
            try {
                long connected = channels.stream().filter(SocketChannel::isConnected).count();
                assertEquals(CLIENTS, connected, "handshakes completed while the server was not accepting");
                server.server.setAccepting(true);
                for (SocketChannel channel : channels) {
                    assertTrue(answer(channel).startsWith("HTTP/1.1 200 "), "every queued connection is served");
                }
            } finally {
                closeAll(channels);
            }
        }
    }

    @Test
    void aSmallAcceptQueueDropsTheHandshakesBeyondIt() throws Exception {
        try (TestServer server = new TestServer("--accept-queue", "16")) {
            server.server.setAccepting(false);
            List<SocketChannel> channels = connectAll(server.port(), CLIENTS);
            try {
                long connected = channels.stream().filter(SocketChannel::isConnected).count();
                // Linux holds backlog + 1; a connection the acceptor took before it paused adds one.
                assertTrue(connected <= 16 + 2, "connected: " + connected);
            } finally {
                closeAll(channels);
            }
        }
    }

    /** Connects {@code count} non-blocking channels and waits up to 1.5 s for their handshakes. */
    private static List<SocketChannel> connectAll(int port, int count) throws IOException {
        List<SocketChannel> channels = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open();
                channels.add(channel);
                channel.configureBlocking(false);
                if (!channel.connect(new InetSocketAddress("127.0.0.1", port))) {
                    channel.register(selector, SelectionKey.OP_CONNECT);
                }
            }
            // Shorter than the first SYN retransmission (1 s on Linux) plus margin: a dropped SYN stays dropped.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (!selector.keys().isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                selector.select(left);
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        ((SocketChannel) key.channel()).finishConnect();
                    } catch (IOException refused) {
                        // Counted as not connected.
                    }
                    key.cancel();
                }
                selector.selectedKeys().clear();
                selector.selectNow();
            }
        }
        return channels;
    }

    private static String answer(SocketChannel channel) throws IOException {
        channel.configureBlocking(true);
        channel.socket().setSoTimeout(10_000);
        channel.write(ByteBuffer.wrap("GET /size HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        byte[] buffer = new byte[256];
        int read = channel.socket().getInputStream().read(buffer);
        return read <= 0 ? "" : new String(buffer, 0, read, StandardCharsets.US_ASCII);
    }

    private static void closeAll(List<SocketChannel> channels) {
        for (SocketChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing a test connection; nothing to do.
            }
        }
    }
}
