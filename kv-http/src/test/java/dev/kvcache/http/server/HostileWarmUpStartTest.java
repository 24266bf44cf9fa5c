package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.WarmUpThreads;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code --warm-up} and the start: the port stays closed (a client is refused, not left hanging) until the
 * warm-up ends, and a stop signal during a long warm-up ({@link Starting#requestStop()}, what the
 * shutdown hook calls first) ends it at once and keeps the listener closed, rather than letting the start
 * run its 10 s, open the port and only then stop. ExitStatusIT checks the same with a real SIGTERM.
 */
class HostileWarmUpStartTest {

    @Test
    void aStopRequestDuringALongWarmUpEndsTheStartPromptlyWithTheListenerNeverOpened() throws Exception {
        int port = freePort();
        ServerConfig config = config(port, "10s");
        Starting starting = new Starting();
        AtomicReference<KvServer> started = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean interruptLeft = new AtomicBoolean();
        Thread starter = new Thread(() -> {
            try {
                started.set(KvServer.start(config, new FakeTicker(), Clock.systemUTC(), starting));
                interruptLeft.set(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "starter");
        starter.setDaemon(true);
        starter.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!WarmUpThreads.alive()) {
                assertTrue(starter.isAlive(), "the start ended before its warm-up: " + failure.get());
                assertTrue(System.nanoTime() < deadline, "no warm-up thread started");
                Thread.yield();
            }
            assertRefused(port); // during the warm-up
            long stopNanos = System.nanoTime();
            starting.requestStop();
            starter.join(5_000);
            assertFalse(starter.isAlive(), "the start still running 5 s after the stop request");
            assertTrue(System.nanoTime() - stopNanos < TimeUnit.SECONDS.toNanos(3), "the start took "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopNanos) + " ms to end after the stop request");
            assertNull(failure.get(), "what the start threw");
            assertFalse(interruptLeft.get(), "the stop's interrupt left set on the starting thread");
            assertRefused(port); // never opened
            assertEquals(KvServer.EXIT_OK, started.get().stop());
        } finally {
            starter.interrupt();
            if (started.get() != null) {
                started.get().stop();
            }
        }
    }

    @Test
    void aStopRequestedBeforeTheWarmUpSkipsItAndTheListener() throws Exception {
        int port = freePort();
        Starting starting = new Starting();
        starting.requestStop();
        long beginNanos = System.nanoTime();
        KvServer kv = KvServer.start(config(port, "10s"), new FakeTicker(), Clock.systemUTC(), starting);
        try {
            assertTrue(System.nanoTime() - beginNanos < TimeUnit.SECONDS.toNanos(5), "a 10 s warm-up ran anyway");
            assertFalse(WarmUpThreads.alive());
            assertRefused(port);
        } finally {
            assertEquals(KvServer.EXIT_OK, kv.stop());
        }
    }

    @Test
    void withoutAStopTheServerListensOnceTheWarmUpEnded() throws Exception {
        KvServer kv = KvServer.start(config(0, "200ms"), new FakeTicker(), Clock.systemUTC(), new Starting());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", kv.port()), 5_000);
            assertFalse(WarmUpThreads.alive(), "a warm-up thread outlived the warm-up");
        } finally {
            assertEquals(KvServer.EXIT_OK, kv.stop());
        }
    }

    private static ServerConfig config(int port, String warmUp) {
        return ServerConfig.parse(new String[] {"--port", Integer.toString(port), "--threads", "16", "--selectors", "2",
                "--warm-up", warmUp}, Map.of());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void assertRefused(int port) {
        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
        }, "a connection to port " + port);
    }
}
