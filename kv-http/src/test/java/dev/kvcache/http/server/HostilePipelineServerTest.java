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
