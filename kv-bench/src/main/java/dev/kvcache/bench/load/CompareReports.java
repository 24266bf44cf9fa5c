package dev.kvcache.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prints two {@code kv-load --json} reports side by side with the ratio of each figure (A / B), for
 * {@code compare.sh}. Usage: {@code CompareReports NAME_A A.json NAME_B B.json}.
 */
public final class CompareReports {

    private CompareReports() {
    }

    /** Prints the comparison; exits 2 on bad arguments or unreadable files. */
    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: CompareReports NAME_A A.json NAME_B B.json");
            System.exit(2);
        }
        try {
            JsonNode a = JsonReport.mapper().readTree(Path.of(args[1]).toFile());
            JsonNode b = JsonReport.mapper().readTree(Path.of(args[3]).toFile());
            print(args[0], a, args[2], b, System.out);
        } catch (IOException e) {
            System.err.println("CompareReports: " + e.getMessage());
            System.exit(2);
        }
    }

    static void print(String nameA, JsonNode a, String nameB, JsonNode b, PrintStream out) {
        List<String[]> rows = List.of(
                new String[] {"requests/s (all)", "/requestsPerSecond", "higher"},
                new String[] {"GET req/s", "/get/requestsPerSecond", "higher"},
                new String[] {"POST req/s", "/post/requestsPerSecond", "higher"},
                new String[] {"GET p50 (us)", "/get/latencyMicros/p50", "lower"},
                new String[] {"GET p99 (us)", "/get/latencyMicros/p99", "lower"},
                new String[] {"POST p99 (us)", "/post/latencyMicros/p99", "lower"},
                new String[] {"GET max (us)", "/get/latencyMicros/max", "lower"},
                new String[] {"errors (GET+POST)", null, "lower"});
        List<List<String>> table = new java.util.ArrayList<>();
        for (String[] row : rows) {
            double x = row[1] == null ? errors(a) : a.at(row[1]).asDouble();
            double y = row[1] == null ? errors(b) : b.at(row[1]).asDouble();
            String ratio = y == 0 ? (x == 0 ? "1.00" : "inf") : String.format(Locale.ROOT, "%.2f", x / y);
            table.add(List.of(row[0] + " (" + row[2] + " is better)", number(x), number(y), ratio));
        }
        TextReport.table(out, List.of("figure", nameA, nameB, nameA + " / " + nameB), table);
        out.printf(Locale.ROOT, "RATIO req/s %s/%s = %.3f ; GET p99 %s/%s = %.3f%n", nameA, nameB,
                ratio(a.at("/requestsPerSecond").asDouble(), b.at("/requestsPerSecond").asDouble()), nameA, nameB,
                ratio(a.at("/get/latencyMicros/p99").asDouble(), b.at("/get/latencyMicros/p99").asDouble()));
    }

    private static double errors(JsonNode report) {
        return report.at("/get/errors").asDouble() + report.at("/post/errors").asDouble();
    }

    private static double ratio(double x, double y) {
        return y == 0 ? Double.NaN : x / y;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
    }
}
