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
        // Found by http-hostile: a well-formed version Jetty knows but does not serve has its own body.
        assertDocumented("GET /kv/k HTTP/3.0\r\nHost: x\r\n\r\n", 505, "Unsupported Version");
        String docs = Files.readString(DOCS).replaceAll("\\s+", " ");
        assertTrue(docs.contains("an unsupported version (505 with the body `Unknown Version`, `Unsupported"
                + " Version` for a well-formed but unserved one such as `HTTP/3.0`, or `HTTP/0.9 not supported`"
                + " for a request line without one; `HTTP/2.0` as text gets 426 `Upgrade Required`"),
                "docs/http.md's sentence on unsupported versions changed");
    }

    /** Found by http-hostile: the docs gave one body for every invalid percent-encoding. */
    @Test
    void invalidPercentEncodingsGetTheDocumentedBodies() throws Exception {
        RawHttp.Reply malformed = exchange("GET /kv/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(400, malformed.status());
        assertEquals("Bad Request\n", malformed.body());
        RawHttp.Reply notUtf8 = exchange("GET /kv/%C3%28 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(400, notUtf8.status());
        assertEquals("Bad UTF-8 encoding\n", notUtf8.body());
        String docs = Files.readString(DOCS).replaceAll("\\s+", " ");
        assertTrue(docs.contains("invalid percent-encoding (`400 Bad Request` for a malformed escape such as `%ZZ`,"
                + " `400 Bad UTF-8 encoding` for escapes that are not UTF-8)"), "the sentence on percent-encoding");
    }
}
