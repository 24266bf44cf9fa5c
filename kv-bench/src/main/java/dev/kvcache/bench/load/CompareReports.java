package dev.kvcache.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Prints {@code kv-load --json} reports of two servers side by side with the ratio of each figure
 * (A / B), for {@code compare.sh}. With several rounds, each figure is the median over the rounds, and
 * the requests/s ratio of every round is listed, so the spread is visible.
 *
 * <p>Usage: {@code CompareReports NAME_A NAME_B A1.json B1.json [A2.json B2.json ...]}.
 */
public final class CompareReports {

    private CompareReports() {
    }

    /** One compared figure: where it sits in a report and which direction is better. */
    private record Figure(String label, ToDoubleFunction<JsonNode> value, boolean higherIsBetter) {
    }

    private static final List<Figure> FIGURES = List.of(
            new Figure("requests/s (all)", at("/requestsPerSecond"), true),
            new Figure("GET req/s", at("/get/requestsPerSecond"), true),
            new Figure("POST req/s", at("/post/requestsPerSecond"), true),
            new Figure("GET p50 (us)", at("/get/latencyMicros/p50"), false),
            new Figure("GET p99 (us)", at("/get/latencyMicros/p99"), false),
            new Figure("POST p99 (us)", at("/post/latencyMicros/p99"), false),
            new Figure("GET max (us)", at("/get/latencyMicros/max"), false),
            new Figure("errors (GET+POST)",
                    report -> report.at("/get/errors").asDouble() + report.at("/post/errors").asDouble(), false));

    /** Prints the comparison; exits 2 on bad arguments or unreadable files. */
    public static void main(String[] args) {
        if (args.length < 4 || args.length % 2 != 0) {
            System.err.println("usage: CompareReports NAME_A NAME_B A1.json B1.json [A2.json B2.json ...]");
            System.exit(2);
        }
        try {
            List<JsonNode> a = new ArrayList<>();
            List<JsonNode> b = new ArrayList<>();
            for (int i = 2; i < args.length; i += 2) {
                a.add(JsonReport.mapper().readTree(Path.of(args[i]).toFile()));
                b.add(JsonReport.mapper().readTree(Path.of(args[i + 1]).toFile()));
            }
            print(args[0], a, args[1], b, System.out);
        } catch (IOException e) {
            System.err.println("CompareReports: " + e.getMessage());
            System.exit(2);
        }
    }

    static void print(String nameA, List<JsonNode> a, String nameB, List<JsonNode> b, PrintStream out) {
        List<List<String>> table = new ArrayList<>();
        for (Figure figure : FIGURES) {
            double x = median(a, figure.value());
            double y = median(b, figure.value());
            table.add(List.of(figure.label() + (figure.higherIsBetter() ? " (higher is better)" : " (lower is better)"),
                    number(x), number(y), ratioText(x, y)));
        }
        if (a.size() > 1) {
            out.println("Medians over " + a.size() + " rounds:");
        }
        TextReport.table(out, List.of("figure", nameA, nameB, nameA + " / " + nameB), table);
        StringBuilder rounds = new StringBuilder();
        for (int i = 0; i < a.size(); i++) {
            rounds.append(' ').append(ratioText(a.get(i).at("/requestsPerSecond").asDouble(),
                    b.get(i).at("/requestsPerSecond").asDouble()));
        }
        if (a.size() > 1) {
            out.println("req/s ratio of each round:" + rounds);
        }
        out.printf(Locale.ROOT, "RATIO req/s %s/%s = %.3f ; GET p99 %s/%s = %.3f%n", nameA, nameB,
                ratio(median(a, FIGURES.get(0).value()), median(b, FIGURES.get(0).value())), nameA, nameB,
                ratio(median(a, FIGURES.get(4).value()), median(b, FIGURES.get(4).value())));
    }

    static double median(List<JsonNode> reports, ToDoubleFunction<JsonNode> value) {
        double[] values = reports.stream().mapToDouble(value).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static ToDoubleFunction<JsonNode> at(String pointer) {
        return report -> report.at(pointer).asDouble();
    }

    private static double ratio(double x, double y) {
        return y == 0 ? Double.NaN : x / y;
    }

    private static String ratioText(double x, double y) {
        return y == 0 ? (x == 0 ? "1.00" : "inf") : String.format(Locale.ROOT, "%.2f", x / y);
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
    }
}
