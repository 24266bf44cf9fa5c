package dev.kvcache.http.server;

import static dev.kvcache.http.RawHttp.get;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.http.RawHttp;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server's pipelined answers through the whole handler chain: the same statuses and bodies,
 * in order, with batching on (the default), off ({@code --pipeline-batch 0}) and over TLS.
 */
class PipelinedServerTest {
    /** Writes (answered with the value, as the Go server does), reads, a miss, a delete, the size and a HEAD. */
    private static final String BATCH = post("/k1", "v1") + get("/k1") + post("/k2", "two") + get("/k2")
            + get("/missing") + "DELETE /k1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + get("/k1") + post("/size", "")
            + "HEAD /k2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + get("/k2");
    private static final List<String> EXPECTED = List.of("200 v1", "200 v1", "200 two", "200 two", "404 ", "204 ",
            "404 ", "200 1", "200 ", "200 two");

    @Test
    void aPipelinedBatchIsAnsweredInOrderWithTheDefaultBatch() throws Exception {
        try (TestServer server = new TestServer(); RawHttp client = new RawHttp(server.port())) {
            assertEquals(EXPECTED, exchange(client));
        }
    }

    @Test
    void withoutBatchingTheAnswersAreTheSame() throws Exception {
        try (TestServer server = new TestServer("--pipeline-batch", "0"); RawHttp client = new RawHttp(server.port())) {
            assertEquals(EXPECTED, exchange(client));
        }
    }

    @Test
    void overTlsAPipelinedBatchIsAnsweredInOrder(@TempDir Path dir) throws Exception {
        TestKeystore keystore = TestKeystore.create(dir);
        try (TestServer server = new TestServer("--tls-keystore", keystore.file.toString(), "--tls-password",
                TestKeystore.PASSWORD);
                Socket socket = keystore.clientContext().getSocketFactory().createSocket("127.0.0.1", server.port());
                RawHttp client = new RawHttp(socket)) {
            assertEquals(EXPECTED, exchange(client));
        }
    }

    @Test
    void manyBatchesOnManyConnectionsAtOnceEachGetTheirOwnAnswers() throws Exception {
        try (TestServer server = new TestServer()) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int c = 0; c < 8; c++) {
                String key = "/c" + c + "-";
                Thread thread = new Thread(() -> {
                    try (RawHttp client = new RawHttp(server.port())) {
                        for (int round = 0; round < 50; round++) {
                            StringBuilder batch = new StringBuilder();
                            for (int i = 0; i < 10; i++) {
                                batch.append(post(key + i, key + round + "." + i)).append(get(key + i));
                            }
                            client.send(batch.toString());
                            for (int i = 0; i < 10; i++) {
                                assertEquals(200, client.read().status());
                                assertEquals(key + round + "." + i, client.read().body(), key + i + " round " + round);
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(60_000);
            }
            assertEquals(List.of(), failures);
        }
    }

    private static List<String> exchange(RawHttp client) throws Exception {
        client.send(BATCH);
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < EXPECTED.size(); i++) {
            RawHttp.Reply reply = client.read(i == 8); // the HEAD's answer has no body
            answers.add(reply.status() + " " + reply.body());
        }
        return answers;
    }

    private static String post(String path, String body) {
        return RawHttp.request("POST", path, body);
    }
}
