package dev.kvcache.bench.load;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Short real runs against servers on 127.0.0.1; each is bounded to a few seconds. */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP logic whose outcome does not depend on the JDK
class KvLoadEndToEndTest {

    private static LoadConfig config(String... args) {
        KvLoad command = new KvLoad();
        new CommandLine(command).parseArgs(args);
        return command.configure();
    }

    /** Every request sent is answered, failed, or abandoned: nothing is lost or counted twice. */
    private static void assertAccounted(LoadReport.Figures figures) {
        assertEquals(figures.sent(), figures.answered() + figures.errors() + figures.abandoned(), figures.name());
        assertEquals(figures.measured(), figures.ok2xx() + figures.misses() + figures.non2xx(), figures.name());
        assertEquals(figures.measured(), figures.latencyMicros().count(), figures.name());
        assertEquals(figures.measured(), sum(figures.requestsEachSecond()), figures.name());
        assertEquals(figures.measured(), sum(figures.requestsPer100ms()), figures.name());
        assertEquals(figures.bytes(), sum(figures.bytesEachSecond()), figures.name());
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long value : values) {
            total += value;
        }
        return total;
    }

    @Test
    void pipelinedRunAgainstHelloServerAnswersEveryRequestWithTheSeedMix(@TempDir Path dir) throws Exception {
        Server server = HelloServer.start("127.0.0.1", 0);
        try {
            LoadConfig config = config("--uri", "http://127.0.0.1:" + HelloServer.port(server), "--connections", "10",
                    "--pipelining", "10", "--duration", "2", "--seed", "42");
            LoadReport report = KvLoad.run(config);
            LoadReport.Figures get = report.get();
            LoadReport.Figures post = report.post();

            assertEquals(List.of(), report.connections().errorSamples());
            assertEquals(0, report.connections().connectErrors());
            assertEquals(0, report.connections().connectionErrors());
            assertEquals(10, report.connections().opened());
            for (LoadReport.Figures figures : List.of(get, post)) {
                assertAccounted(figures);
                assertEquals(0, figures.errors(), figures.name());
                assertEquals(0, figures.timeouts(), figures.name());
                assertEquals(0, figures.abandoned(), figures.name());
                assertEquals(figures.sent(), figures.answered(), figures.name());
                assertEquals(figures.measured(), figures.ok2xx(), "hello answers 200 to everything");
                // "HTTP/1.1 200 OK" + headers + "hello": at least 30 bytes each on the wire.
                assertTrue(figures.bytes() >= 30 * figures.measured(), figures.name());
            }
            long total = get.measured() + post.measured();
            assertTrue(total >= 500, "too few answers to judge the mix: " + total);
            // POST share is 0.2 in expectation; allow six standard deviations of a binomial share, plus slack.
            double share = (double) post.measured() / total;
            double tolerance = 6 * Math.sqrt(0.2 * 0.8 / total) + 0.01;
            assertEquals(0.2, share, tolerance, "POST share of " + total + " answers");
            assertEquals(total / 2.0, report.requestsPerSecond(), 1e-9);
            assertTrue(get.latencyMicros().max() >= get.latencyMicros().p99());
            assertTrue(get.latencyMicros().p99() >= get.latencyMicros().p50());
            // HotSpot tells the process's CPU time; the window's share of it is spent on these answers.
            assertTrue(report.generator().windowProcessCpuMicrosPerRequest() > 0,
                    "window CPU per answer: " + report.generator().windowProcessCpuMicrosPerRequest());
            assertTrue(TextReport.summaryLine(report).contains(String.format(java.util.Locale.ROOT,
                    " gen_window_process_cpu_us_per_req=%.2f", report.generator().windowProcessCpuMicrosPerRequest())));

            Path json = dir.resolve("run.json");
            JsonReport.write(report, json);
            JsonNode tree = JsonReport.mapper().readTree(json.toFile());
            assertEquals(get.measured(), tree.at("/get/measured").asLong());
            assertEquals(post.latencyMicros().p99(), tree.at("/post/latencyMicros/p99").asLong());
            assertEquals(20, tree.at("/get/requestsPer100ms").size());
            assertEquals(report.generator().windowProcessCpuMicrosPerRequest(),
                    tree.at("/generator/windowProcessCpuMicrosPerRequest").asDouble(), 1e-9);

            Path html = dir.resolve("run.html");
            HtmlReport.write(report, html);
            String page = Files.readString(html);
            assertEquals(2, page.split("<svg", -1).length - 1, "two charts");
            assertFalse(page.contains("<script") || page.contains("src=") || page.contains("href=")
                    || page.contains("@import") || page.contains("url("), "self-contained");
            assertTrue(page.contains("<polyline"));
        } finally {
            server.stop();
        }
    }

    /** The generator's figures: the window's process CPU per measured answer, -1 when unknown or nothing measured. */
    @Test
    void generatorDividesTheWindowsProcessCpuByTheAnswersMeasured() {
        LoadReport.Generator generator = KvLoad.generator(3_000_000, 4_000, 2_000, 2_000_000, 1_000);
        assertEquals(3, generator.cpuMillis());
        assertEquals(1.5, generator.cpuMicrosPerRequest(), 1e-9);
        assertEquals(2.0, generator.allocatedBytesPerRequest(), 1e-9);
        assertEquals(2.0, generator.windowProcessCpuMicrosPerRequest(), 1e-9);
        assertEquals(-1, KvLoad.generator(3_000_000, 4_000, 2_000, -1, 1_000).windowProcessCpuMicrosPerRequest());
        assertEquals(-1, KvLoad.generator(3_000_000, 4_000, 2_000, 2_000_000, 0).windowProcessCpuMicrosPerRequest());
    }

    /** {@code --batch}: whole batches of {@code --pipelining} requests, as wrk sends them, with the POST share. */
    @Test
    void batchRunSendsWholeBatchesWithTheSeedMix() throws Exception {
        Server server = HelloServer.start("127.0.0.1", 0);
        try {
            LoadReport report = KvLoad.run(config("--uri", "http://127.0.0.1:" + HelloServer.port(server),
                    "--connections", "4", "--pipelining", "10", "--batch", "--duration", "2", "--seed", "7"));
            LoadReport.Figures get = report.get();
            LoadReport.Figures post = report.post();
            assertEquals(List.of(), report.connections().errorSamples());
            for (LoadReport.Figures figures : List.of(get, post)) {
                assertAccounted(figures);
                assertEquals(0, figures.errors(), figures.name());
                assertEquals(figures.sent(), figures.answered(), figures.name());
            }
            long sent = get.sent() + post.sent();
            assertEquals(0, sent % 10, "only whole batches of 10 are sent: " + sent);
            long total = get.measured() + post.measured();
            assertTrue(total >= 500, "too few answers to judge the mix: " + total);
            double share = (double) post.measured() / total;
            assertEquals(0.2, share, 6 * Math.sqrt(0.2 * 0.8 / total) + 0.01, "POST share of " + total + " answers");
        } finally {
            server.stop();
        }
    }

    /**
     * With one request in flight per connection, a slot's POST directly follows its GET on the same
     * connection, so a server can check that each POST body is the preceding GET's body plus one, or 1.
     */
    @Test
    void postBodiesIncrementTheValueTheGetReturned() throws Exception {
        CheckingKvHandler handler = new CheckingKvHandler();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        try {
            LoadReport report = KvLoad.run(config("--uri", "http://127.0.0.1:" + connector.getLocalPort() + "/kv/",
                    "--connections", "4", "--duration", "1", "--key-range", "50", "--seed", "7"));
            assertEquals(List.of(), handler.violations);
            assertAccounted(report.get());
            assertAccounted(report.post());
            assertEquals(0, report.get().errors() + report.post().errors());
            assertTrue(report.get().misses() > 0, "absent keys answer 404 and count as misses");
            assertEquals(0, report.get().non2xx(), "a 404 miss is not counted as non-2xx");
            assertTrue(report.get().ok2xx() > 0, "stored keys are hits");
            assertTrue(handler.incremented.get() > 0, "some POST followed a hit and incremented its value");
            assertEquals(report.post().sent(), handler.posts.get());
        } finally {
            server.stop();
        }
    }

    /** A server that closes after every answer still gets the mix: a slot's POST moves to the next connection. */
    @Test
    void serverClosingAfterEachAnswerStillGetsPostsAndNoErrors() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 2);
                response.write(true, ByteBuffer.wrap(new byte[] {'4', '1'}), callback);
                return true;
            }
        });
        server.start();
        try {
            // One connection per answer is slow on a loaded machine: repeat 2 s runs (at most 10) until
            // there are enough answers to judge the mix, checking every run.
            long total = 0;
            long posts = 0;
            for (int run = 0; run < 10 && total < 200; run++) {
                LoadReport report = KvLoad.run(config("--uri", "http://127.0.0.1:" + connector.getLocalPort(),
                        "--connections", "2", "--duration", "2"));
                assertAccounted(report.get());
                assertAccounted(report.post());
                assertEquals(0, report.get().errors() + report.post().errors(), report.connections().toString());
                assertEquals(0, report.connections().connectionErrors());
                long answers = report.get().measured() + report.post().measured();
                assertTrue(report.connections().opened() >= answers, "one connection per answer");
                total += answers;
                posts += report.post().measured();
            }
            assertTrue(total >= 200, "too few answers to judge the mix in 10 runs: " + total);
            double share = (double) posts / total;
            assertEquals(0.2, share, 6 * Math.sqrt(0.2 * 0.8 / total) + 0.01, "POST share of " + total);
        } finally {
            server.stop();
        }
    }

    @Test
    void refusedConnectionsAreCountedAndTheRunStillEndsOnTime() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        long start = System.nanoTime();
        LoadReport report = KvLoad.run(config("--uri", "http://127.0.0.1:" + port, "--duration", "1",
                "--connections", "2"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 5, "took " + seconds + " s");
        assertTrue(report.connections().connectErrors() >= 2, "connect errors: " + report.connections());
        assertEquals(0, report.get().sent());
        assertEquals(0, report.requestsPerSecond());
    }

    @Test
    void aServerThatNeverAnswersProducesTimeoutsNotAHang() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // The test closed the socket: stop accepting.
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            LoadReport report = KvLoad.run(config("--uri", "http://127.0.0.1:" + silent.getLocalPort(),
                    "--duration", "1", "--connections", "2", "--pipelining", "3", "--timeout", "0.3"));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 5, "took " + seconds + " s");
            LoadReport.Figures get = report.get();
            assertAccounted(get);
            assertEquals(0, get.answered());
            assertTrue(get.timeouts() >= 2, "timeouts: " + get.timeouts());
            assertTrue(get.errors() >= 3 * get.timeouts(), "requests behind a timed-out one fail with it");
            assertTrue(report.connections().errorSamples().contains("answer timed out"));
        } finally {
            // The server socket is closed by now, so the acceptor adds nothing more.
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void refusesTargetsOffThisMachineUnlessAllowed() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> config("--uri", "http://192.0.2.1:8081"));
        assertTrue(refused.getMessage().contains("not a loopback address"), refused.getMessage());
        LoadConfig allowed = config("--uri", "http://192.0.2.1:8081/base/", "--allow-remote");
        assertEquals("/base", allowed.basePath());
        assertEquals("192.0.2.1:8081", allowed.hostHeader());
        assertThrows(IllegalArgumentException.class, () -> config("--uri", "https://127.0.0.1:8443"));
        assertThrows(IllegalArgumentException.class, () -> config("--uri", "http://127.0.0.1", "--read-ratio", "0.3"));
        assertEquals(0, new CommandLine(new KvLoad()).execute("--help"));
    }

    /**
     * A minimal key-value server that checks the workload: per connection it remembers the last GET's
     * answer and verifies the POST that follows carries that value plus one, or 1 after a miss.
     */
    static final class CheckingKvHandler extends Handler.Abstract {
        final Map<String, String> store = new ConcurrentHashMap<>();
        final Map<String, String> lastGetBody = new ConcurrentHashMap<>();
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong posts = new AtomicLong();
        final AtomicLong incremented = new AtomicLong();

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = request.getHttpURI().getPath();
            String connection = request.getConnectionMetaData().getId();
            if (!path.startsWith("/kv/")) {
                if (violations.size() < 20) {
                    violations.add("path outside the base: " + path);
                }
            }
            String key = path.substring(path.lastIndexOf('/') + 1);
            String body;
            if (request.getMethod().equals("POST")) {
                posts.incrementAndGet();
                String value = Content.Source.asString(request, StandardCharsets.US_ASCII);
                String previous = lastGetBody.remove(connection);
                String expected = previous == null ? "1" : Long.toString(Long.parseLong(previous) + 1);
                if (!value.equals(expected)) {
                    if (violations.size() < 20) {
                        violations.add("POST body " + value + " after GET answer " + previous);
                    }
                } else if (previous != null) {
                    incremented.incrementAndGet();
                }
                store.put(key, value);
                body = "OK";
                response.setStatus(200);
            } else {
                String value = store.get(key);
                if (value == null) {
                    lastGetBody.remove(connection);
                    response.setStatus(404);
                    body = "not found";
                } else {
                    lastGetBody.put(connection, value);
                    response.setStatus(200);
                    body = value;
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, ByteBuffer.wrap(bytes), callback);
            return true;
        }
    }
}
