package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Hostile review of the pipelined batching (brief hostile19) on the real server: watches, batches,
 * flushes, 100-continue, prior-knowledge h2 and metrics behind pipelined requests, each against
 * {@code --pipeline-batch 0} (Jetty's own writes) and the default; and the flag's values.
 */
class HostilePipelineServerTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void anAnswerBeforeAWatchArrivesBeforeTheWatchFiresAndTheOnesAfterItFollow(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch);
                RawHttp client = new RawHttp(server.port());
                RawHttp writer = new RawHttp(server.port())) {
            writer.send(RawHttp.request("PUT", "/kv/w", "v1"));
            assertEquals(204, writer.read().status());
            writer.send(RawHttp.request("GET", "/kv/w?index=0", null));
            String index = writer.read().headers().get("x-kv-index");
            client.send(RawHttp.request("GET", "/kv/w", null) + RawHttp.request("GET", "/kv/w?index=" + index + "&wait=20s", null)
                    + RawHttp.request("GET", "/kv/w", null) + RawHttp.request("GET", "/kv/w", null));
            // Before the watch fires: the first answer is there.
            assertEquals("v1", client.read().body());
            writer.send(RawHttp.request("PUT", "/kv/w", "v2"));
            assertEquals(204, writer.read().status());
            assertEquals("v2", client.read().body(), "the watch");
            assertEquals("v2", client.read().body());
            assertEquals("v2", client.read().body());
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void batchFlushPutsHeadAnd304InOnePipelinedBatchAreAnsweredInOrder(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch, "--allow-flush");
                RawHttp client = new RawHttp(server.port())) {
            String big = "x".repeat(40_000);
            StringBuilder all = new StringBuilder();
            all.append(RawHttp.request("PUT", "/kv/a", "1"));
            all.append(RawHttp.request("PUT", "/kv/large", big));
            all.append(RawHttp.request("POST", "/kv/", "{\"ops\":[{\"op\":\"get\",\"key\":\"a\"},{\"op\":\"put\",\"key\":\"b\",\"value\":\"2\"}]}"));
            all.append("HEAD /kv/large HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            all.append(RawHttp.request("GET", "/kv/large", null));
            all.append(RawHttp.request("GET", "/kv/b", null));
            all.append(RawHttp.request("DELETE", "/kv/?prefix=b", null));
            all.append(RawHttp.request("GET", "/kv/b", null));
            client.send(all.toString());
            assertEquals(204, client.read().status());
            RawHttp.Reply put = client.read();
            assertEquals(204, put.status());
            RawHttp.Reply batchReply = client.read();
            assertEquals(200, batchReply.status());
            assertTrue(batchReply.body().contains("\"value\":\"1\""), batchReply.body());
            RawHttp.Reply head = client.read(true);
            assertEquals("40000", head.headers().get("content-length"));
            assertEquals(big, client.read().body());
            assertEquals("2", client.read().body());
            RawHttp.Reply flush = client.read();
            assertEquals(200, flush.status(), flush.body());
            assertEquals(404, client.read().status());
            client.send("GET /kv/large HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: " + put.headers().get("etag")
                    + "\r\n\r\n" + RawHttp.request("GET", "/kv/a", null));
            assertEquals(304, client.read().status());
            assertEquals("1", client.read().body());
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void expectContinueBehindPipelinedGets(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch); RawHttp client = new RawHttp(server.port())) {
            client.send(RawHttp.request("GET", "/kv/none", null) + "PUT /kv/c HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n");
            assertEquals(404, client.read().status());
            assertEquals(100, client.read().status());
            client.send("abc" + RawHttp.request("GET", "/kv/c", null));
            assertEquals(204, client.read().status());
            assertEquals("abc", client.read().body());
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void priorKnowledgeH2AfterPipelinedGetsIsAnsweredAfterThem(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch);
                Socket socket = new Socket("127.0.0.1", server.port());
                RawHttp client = new RawHttp(socket)) {
            client.send(RawHttp.request("GET", "/kv/none", null) + RawHttp.request("GET", "/kv/none2", null)
                    + new String(H2Frames.PREFACE, java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(new byte[] {0, 0, 0, H2Frames.SETTINGS, 0, 0, 0, 0, 0});
            assertEquals(404, client.read().status());
            assertEquals(404, client.read().status());
            // Then HTTP/2: a SETTINGS frame (or the connection's end if Jetty refuses the switch mid-connection).
            byte[] header = socket.getInputStream().readNBytes(9);
            String rest = header.length == 9 ? "frame type " + header[3] : "end after " + header.length;
            assertTrue(header.length == 9 && header[3] == H2Frames.SETTINGS || header.length == 0, rest);
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void metricsCountEveryPipelinedRequestOnce(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch); RawHttp client = new RawHttp(server.port())) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                all.append(RawHttp.request("GET", "/kv/m" + i, null));
            }
            client.send(all.toString());
            for (int i = 0; i < 50; i++) {
                assertEquals(404, client.read().status());
            }
            String metrics = server.get("/metrics").body();
            Matcher m = Pattern.compile("(?m)^api_requests_total\\{code=\"404\",method=\"get\"} (\\d+)$").matcher(metrics);
            assertTrue(m.find(), metrics);
            assertEquals(50, Long.parseLong(m.group(1)));
        }
    }

    /** Many connections pipelining at once beside one-at-a-time clients: every body is the one asked for. */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void manyPipeliningConnectionsGetTheirOwnAnswers(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch)) {
            try (RawHttp setup = new RawHttp(server.port())) {
                StringBuilder puts = new StringBuilder();
                for (int i = 0; i < 100; i++) {
                    puts.append(RawHttp.request("PUT", "/kv/k" + i, ("v" + i).repeat(1 + i * 7)));
                }
                setup.send(puts.toString());
                for (int i = 0; i < 100; i++) {
                    assertEquals(204, setup.read().status());
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int c = 0; c < 12; c++) {
                    int seed = c;
                    runs.add(pool.submit(() -> {
                        try (RawHttp client = new RawHttp(server.port())) {
                            for (int round = 0; round < 30; round++) {
                                int depth = seed % 3 == 0 ? 1 : 1 + (seed + round) % 40;
                                StringBuilder all = new StringBuilder();
                                for (int r = 0; r < depth; r++) {
                                    all.append(RawHttp.request("GET", "/kv/k" + (seed * 31 + round * 7 + r) % 100, null));
                                }
                                client.send(all.toString());
                                for (int r = 0; r < depth; r++) {
                                    int i = (seed * 31 + round * 7 + r) % 100;
                                    assertEquals(("v" + i).repeat(1 + i * 7), client.read().body());
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> run : runs) {
                    run.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** TLS HTTP/1.1 (ALPN http/1.1): a pipelined batch mixing small and large answers, every body intact. */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void tlsHttp11PipelinedAnswersAreIntactAndInOrder(String batch) throws Exception {
        TestKeystore keystore = TestKeystore.create(dir);
        try (TestServer server = new TestServer("--pipeline-batch", batch, "--tls-keystore", keystore.file.toString(),
                "--tls-password", TestKeystore.PASSWORD)) {
            javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) keystore.clientContext().getSocketFactory()
                    .createSocket("127.0.0.1", server.port());
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            try (RawHttp client = new RawHttp(socket)) {
                StringBuilder puts = new StringBuilder();
                for (int i = 0; i < 30; i++) {
                    puts.append(RawHttp.request("PUT", "/kv/t" + i, ("t" + i).repeat(1 + i * i * 20)));
                }
                client.send(puts.toString());
                for (int i = 0; i < 30; i++) {
                    assertEquals(204, client.read().status());
                }
                StringBuilder gets = new StringBuilder();
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < 30; i++) {
                        gets.append(RawHttp.request("GET", "/kv/t" + (i * 7 + round) % 30, null));
                    }
                }
                client.send(gets.toString());
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < 30; i++) {
                        int k = (i * 7 + round) % 30;
                        assertEquals(("t" + k).repeat(1 + k * k * 20), client.read().body());
                    }
                }
            }
        }
    }

    /**
     * A stop while a pipelined watch waits, with answers before and a request after it: the answer
     * before it, the watch's (answered at once by the stop), then the one after it (503 once stopping,
     * closing the connection) all arrive.
     */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void aStopWithAPipelinedWatchInFlightDeliversEveryAnswer(String batch) throws Exception {
        TestServer server = new TestServer("--pipeline-batch", batch);
        try (RawHttp client = new RawHttp(server.port())) {
            client.send(RawHttp.request("PUT", "/kv/s", "v1"));
            assertEquals(204, client.read().status());
            client.send(RawHttp.request("GET", "/kv/s?index=0", null));
            String index = client.read().headers().get("x-kv-index");
            client.send(RawHttp.request("GET", "/kv/s", null) + RawHttp.request("GET", "/kv/s?index=" + index + "&wait=60s", null)
                    + RawHttp.request("GET", "/kv/s", null));
            assertEquals("v1", client.read().body());
            Thread stopper = new Thread(server::close);
            stopper.start();
            RawHttp.Reply watch = client.read();
            assertEquals(200, watch.status());
            assertEquals("v1", watch.body());
            RawHttp.Reply after = client.read();
            assertTrue(after.status() == 503 || after.status() == 200 && after.body().equals("v1"), after.toString());
            stopper.join(20_000);
        } finally {
            server.close();
        }
    }

    /** Values near --max-value-bytes among small ones; HEAD of one; then the idle timeout ends the connection. */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void hugeValuesAmongSmallOnesThenTheIdleTimeout(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch, "--max-value-bytes", "1MiB", "--idle-timeout", "1s");
                RawHttp client = new RawHttp(server.port())) {
            String huge = "h".repeat((1 << 20) - 1);
            client.send(RawHttp.request("PUT", "/kv/huge", huge) + RawHttp.request("PUT", "/kv/s", "s"));
            assertEquals(204, client.read().status());
            assertEquals(204, client.read().status());
            client.send(RawHttp.request("GET", "/kv/s", null) + RawHttp.request("GET", "/kv/huge", null)
                    + "HEAD /kv/huge HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + RawHttp.request("GET", "/kv/s", null)
                    + RawHttp.request("GET", "/kv/huge", null) + "GET /kv/s HTTP/1.1\r\nHo");
            assertEquals("s", client.read().body());
            assertEquals(huge, client.read().body());
            assertEquals(String.valueOf(huge.length()), client.read(true).headers().get("content-length"));
            assertEquals("s", client.read().body());
            assertEquals(huge, client.read().body());
            // The rest of the last request never comes: the idle timeout closes the connection.
            String rest = client.readToEnd();
            assertTrue(rest.isEmpty() || rest.startsWith("HTTP/1.1 4"), rest);
        }
    }

    /** A slow reader of thousands of pipelined answers, then one that resets mid-batch: the server still serves. */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void aSlowReaderAndAResetMidBatchLeaveTheServerServing(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch)) {
            try (RawHttp setup = new RawHttp(server.port())) {
                setup.send(RawHttp.request("PUT", "/kv/r", "r".repeat(700)));
                assertEquals(204, setup.read().status());
            }
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(4096);
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
                try (RawHttp slow = new RawHttp(socket)) {
                    slow.send(RawHttp.request("GET", "/kv/r", null).repeat(3000));
                    for (int i = 0; i < 3000; i++) {
                        assertEquals(700, slow.read().body().length(), "answer " + i);
                        if (i % 500 == 0) {
                            Thread.sleep(20); // a slow reader, not an assertion
                        }
                    }
                }
            }
            Socket reset = new Socket("127.0.0.1", server.port());
            reset.getOutputStream().write(RawHttp.request("GET", "/kv/r", null).repeat(2000)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            reset.getInputStream().readNBytes(5000);
            reset.setSoLinger(true, 0);
            reset.close();
            try (RawHttp after = new RawHttp(server.port())) {
                after.send(RawHttp.request("GET", "/kv/r", null).repeat(5));
                for (int i = 0; i < 5; i++) {
                    assertEquals(700, after.read().body().length());
                }
            }
        }
    }

    /** A chunked PUT among GETs, then answers that refuse (413, 414, 431): earlier answers first, in order. */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(strings = {"0", "16KiB"})
    void chunkedBodiesAndRefusalsBehindPipelinedAnswers(String batch) throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", batch, "--max-value-bytes", "1KiB")) {
            try (RawHttp client = new RawHttp(server.port())) {
                client.send(RawHttp.request("GET", "/kv/c", null)
                        + "PUT /kv/c HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                        + RawHttp.request("GET", "/kv/c", null) + RawHttp.request("GET", "/stats", null)
                        + RawHttp.request("PUT", "/kv/c", "x".repeat(2000)) + RawHttp.request("GET", "/kv/c", null));
                assertEquals(404, client.read().status());
                assertEquals(204, client.read().status());
                assertEquals("abcde", client.read().body());
                assertEquals(200, client.read().status());
                RawHttp.Reply tooLarge = client.read();
                assertEquals(413, tooLarge.status());
                if (!"close".equals(tooLarge.headers().get("connection"))) {
                    assertEquals("abcde", client.read().body());
                }
            }
            for (String refused : new String[] {
                    RawHttp.request("GET", "/kv/" + "k".repeat(300), null),
                    "GET /kv/c HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"}) {
                try (RawHttp client = new RawHttp(server.port())) {
                    client.send(RawHttp.request("GET", "/kv/c", null).repeat(3) + refused + RawHttp.request("GET", "/kv/c", null));
                    for (int i = 0; i < 3; i++) {
                        assertEquals("abcde", client.read().body());
                    }
                    RawHttp.Reply refusal = client.read();
                    assertTrue(refusal.status() == 414 || refusal.status() == 431, refusal.toString());
                    if ("close".equals(refusal.headers().get("connection"))) {
                        assertEquals("", client.readToEnd());
                    } else {
                        assertEquals("abcde", client.read().body());
                    }
                }
            }
        }
    }

    @Test
    void theFlagTakesZeroToOneMebibyteFromFlagVariableAndFile() throws Exception {
        assertEquals(0, ServerConfig.parse(new String[] {"--pipeline-batch", "0"}, Map.of()).pipelineBatch);
        assertEquals(1, ServerConfig.parse(new String[] {"--pipeline-batch", "1"}, Map.of()).pipelineBatch);
        assertEquals(1 << 20, ServerConfig.parse(new String[] {"--pipeline-batch", "1MiB"}, Map.of()).pipelineBatch);
        assertEquals(16 * 1024, ServerConfig.parse(new String[0], Map.of()).pipelineBatch);
        assertEquals(4096, ServerConfig.parse(new String[0], Map.of("KV_PIPELINE_BATCH", "4KiB")).pipelineBatch);
        Path file = Files.writeString(dir.resolve("kv.conf"), "KV_PIPELINE_BATCH=2KiB\n");
        assertEquals(2048, ServerConfig.parse(new String[] {"--config", file.toString()}, Map.of()).pipelineBatch);
        for (String bad : new String[] {"1048577", "-1", "junk", "2MiB", "1.5"}) {
            assertThrows(CommandLine.ParameterException.class,
                    () -> ServerConfig.parse(new String[] {"--pipeline-batch", bad}, Map.of()), bad);
        }
        assertThrows(CommandLine.ParameterException.class,
                () -> ServerConfig.parse(new String[0], Map.of("KV_PIPELINE_BATCH", "-5")));
    }

    /** A batch of one byte holds nothing (every answer is larger): Jetty's own writes, answers intact. */
    @Test
    void aOneByteBatchStillAnswersEverything() throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", "1"); RawHttp client = new RawHttp(server.port())) {
            client.send(RawHttp.request("GET", "/kv/x", null).repeat(10));
            for (int i = 0; i < 10; i++) {
                assertEquals(404, client.read().status());
            }
        }
    }
}
