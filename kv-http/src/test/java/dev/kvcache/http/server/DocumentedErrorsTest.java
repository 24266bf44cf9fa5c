package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The answers to unsupported HTTP versions are exactly the ones docs/http.md quotes: the status and
 * the body the standalone server's error handler sends, and the quoted body appears in the docs.
 */
class DocumentedErrorsTest {
    private static final Path DOCS = Path.of("../docs/http.md");
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawHttp.Reply exchange(String request) throws IOException {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(request);
            return raw.read();
        }
    }

    private static void assertDocumented(String request, int status, String body) throws IOException {
        RawHttp.Reply reply = exchange(request);
        assertEquals(status, reply.status(), request);
        assertEquals(body + "\n", reply.body(), request);
        String docs = Files.readString(DOCS);
        assertTrue(docs.contains("`" + body + "`"), "docs/http.md does not quote the body '" + body + "'");
    }

    @Test
    void unsupportedVersionsGetTheDocumentedBodies() throws Exception {
        assertDocumented("GET /kv/k HTTP/9.9\r\nHost: x\r\n\r\n", 505, "Unknown Version");
        assertDocumented("GET /kv/k HTTX/1.1\r\nHost: x\r\n\r\n", 505, "Unknown Version");
        assertDocumented("GET /kv/k\r\n\r\n", 505, "HTTP/0.9 not supported");
        assertDocumented("GET /kv/k HTTP/2.0\r\nHost: x\r\n\r\n", 426, "Upgrade Required");
        String docs = Files.readString(DOCS).replaceAll("\\s+", " ");
        assertTrue(docs.contains("an unsupported version (505 with the body `Unknown Version`, or"
                + " `HTTP/0.9 not supported` for a request line without one; `HTTP/2.0` as text gets 426"
                + " `Upgrade Required`"), "docs/http.md's sentence on unsupported versions changed");
    }
}
