package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A 304 over HTTP/1.1 and h2c (docs/http.md: only ETag, Cache-Control, Kv-Ttl-Remaining-Ms, Date and the
 * 200's Content-Length, no body), followed on the same connection by requests that must still be in step.
 */
class HostileNotModifiedTest {
    private static final Set<String> ALLOWED = Set.of("etag", "cache-control", "date", "kv-ttl-remaining-ms", "server",
            "content-length", ":status");

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void a304CarriesOnlyTheDocumentedFieldsOnEitherProtocol(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client client = new Client(server, proto);
            String tag = client.send("PUT", "/kv/h2nm?ttl=1h", "{\"a\":1}", "Content-Type", "application/json")
                    .headers().firstValue("ETag").orElseThrow();
            for (int round = 0; round < 3; round++) {
                for (String method : new String[] {"GET", "HEAD"}) {
                    for (String path : new String[] {"/kv/h2nm", "/h2nm"}) {
                        HttpResponse<String> reply = client.send(method, path, null, "If-None-Match", tag);
                        String what = proto + " " + method + " " + path + " " + reply.headers().map();
                        assertEquals(304, reply.statusCode(), what);
                        assertEquals("", reply.body(), what);
                        assertEquals(tag, reply.headers().firstValue("etag").orElse(null), what);
                        for (String name : reply.headers().map().keySet()) {
                            assertTrue(ALLOWED.contains(name.toLowerCase(java.util.Locale.ROOT)), "unexpected " + name + " in " + what);
                        }
                        assertTrue(reply.headers().firstValue("cache-control").isPresent(), what);
                        assertTrue(reply.headers().firstValue("kv-ttl-remaining-ms").isPresent(), what);
                        if (proto == Client.Proto.HTTP_1_1 || method.equals("GET")) {
                            assertEquals("7", reply.headers().firstValue("content-length").orElse(null), what);
                        }
                    }
                }
            }
            HttpResponse<String> ok = client.send("GET", "/kv/h2nm", null);
            assertEquals(200, ok.statusCode());
            assertEquals("{\"a\":1}", ok.body());
            assertEquals("application/json", ok.headers().firstValue("content-type").orElse(null));
        }
    }
}
