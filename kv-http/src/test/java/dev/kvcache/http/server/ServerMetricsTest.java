package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.net.http.HttpRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 17: {@code /metrics} had no JVM or process metrics, and requests refused before the
 * handler (401 by the token check, 431/414/505/400 by Jetty's parser) were not counted.
 */
class ServerMetricsTest {
    private static final String TOKEN = "metrics-test-token";
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer("--auth-token", TOKEN, "--no-protect-metrics");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String metrics() throws Exception {
        return server.get("/metrics").body();
    }

    private static long count(String metrics, String code, String method) {
        Matcher m = Pattern.compile("(?m)^api_requests_total\\{code=\"" + code + "\",method=\"" + method + "\"} (\\d+)$")
                .matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static RawHttp.Reply raw(String request) throws Exception {
        try (RawHttp http = new RawHttp(server.port())) {
            http.send(request);
            return http.read(false);
        }
    }

    @Test
    void jvmAndProcessMetricsAreServedBesideTheGoServersNames() throws Exception {
        String metrics = metrics();
        for (String family : new String[] {
                "in_flight_requests", "api_requests_total", "request_duration_seconds", "cache_size", "cache_bytes",
                "process_cpu_seconds_total", "process_start_time_seconds", "process_resident_memory_bytes",
                "process_open_fds", "jvm_memory_used_bytes", "jvm_gc_collection_seconds", "jvm_threads_current",
                "jvm_runtime_info"}) {
            assertTrue(metrics.contains("\n# TYPE " + family + " ") || metrics.startsWith("# TYPE " + family + " ")
                    || metrics.contains("# TYPE " + family + " "), family + " missing:\n" + metrics);
        }
        // One family, one block: the handler's families and the client's never overlap.
        Matcher types = Pattern.compile("(?m)^# TYPE (\\S+) ").matcher(metrics);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (types.find()) {
            assertTrue(seen.add(types.group(1)), "family " + types.group(1) + " written twice");
        }
        Matcher gc = Pattern.compile("(?m)^jvm_gc_collection_seconds_count\\{gc=\"[^\"]+\"} \\d+").matcher(metrics);
        assertTrue(gc.find(), "GC pauses per collector:\n" + metrics);
    }

    @Test
    void aRequestWithoutTheTokenIsCountedAs401() throws Exception {
        long before = count(metrics(), "401", "get");
        assertEquals(401, server.get("/k").statusCode());
        assertEquals(401, server.get("/k").statusCode());
        assertEquals(before + 2, count(metrics(), "401", "get"));
        assertEquals(401, server.send(server.request("/k").PUT(HttpRequest.BodyPublishers.ofString("v"))).statusCode());
        assertEquals(1, count(metrics(), "401", "put"));
    }

    @Test
    void headersOverTheLimitAreCountedAs431() throws Exception {
        long before = count(metrics(), "431", "get");
        RawHttp.Reply reply = raw("GET /k HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "x".repeat(9_000) + "\r\n\r\n");
        assertEquals(431, reply.status());
        assertEquals(before + 1, count(metrics(), "431", "get"));
    }

    @Test
    void aRequestLineOverTheLimitIsCountedAs414() throws Exception {
        String metricsBefore = metrics();
        long before = count(metricsBefore, "414", "get") + count(metricsBefore, "414", "other");
        RawHttp.Reply reply = raw("GET /" + "k".repeat(9_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertEquals(414, reply.status());
        String after = metrics();
        assertEquals(before + 1, count(after, "414", "get") + count(after, "414", "other"), after);
    }

    @Test
    void anUnsupportedVersionAndAMalformedRequestLineAreCounted() throws Exception {
        String before = metrics();
        assertEquals(505, raw("GET /k HTTP/3.7\r\nHost: 127.0.0.1\r\n\r\n").status());
        assertEquals(400, raw("GET\r\n\r\n").status());
        String after = metrics();
        assertEquals(sum(before, "505") + 1, sum(after, "505"), after);
        assertEquals(sum(before, "400") + 1, sum(after, "400"), after);
    }

    @Test
    void aValueOverTheLimitIsCountedOnceAs413() throws Exception {
        long before = count(metrics(), "413", "put");
        RawHttp.Reply reply = raw("PUT /kv/big HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Length: " + (2 << 20) + "\r\n\r\n");
        assertEquals(413, reply.status());
        // Counted when the response's write completes, which the client may see first: wait for it, then
        // check that it stays counted once.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        long counted;
        while ((counted = count(metrics(), "413", "put")) < before + 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before + 1, counted);
        assertEquals(before + 1, count(metrics(), "413", "put"));
    }

    private static long sum(String metrics, String code) {
        long total = 0;
        for (String method : new String[] {"get", "head", "post", "put", "delete", "other"}) {
            total += count(metrics, code, method);
        }
        return total;
    }

    @Test
    void anEmbeddedHandlerServesNoJvmFamilies() throws Exception {
        dev.kvcache.http.KvHandler handler = new dev.kvcache.http.KvHandler(dev.kvcache.http.KvHandlerOptions.defaults());
        org.eclipse.jetty.server.Server jetty = new org.eclipse.jetty.server.Server();
        org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(handler);
        jetty.start();
        try (RawHttp http = new RawHttp(connector.getLocalPort())) {
            http.send(RawHttp.request("GET", "/metrics", null));
            String body = http.read(false).body();
            assertTrue(body.contains("# TYPE api_requests_total counter"), body);
            assertFalse(body.contains("jvm_"), "the handler alone depends on no metrics library: " + body);
        } finally {
            jetty.stop();
        }
    }
}
