package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/http.md "Observability": {@code /metrics} read by a strict parser of the Prometheus text format
 * 0.0.4 written here from the format's rules (not by the client library that wrote part of it).
 */
class HostileMetricsTest {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample: its series (name and labels, label order kept) and value. */
    record Sample(String name, Map<String, String> labels, double value) {
        String series() {
            return name + new TreeMap<>(labels);
        }
    }

    record Family(String name, String type, String help, List<Sample> samples) {}

    /** Parses a whole exposition strictly; any deviation fails the test with the line. */
    static Map<String, Family> parse(String text) {
        assertTrue(text.endsWith("\n"), "the exposition does not end with a line feed");
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> series = new HashSet<>();
        Set<String> closed = new HashSet<>();
        Family current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + ": " + line;
            assertFalse(line.endsWith("\r") || line.contains("\t"), where);
            if (line.isEmpty()) {
                fail("empty line, " + where);
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    assertTrue(NAME.matcher(name).matches(), where);
                    assertFalse(closed.contains(name), "family " + name + " continues after another began, " + where);
                    Family family = families.get(name);
                    if (family == null) {
                        if (current != null) {
                            closed.add(current.name());
                        }
                        family = new Family(name, null, null, new ArrayList<>());
                        families.put(name, family);
                        current = family;
                    }
                    assertTrue(family == current, where);
                    if (parts[1].equals("TYPE")) {
                        assertEquals(4, parts.length, where);
                        assertTrue(TYPES.contains(parts[3]), where);
                        assertEquals(null, family.type(), "TYPE twice, " + where);
                        assertTrue(family.samples().isEmpty(), "TYPE after samples, " + where);
                        families.put(name, current = new Family(name, parts[3], family.help(), family.samples()));
                    } else {
                        assertEquals(null, family.help(), "HELP twice, " + where);
                        String help = parts.length == 4 ? parts[3] : "";
                        // In HELP only \\ and \n are escapes.
                        assertFalse(Pattern.compile("\\\\[^\\\\n]").matcher(help.replace("\\\\", "")).find(), where);
                        families.put(name, current = new Family(name, family.type(), help, family.samples()));
                    }
                }
                continue;
            }
            Sample sample = sample(line, where);
            assertTrue(series.add(sample.series()), "series twice, " + where);
            assertNotNull(current, "sample before any TYPE, " + where);
            assertTrue(belongs(sample.name(), current), "sample of another family inside " + current.name() + ", "
                    + where);
            current.samples().add(sample);
        }
        for (Family family : families.values()) {
            assertNotNull(family.type(), family.name() + " has no TYPE");
            check(family);
        }
        return families;
    }

    private static boolean belongs(String sample, Family family) {
        return switch (family.type()) {
            case "histogram" -> sample.equals(family.name() + "_bucket") || sample.equals(family.name() + "_sum")
                    || sample.equals(family.name() + "_count");
            case "summary" -> sample.equals(family.name()) || sample.equals(family.name() + "_sum")
                    || sample.equals(family.name() + "_count");
            default -> sample.equals(family.name());
        };
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        assertTrue(NAME.matcher(name).matches(), where);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                assertTrue(LABEL_NAME.matcher(label).matches() && !label.startsWith("__"), where);
                assertEquals('"', line.charAt(eq + 1), where);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (;; j++) {
                    char c = line.charAt(j);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        switch (next) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> fail("invalid escape \\" + next + ", " + where);
                        }
                    } else {
                        value.append(c);
                    }
                }
                assertEquals(null, labels.put(label, value.toString()), "label twice, " + where);
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        assertEquals(' ', line.charAt(i), where);
        String[] rest = line.substring(i + 1).split(" ");
        assertTrue(rest.length == 1 || rest.length == 2 && rest[1].matches("-?[0-9]+"), where);
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                assertTrue(rest[0].matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?"), where);
                yield Double.parseDouble(rest[0]);
            }
        };
        return new Sample(name, labels, value);
    }

    /** Type rules: counters are not negative; histograms are cumulative with +Inf equal to _count. */
    private static void check(Family family) {
        for (Sample sample : family.samples()) {
            if (family.type().equals("counter")) {
                assertTrue(sample.value() >= 0 && !Double.isNaN(sample.value()), family.name() + " " + sample);
            }
        }
        if (!family.type().equals("histogram")) {
            return;
        }
        Map<Map<String, String>, List<Sample>> byLabels = new HashMap<>();
        for (Sample sample : family.samples()) {
            Map<String, String> rest = new TreeMap<>(sample.labels());
            rest.remove("le");
            byLabels.computeIfAbsent(rest, k -> new ArrayList<>()).add(sample);
        }
        for (List<Sample> samples : byLabels.values()) {
            double previousLe = Double.NEGATIVE_INFINITY;
            double previousCount = 0;
            Double inf = null;
            Double count = null;
            for (Sample s : samples) {
                if (s.name().endsWith("_bucket")) {
                    String le = s.labels().get("le");
                    assertNotNull(le, s.toString());
                    double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                    assertTrue(bound > previousLe, "buckets out of order: " + s);
                    assertTrue(s.value() >= previousCount, "buckets not cumulative: " + s);
                    previousLe = bound;
                    previousCount = s.value();
                    if (bound == Double.POSITIVE_INFINITY) {
                        inf = s.value();
                    }
                } else if (s.name().endsWith("_count")) {
                    count = s.value();
                }
            }
            assertNotNull(inf, family.name() + " has no +Inf bucket");
            assertEquals(inf, count, family.name() + ": +Inf bucket and _count differ");
        }
    }

    private static Map<String, Double> values(Map<String, Family> families) {
        Map<String, Double> values = new HashMap<>();
        for (Family family : families.values()) {
            for (Sample sample : family.samples()) {
                values.put(sample.series(), sample.value());
            }
        }
        return values;
    }

    /**
     * The whole exposition of the standalone server (the handler's families and the Prometheus client's
     * JVM and process families) parses strictly, before and after traffic, and every counter series of the
     * first scrape is still there in the second, not lower.
     */
    @Test
    void theExpositionIsStrictTextFormatAndCountersAreMonotone() throws Exception {
        try (TestServer server = new TestServer()) {
            HttpResponse<String> first = server.get("/metrics");
            assertEquals(200, first.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8",
                    first.headers().firstValue("Content-Type").orElseThrow().replace("utf-8", "utf-8"));
            Map<String, Family> before = parse(first.body());
            for (String family : List.of("in_flight_requests", "api_requests_total", "request_duration_seconds",
                    "cache_size", "cache_bytes", "cache_hits_total", "cache_misses_total", "cache_puts_total",
                    "cache_evictions_total", "cache_expirations_total", "out_of_memory_errors_total",
                    "process_cpu_seconds_total", "jvm_memory_used_bytes", "jvm_gc_collection_seconds")) {
                assertTrue(before.containsKey(family), family + " missing; families: " + before.keySet());
            }
            assertEquals("counter", before.get("api_requests_total").type());
            assertEquals("histogram", before.get("request_duration_seconds").type());
            assertEquals("summary", before.get("jvm_gc_collection_seconds").type());

            server.post("/k1", "v");
            server.get("/k1");
            server.get("/missing");
            server.send(server.request("/k1").method("PATCH", HttpRequest.BodyPublishers.noBody()));
            server.send(server.request("/kv/" + "k".repeat(300)).GET());
            HttpResponse<String> second = server.get("/metrics");
            Map<String, Family> after = parse(second.body());
            Map<String, Double> was = values(before);
            Map<String, Double> now = values(after);
            for (Family family : before.values()) {
                boolean monotone = family.type().equals("counter") || family.type().equals("histogram")
                        || family.type().equals("summary") && !family.name().isEmpty();
                if (!monotone) {
                    continue;
                }
                for (Sample sample : family.samples()) {
                    if (family.type().equals("summary") && sample.labels().containsKey("quantile")) {
                        continue;
                    }
                    Double later = now.get(sample.series());
                    assertNotNull(later, sample.series() + " vanished between scrapes");
                    assertTrue(later >= sample.value(), sample.series() + " went down: " + sample.value() + " -> "
                            + later);
                }
            }
            assertEquals(1.0, now.get("api_requests_total{code=200, method=post}"));
            assertEquals(1.0, now.get("api_requests_total{code=405, method=other}"));
            assertEquals(1.0, now.get("api_requests_total{code=414, method=get}"));
            assertEquals(1.0, now.get("cache_hits_total{}"));
            assertEquals(1.0, now.get("cache_puts_total{}"));
            assertEquals(1.0, now.get("cache_size{}"));
            assertEquals(3.0, now.get("cache_bytes{}"));
            // HEAD answers the same headers and no body.
            HttpResponse<String> head = server.send(server.request("/metrics").method("HEAD",
                    HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
        }
    }

    /**
     * On an idle server, the gauges and /stats come back to the truth once entries expire, with the fake
     * clock advanced and no request but the scrapes (docs: counted at most about 100 ms after the deadline).
     */
    @Test
    void gaugesAreTrueOnAnIdleServerAfterExpiry() throws Exception {
        try (TestServer server = new TestServer()) {
            for (int i = 0; i < 10; i++) {
                server.put("/kv/e" + i + "?ttl=1s", "12345");
            }
            server.put("/kv/stays?ttl=1h", "x");
            Map<String, Double> full = values(parse(server.get("/metrics").body()));
            assertEquals(11.0, full.get("cache_size{}"));
            assertEquals(10 * 7 + 6, full.get("cache_bytes{}"));
            server.ticker.advance(Duration.ofMillis(1_000));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Map<String, Double> now;
            do {
                assertTrue(System.nanoTime() < deadline, "gauges still count expired entries after 10 s");
                Thread.sleep(50);
                now = values(parse(server.get("/metrics").body()));
            } while (now.get("cache_size{}") != 1.0);
            assertEquals(6.0, now.get("cache_bytes{}"));
            assertEquals(10.0, now.get("cache_expirations_total{}"));
            String stats = server.get("/stats").body();
            Matcher entries = Pattern.compile("\"entries\":(\\d+),\"bytes\":(\\d+)").matcher(stats);
            assertTrue(entries.find(), stats);
            assertEquals("1", entries.group(1), stats);
            assertEquals("6", entries.group(2), stats);
            assertTrue(stats.contains("\"expirations\":10"), stats);
            assertEquals("1", server.post("/size", "").body());
        }
    }

    /** The parser itself refuses what the format forbids, so that its passing above means something. */
    @Test
    void theParserRefusesMalformedExpositions() {
        for (String bad : List.of(
                "# TYPE x counter\nx -1\n",                                  // a negative counter
                "# TYPE x gauge\nx 1",                                        // no final line feed
                "# TYPE x gauge\n# TYPE y gauge\ny 1\nx 2\n",                 // x's sample after y began
                "# TYPE x gauge\nx{a=\"\\t\"} 1\n",                          // an invalid escape
                "# TYPE x gauge\nx 1\nx 2\n",                                 // one series twice
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n",
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 1\nh_sum 0\n",
                "y 1\n")) {
            boolean refused;
            try {
                parse(bad);
                refused = false;
            } catch (AssertionError | RuntimeException expected) {
                refused = true;
            }
            assertTrue(refused, "accepted: " + bad);
        }
        assertEquals(2.5, parse("# HELP x a \\\\ b\n# TYPE x gauge\nx{a=\"q\\\"\\n\"} 2.5\n").get("x").samples().get(0).value());
    }
}
