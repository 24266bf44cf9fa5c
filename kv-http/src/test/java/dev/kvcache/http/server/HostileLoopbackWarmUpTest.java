package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 13's hostile review of the loopback warm-up: configurations an operator may start with, against
 * the twin and its client.
 */
@Tag("heavy") // .ci/run runs it on JDK 17 only: warm-ups run in real time, whatever the JDK
class HostileLoopbackWarmUpTest {

    @Test
    @Timeout(60)
    void theTwinTakesTheTokenTheServerReadAndNeverReadsTheTokenFileAgain(@TempDir Path dir) throws Exception {
        // A secret handed over once (a pipe, or a file deleted or rewritten while the snapshot restores): the
        // twin used to read --auth-token-file again, after the restore and the cache's warm-up, and so
        // blocked the start here for good (or failed it, exit 1, for a file gone or emptied by then).
        Path fifo = dir.resolve("token");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        } catch (java.io.IOException e) {
            mkfifo = null;
        }
        assumeTrue(mkfifo != null && mkfifo.waitFor() == 0 && Files.exists(fifo), "no mkfifo here");
        Thread writer = writeOnce(fifo);
        ServerConfig config = ServerConfig.parse(new String[] {"--port", "0", "--warm-up", "800ms",
                "--auth-token-file", fifo.toString()}, Map.of());
        AtomicReference<KvServer> started = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                started.set(KvServer.start(config, new FakeTicker(), Clock.systemUTC()));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "starter");
        starter.setDaemon(true);
        starter.start();
        starter.join(20_000);
        boolean blocked = starter.isAlive();
        if (blocked) {
            writeOnce(fifo).join(5_000); // unblock the second read, so that the start can end and be stopped
            starter.join(20_000);
        }
        KvServer kv = started.get();
        try {
            assertFalse(blocked, "the start blocked 20 s, reading --auth-token-file a second time");
            assertNull(failure.get(), "the start failed");
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + kv.port() + "/k");
            assertEquals(401, client.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(404, client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer s3cret-token")
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        } finally {
            if (kv != null) {
                kv.stop();
            }
            writer.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    @Test
    @Timeout(60)
    void underTinyKeyAndValueLimitsTheWarmUpWritesForItsWholeTime() throws Exception {
        // Its keys of up to 6 digits and values of up to 3 drew 414 and 413, each write's closing the
        // connection (its body unread), so both connections ended after a few requests, having trained the
        // JIT on refusals only.
        ServerConfig config = ServerConfig.parse(new String[] {"--port", "0", "--warm-up", "0", "--max-key-bytes",
                "2", "--max-value-bytes", "1"}, Map.of());
        KvServer twin = KvServer.twin(config, new FakeTicker(), Clock.systemUTC());
        long beginNanos = System.nanoTime();
        long answers = LoopbackWarmUp.run(twin, null, TimeUnit.MILLISECONDS.toNanos(600));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos);
        assertTrue(millis >= 600, "the traffic ended after " + millis + " ms and " + answers + " answers");
        assertTrue(answers >= 100, answers + " answers");
        assertTrue(entries(twin) > 0, "no write was accepted");
    }

    @Test
    @Timeout(60)
    void aServerThatClosesAfterAnAnswerGetsANewConnection() throws Exception {
        // "Connection: close" (a refusal of a write whose body was not read, say): the client used to take the
        // end of the connection for a failure, and the warm-up stopped there.
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                while (!server.isClosed()) {
                    try (java.net.Socket socket = server.accept()) {
                        socket.setSoTimeout(10_000);
                        java.io.InputStream in = socket.getInputStream();
                        in.read(new byte[4096]);
                        socket.getOutputStream().write(("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                        socket.shutdownOutput();
                        while (in.read(new byte[4096]) >= 0) {
                            // until the client closes: unread bytes would make the close a reset
                        }
                    } catch (java.io.IOException e) {
                        // closed: the test is over
                    }
                }
            }, "closing-server");
            closer.setDaemon(true);
            closer.start();
            WarmUpTraffic traffic = new WarmUpTraffic(server.getLocalPort(), 10, null, 7);
            long answers = traffic.run(System.nanoTime() + TimeUnit.SECONDS.toNanos(20));
            assertTrue(answers >= 10, answers + " answers: no new connection after the server closed one");
            assertTrue(answers <= 100, answers + " answers, one per connection: the connections are not bounded");
        }
    }

    @Test
    @Timeout(60)
    void noThreadOfTheTwinOutlivesTheWarmUpAndItsPortIsClosedAfterwards() throws Exception {
        // Held: the twin's pool, its selector and acceptor, its Reclaimer (kvcache-reclaimer, a name the
        // WarmUpThreads fixture does not see) and Jetty's scheduler all end with its stop.
        KvServer twin = KvServer.twin(ServerConfig.parse(new String[] {"--port", "0", "--warm-up", "0"}, Map.of()),
                new FakeTicker(), Clock.systemUTC());
        java.util.Set<Thread> before = java.util.Set.copyOf(Thread.getAllStackTraces().keySet());
        java.util.concurrent.atomic.AtomicInteger port = new java.util.concurrent.atomic.AtomicInteger();
        Thread watcher = new Thread(() -> {
            while (port.get() <= 0 && !Thread.currentThread().isInterrupted()) {
                port.set(twin.port());
                Thread.onSpinWait();
            }
        }, "port-watcher");
        watcher.setDaemon(true);
        watcher.start();
        long answers = LoopbackWarmUp.run(twin, null, TimeUnit.MILLISECONDS.toNanos(500));
        watcher.interrupt();
        watcher.join(5_000);
        assertTrue(answers > 0, "no traffic");
        assertTrue(port.get() > 0, "the twin's port was never seen");
        java.util.List<String> left = new java.util.ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (!before.contains(thread) && thread.isAlive() && thread != watcher) {
                left.add(thread.getName());
            }
        }
        assertEquals(java.util.List.of(), left, "threads the warm-up started and left running");
        assertThrows(java.net.ConnectException.class, () -> {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port.get()), 2_000);
            }
        }, "the twin's port " + port.get() + " after the warm-up");
    }

    @Test
    @Timeout(60)
    void statsUptimeCountsFromTheOpenedPortNotFromBeforeTheWarmUp() throws Exception {
        // /stats' uptimeMillis counted from the handler's construction, so it began with --warm-up's time
        // (3 s by default, up to 10 s) on a server that had just opened its port.
        KvServer kv = KvServer.start(ServerConfig.parse(new String[] {"--port", "0", "--warm-up", "2s"}, Map.of()),
                new FakeTicker(), Clock.systemUTC());
        try {
            HttpResponse<String> stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + kv.port() + "/stats")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stats.statusCode());
            java.util.regex.Matcher uptime = java.util.regex.Pattern.compile("\"uptimeMillis\":(\\d+)")
                    .matcher(stats.body());
            assertTrue(uptime.find(), stats.body());
            long millis = Long.parseLong(uptime.group(1));
            assertTrue(millis < 2_000, "uptimeMillis " + millis + " just after the start: the 2 s warm-up counted");
            assertTrue(stats.body().contains("\"puts\":0") && stats.body().contains("\"hits\":0")
                    && stats.body().contains("\"misses\":0") && stats.body().contains("\"entries\":0"),
                    "the warm-up's traffic shows in /stats: " + stats.body());
        } finally {
            kv.stop();
        }
    }

    private static long entries(KvServer kv) {
        java.util.concurrent.atomic.LongAdder count = new java.util.concurrent.atomic.LongAdder();
        kv.handler().forEachEntry(entry -> count.increment());
        return count.sum();
    }

    /** Writes the token into {@code fifo} once, when a reader opens it. */
    private static Thread writeOnce(Path fifo) {
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, "s3cret-token\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "token-writer");
        writer.setDaemon(true);
        writer.start();
        return writer;
    }
}
