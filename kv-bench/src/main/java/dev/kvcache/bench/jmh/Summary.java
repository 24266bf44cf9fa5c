package dev.kvcache.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the results of {@link CacheBenchmark} runs as Markdown tables: throughput per peer with the
 * ratios kvcache/ConcurrentHashMap and kvcache/Caffeine, allocation per operation (when run with
 * {@code -prof gc}), and the targets of the foundation issue, each marked met or missed.
 *
 * <p>Ratios are taken within one run, so they compare peers measured on the same machine under the
 * same background load; the absolute numbers are only meaningful for that machine.
 *
 * <pre>
 * java -cp kv-bench/target/benchmarks.jar dev.kvcache.bench.jmh.Summary kv-bench/target/jmh-t1.json ...
 * </pre>
 */
public final class Summary {
    private static final String CHM = "ConcurrentHashMap";
    private static final String CAFFEINE = "Caffeine";
    private static final String KVCACHE = "kvcache";

    /** Below this many bytes per op the allocation is the profiler's noise, not the cache's. */
    private static final double ZERO_ALLOCATION_BYTES = 0.1;

    /** One measured configuration: a benchmark method, a key distribution and a thread count. */
    private record Row(String benchmark, String distribution, int threads) {}

    /** One peer's figures in a row. */
    private record Score(double opsPerMicro, double error, double bytesPerOp) {}

    private Summary() {}

    /**
     * Reads JMH JSON result files and prints the tables to standard output.
     *
     * @param args the JSON files ({@code -rf json -rff FILE})
     * @throws IOException if a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Summary JMH_RESULT.json...");
            System.exit(2);
        }
        Map<Row, Map<String, Score>> rows = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String file : args) {
            for (JsonNode result : json.readTree(new File(file))) {
                String method = result.get("benchmark").asText();
                JsonNode params = result.get("params");
                Row row = new Row(method.substring(method.lastIndexOf('.') + 1),
                        params.get("distribution").asText(), result.get("threads").asInt());
                JsonNode primary = result.get("primaryMetric");
                JsonNode alloc = result.path("secondaryMetrics").path("gc.alloc.rate.norm");
                Score score = new Score(primary.get("score").asDouble(),
                        primary.get("scoreError").asDouble(),
                        alloc.isMissingNode() ? Double.NaN : alloc.get("score").asDouble());
                rows.computeIfAbsent(row, r -> new LinkedHashMap<>())
                        .put(params.get("peer").asText(), score);
            }
        }
        List<String> peers = new ArrayList<>();
        for (String peer : CacheAdapter.PEERS) {
            if (rows.values().stream().anyMatch(scores -> scores.containsKey(peer))) {
                peers.add(peer);
            }
        }
        printThroughput(rows, peers);
        printAllocation(rows, peers);
        printTargets(rows);
    }

    private static void printThroughput(Map<Row, Map<String, Score>> rows, List<String> peers) {
        System.out.println("Throughput, million operations per second (± 99.9 % confidence half-width):");
        System.out.println();
        StringBuilder header = new StringBuilder("| benchmark | keys | threads |");
        StringBuilder rule = new StringBuilder("|---|---|---:|");
        for (String peer : peers) {
            header.append(' ').append(peer).append(" |");
            rule.append("---:|");
        }
        header.append(" kvcache / CHM | kvcache / Caffeine |");
        rule.append("---:|---:|");
        System.out.println(header);
        System.out.println(rule);
        rows.forEach((row, scores) -> {
            StringBuilder line = new StringBuilder(prefix(row));
            for (String peer : peers) {
                Score score = scores.get(peer);
                if (score == null) {
                    line.append(" – |");
                } else if (Double.isFinite(score.error())) {
                    line.append(format(" %.1f ± %.1f |", score.opsPerMicro(), score.error()));
                } else {
                    // One measurement iteration: JMH has no error estimate.
                    line.append(format(" %.1f |", score.opsPerMicro()));
                }
            }
            line.append(' ').append(ratio(scores, KVCACHE, CHM)).append(" |");
            line.append(' ').append(ratio(scores, KVCACHE, CAFFEINE)).append(" |");
            System.out.println(line);
        });
        System.out.println();
    }

    private static void printAllocation(Map<Row, Map<String, Score>> rows, List<String> peers) {
        boolean profiled = rows.values().stream()
                .flatMap(scores -> scores.values().stream())
                .anyMatch(score -> !Double.isNaN(score.bytesPerOp()));
        if (!profiled) {
            System.out.println("(no allocation figures: run with -prof gc)");
            System.out.println();
            return;
        }
        System.out.println("Allocation, bytes per operation (-prof gc, gc.alloc.rate.norm):");
        System.out.println();
        StringBuilder header = new StringBuilder("| benchmark | keys | threads |");
        StringBuilder rule = new StringBuilder("|---|---|---:|");
        for (String peer : peers) {
            header.append(' ').append(peer).append(" |");
            rule.append("---:|");
        }
        System.out.println(header);
        System.out.println(rule);
        rows.forEach((row, scores) -> {
            StringBuilder line = new StringBuilder(prefix(row));
            for (String peer : peers) {
                Score score = scores.get(peer);
                line.append(score == null ? " – |" : format(" %.2f |", score.bytesPerOp()));
            }
            System.out.println(line);
        });
        System.out.println();
    }

    private static void printTargets(Map<Row, Map<String, Score>> rows) {
        System.out.println("Targets (kvcache against peers of the same run):");
        System.out.println();
        rows.forEach((row, scores) -> {
            switch (row.benchmark()) {
                case "getHit":
                    target(row, scores, CHM, 0.85);
                    target(row, scores, CAFFEINE, 1.2);
                    Score kvcache = scores.get(KVCACHE);
                    if (kvcache != null && !Double.isNaN(kvcache.bytesPerOp())) {
                        boolean met = kvcache.bytesPerOp() < ZERO_ALLOCATION_BYTES;
                        System.out.println(format("- %s: 0 B/op per hit: %.3f B/op, %s",
                                describe(row), kvcache.bytesPerOp(), met ? "met" : "MISSED"));
                    }
                    break;
                case "putWithTtl":
                    target(row, scores, CAFFEINE, 1.5);
                    break;
                default:
                    break;
            }
        });
        System.out.println();
    }

    private static void target(Row row, Map<String, Score> scores, String peer, double wanted) {
        Score ours = scores.get(KVCACHE);
        Score theirs = scores.get(peer);
        if (ours == null || theirs == null) {
            return;
        }
        double ratio = ours.opsPerMicro() / theirs.opsPerMicro();
        String verdict = ratio >= wanted ? "met"
                : format("MISSED by %.0f %%", 100 * (wanted - ratio) / wanted);
        System.out.println(format("- %s: kvcache / %s >= %.2f: %.2f, %s",
                describe(row), peer, wanted, ratio, verdict));
    }

    private static String prefix(Row row) {
        return format("| %s | %s | %d |", row.benchmark(), row.distribution(), row.threads());
    }

    private static String describe(Row row) {
        return format("%s %s %d thread%s", row.benchmark(), row.distribution(), row.threads(),
                row.threads() == 1 ? "" : "s");
    }

    private static String ratio(Map<String, Score> scores, String numerator, String denominator) {
        Score top = scores.get(numerator);
        Score bottom = scores.get(denominator);
        if (top == null || bottom == null) {
            return "–";
        }
        return format("%.2f", top.opsPerMicro() / bottom.opsPerMicro());
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
