package dev.kvcache.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareReportsTest {

    private static JsonNode report(double requestsPerSecond, long getP99) throws IOException {
        return JsonReport.mapper().readTree("{\"requestsPerSecond\": " + requestsPerSecond
                + ", \"get\": {\"requestsPerSecond\": 0, \"errors\": 0, \"latencyMicros\": {\"p99\": " + getP99 + "}},"
                + " \"post\": {\"errors\": 1}}");
    }

    @Test
    void comparesMediansAndListsEveryRound() throws IOException {
        List<JsonNode> a = List.of(report(100, 10), report(300, 30), report(200, 20));
        List<JsonNode> b = List.of(report(100, 10), report(100, 10), report(100, 40));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompareReports.print("kv", a, "hello", b, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Medians over 3 rounds:"), text);
        assertTrue(text.contains("req/s ratio of each round: 1.00 3.00 2.00"), text);
        assertTrue(text.contains("RATIO req/s kv/hello = 2.000 ; GET p99 kv/hello = 2.000"), text);
        assertTrue(text.contains("| errors (GET+POST) (lower is better) | 1   | 1     | 1.00       |"), text);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() throws IOException {
        assertEquals(150, CompareReports.median(List.of(report(100, 0), report(300, 0), report(200, 0),
                report(0, 0)), node -> node.at("/requestsPerSecond").asDouble()));
    }
}
