package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvcache.core.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every request is counted exactly once in {@code /metrics}, with the method and the status it was
 * answered with, whichever resource and branch answered it (writes answer after their body arrived).
 */
class RequestMetricsTest {
    private HandlerServer server;

    @BeforeEach
    void start() throws Exception {
        server = HandlerServer.start(new KvHandler(KvHandlerOptions.builder().maxKeyBytes(8).maxValueBytes(4)
                .ticker(new FakeTicker()).build()));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void eachAnswerIsCountedOnceByMethodAndStatus() throws Exception {
        List<String> expected = new ArrayList<>();
        String[][] requests = {
            {"PUT", "/kv/a", "v1", "204"},
            {"POST", "/b", "v2", "200"},
            {"PUT", "/kv/c", "v3", "201", "If-None-Match", "*"},
            {"PUT", "/kv/a", "v4", "412", "If-None-Match", "*"},
            {"PUT", "/kv/a", "v5", "400", "Kv-Ttl", "soon"},
            {"PUT", "/kv/a", "too large", "413"},
            {"PUT", "/kv/" + "k".repeat(9), "v", "414"},
            {"GET", "/kv/a", null, "200"},
            {"HEAD", "/kv/a", null, "200"},
            {"GET", "/kv/missing", null, "404"},
            {"GET", "/kv/a", null, "304", "If-None-Match", "*"},
            {"GET", "/kv/a", null, "412", "If-Match", "\"other\""},
            {"OPTIONS", "/kv/a", null, "405"},
            {"DELETE", "/kv/c", null, "204"},
            {"DELETE", "/kv/c", null, "404"},
            {"DELETE", "/kv/a", null, "412", "If-Match", "\"other\""},
            {"GET", "/size", null, "200"},
            {"POST", "/size", null, "200"},
            {"PUT", "/size", null, "405"},
            {"GET", "/stats", null, "200"},
            {"POST", "/metrics", null, "405"},
            {"GET", "/health", null, "200"},
            {"DELETE", "/health", null, "405"},
            {"GET", "/", null, "400"},
        };
        for (String[] r : requests) {
            String[] headers = java.util.Arrays.copyOfRange(r, 4, r.length);
            assertEquals(Integer.parseInt(r[3]), server.send(r[0], r[1], r[2], headers).statusCode(), String.join(" ", r));
            expected.add(r[3] + " " + (r[0].equals("OPTIONS") ? "other" : r[0].toLowerCase()));
        }
        String text = server.get("/metrics").body();

        Map<String, Long> want = new TreeMap<>();
        expected.forEach(k -> want.merge(k, 1L, Long::sum));
        Map<String, Long> counted = new TreeMap<>();
        Matcher m = Pattern.compile("\napi_requests_total\\{code=\"(\\d+)\",method=\"(\\w+)\"} (\\d+)").matcher(text);
        while (m.find()) {
            counted.put(m.group(1) + " " + m.group(2), Long.parseLong(m.group(3)));
        }
        assertEquals(want, counted, text);
        assertEquals(requests.length, histogramCount(text), text);
        // The scrape itself is the one request in flight.
        assertEquals(1, gauge(text, "in_flight_requests"), text);
    }

    private static long histogramCount(String text) {
        return gauge(text, "request_duration_seconds_count");
    }

    private static long gauge(String text, String name) {
        Matcher m = Pattern.compile("\n" + name + " (\\d+)\n").matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
