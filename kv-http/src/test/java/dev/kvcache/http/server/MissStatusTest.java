package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** {@code --miss-status 200}: a miss answers as the Go server did, 200 with an empty body. */
class MissStatusTest {
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void missStatus200AnswersAMissLikeTheGoServer(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--miss-status", "200")) {
            Protocol.Client client = protocol.client(server);
            HttpResponse<String> miss = client.get("/never-written");
            assertEquals(200, miss.statusCode());
            assertEquals("", miss.body());
            assertEquals("text/plain; charset=utf-8", miss.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(200, client.get("/kv/never-written").statusCode());
            assertEquals(200, client.send("HEAD", "/kv/never-written", null).statusCode());
            // Only reads change: a delete of an absent key is still 404, and a hit is still the value.
            assertEquals(404, client.send("DELETE", "/kv/never-written", null).statusCode());
            client.send("POST", "/k1", "v1");
            assertEquals("v1", client.get("/k1").body());
            server.ticker.advance(java.time.Duration.ofSeconds(11));
            HttpResponse<String> expired = client.get("/k1");
            assertEquals(200, expired.statusCode());
            assertEquals("", expired.body());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theDefaultStays404(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            HttpResponse<String> miss = protocol.client(server).get("/never-written");
            assertEquals(404, miss.statusCode());
            assertEquals("", miss.body());
        }
    }

    @Test
    void environmentAndConfigFileSetIt(@TempDir Path dir) throws Exception {
        assertEquals(200, ServerConfig.parse(new String[0], Map.of("KV_MISS_STATUS", "200")).missStatus);
        Path file = dir.resolve("kv.conf");
        Files.writeString(file, "KV_MISS_STATUS=200\n");
        assertEquals(200, ServerConfig.parse(new String[] {"--config", file.toString()}, Map.of()).missStatus);
        assertEquals(404, ServerConfig.parse(new String[0], Map.of()).missStatus);
    }

    @Test
    void anyOtherStatusIsRefusedNamingTheFlag() {
        StringWriter err = new StringWriter();
        int status = ServerMain.run(new String[] {"--miss-status", "204"}, Map.of(), new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertEquals(KvServer.EXIT_INVALID_CONFIG, status);
        assertTrue(err.toString().contains("--miss-status must be 200 or 404, was 204"), err.toString());
        err = new StringWriter();
        status = ServerMain.run(new String[0], Map.of("KV_MISS_STATUS", "ok"), new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertEquals(KvServer.EXIT_INVALID_CONFIG, status);
        assertTrue(err.toString().contains("KV_MISS_STATUS"), err.toString());
    }

    @Test
    void helpListsIt() {
        String help = HelpText.render(200);
        assertTrue(help.contains("--miss-status=STATUS"), help);
        assertFalse(help.contains("Other:"), help);
    }
}
