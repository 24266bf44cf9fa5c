package dev.kvcache.bench.jmh;

import dev.kvcache.bench.jmh.Results.Row;
import dev.kvcache.bench.jmh.Results.Score;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the results of {@link CacheBenchmark} runs as Markdown tables to paste into
 * docs/benchmarks.md: throughput per peer with the ratios of kvcache to ConcurrentHashMap, Caffeine and
 * cache2k (and to {@code chm-deadline}, the floor of an expiring hit, where it ran); allocation per operation (when run with {@code -prof gc}); and, for configurations measured
 * at several sizes, the size sweep with kvcache's ratio to ConcurrentHashMap relative to its ratio at
 * 1e6 entries. {@link Gates} judges the targets.
 *
 * <p>Ratios are taken within one run, so they compare peers measured on the same machine under the
 * same background load; the absolute numbers are only meaningful for that machine.
 *
 * <pre>
 * java -cp kv-bench/target/benchmarks.jar dev.kvcache.bench.jmh.Summary kv-bench/target/jmh/*.json
 * </pre>
 */
public final class Summary {
    /** The peers kvcache is compared with, and their short names in column headers. */
    private static final Map<String, String> RATIO_PEERS = new LinkedHashMap<>();

    static {
        RATIO_PEERS.put(Results.CHM, "CHM");
        RATIO_PEERS.put(Results.CAFFEINE, "Caffeine");
        RATIO_PEERS.put(Results.CACHE2K, "cache2k");
        RATIO_PEERS.put(Results.CHM_DEADLINE, "chm-deadline");
    }

    /** The size the sweep is normalized to: the size of the rest of the matrix and of the gates. */
    static final int REFERENCE_SIZE = 1_000_000;

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
        Results results = Results.read(args);
        if (results.rows().isEmpty()) {
            System.err.println("no CacheBenchmark results in " + String.join(" ", args));
            System.exit(1);
        }
        List<String> peers = results.peers();
        printThroughput(results.rows(), peers);
        if (results.profiled()) {
            printAllocation(results.rows(), peers);
        } else {
            System.out.println("(no allocation figures: run with -prof gc)");
            System.out.println();
        }
        printSizeSweep(results.rows(), peers);
    }

    private static void printThroughput(Map<Row, Map<String, Score>> rows, List<String> peers) {
        System.out.println("Throughput, million operations per second (± 99.9 % confidence half-width):");
        System.out.println();
        StringBuilder header = new StringBuilder("| benchmark | distribution | keys | size | threads |");
        StringBuilder rule = new StringBuilder("|---|---|---|---:|---:|");
        for (String peer : peers) {
            header.append(' ').append(peer).append(" |");
            rule.append("---:|");
        }
        for (String shortName : RATIO_PEERS.values()) {
            header.append(" kvcache / ").append(shortName).append(" |");
            rule.append("---:|");
        }
        System.out.println(header);
        System.out.println(rule);
        rows.forEach((row, scores) -> {
            StringBuilder line = new StringBuilder(prefix(row));
            for (String peer : peers) {
                line.append(' ').append(throughput(scores.get(peer))).append(" |");
            }
            for (String peer : RATIO_PEERS.keySet()) {
                line.append(' ').append(ratio(scores, peer)).append(" |");
            }
            System.out.println(line);
        });
        System.out.println();
    }

    private static void printAllocation(Map<Row, Map<String, Score>> rows, List<String> peers) {
        System.out.println("Allocation, bytes per operation (-prof gc, gc.alloc.rate.norm, all threads of"
                + " the benchmark JVM):");
        System.out.println();
        StringBuilder header = new StringBuilder("| benchmark | distribution | keys | size | threads |");
        StringBuilder rule = new StringBuilder("|---|---|---|---:|---:|");
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
                boolean measured = score != null && !Double.isNaN(score.bytesPerOp());
                line.append(measured ? format(" %.2f |", score.bytesPerOp()) : " – |");
            }
            System.out.println(line);
        });
        System.out.println();
    }

    /** For each configuration measured at more than one size: the scores by size. */
    private static void printSizeSweep(Map<Row, Map<String, Score>> rows, List<String> peers) {
        Map<Row, List<Row>> sweeps = new LinkedHashMap<>();
        for (Row row : rows.keySet()) {
            sweeps.computeIfAbsent(row.withSize(0), r -> new ArrayList<>()).add(row);
        }
        sweeps.values().removeIf(sizes -> sizes.size() < 2);
        if (sweeps.isEmpty()) {
            return;
        }
        // Only the peers swept: the variants measured at 1e6 alone would be empty columns.
        List<String> swept = new ArrayList<>(peers);
        swept.removeIf(peer -> sweeps.values().stream().flatMap(List::stream)
                .noneMatch(row -> row.size() != REFERENCE_SIZE && rows.get(row).containsKey(peer)));
        System.out.println("Size sweep, million operations per second; the last column is kvcache / CHM"
                + " divided by kvcache / CHM at " + Results.sizeLabel(REFERENCE_SIZE)
                + " of the same sweep:");
        System.out.println();
        StringBuilder header = new StringBuilder("| benchmark | distribution | keys | size | threads |");
        StringBuilder rule = new StringBuilder("|---|---|---|---:|---:|");
        for (String peer : swept) {
            header.append(' ').append(peer).append(" |");
            rule.append("---:|");
        }
        header.append(" kvcache / CHM | relative to ").append(Results.sizeLabel(REFERENCE_SIZE)).append(" |");
        rule.append("---:|---:|");
        System.out.println(header);
        System.out.println(rule);
        for (List<Row> sizes : sweeps.values()) {
            Map<String, Score> reference = rows.get(sizes.get(0).withSize(REFERENCE_SIZE));
            double referenceRatio = reference == null ? Double.NaN : ratioValue(reference, Results.CHM);
            for (Row row : sizes) {
                Map<String, Score> scores = rows.get(row);
                StringBuilder line = new StringBuilder(prefix(row));
                for (String peer : swept) {
                    Score score = scores.get(peer);
                    line.append(score == null ? " – |" : format(" %.2f |", score.opsPerMicro()));
                }
                double ratio = ratioValue(scores, Results.CHM);
                line.append(' ').append(ratio(scores, Results.CHM)).append(" |");
                double relative = ratio / referenceRatio;
                line.append(Double.isNaN(relative) ? " – |" : format(" %.2f |", relative));
                System.out.println(line);
            }
        }
        System.out.println();
    }

    private static String throughput(Score score) {
        if (score == null) {
            return "–";
        }
        if (Double.isFinite(score.error())) {
            return format("%.1f ± %.1f", score.opsPerMicro(), score.error());
        }
        // One measurement iteration: JMH has no error estimate.
        return format("%.1f", score.opsPerMicro());
    }

    private static String prefix(Row row) {
        return format("| %s | %s | %s | %s | %d |", row.benchmark(), row.distribution(), row.keys(),
                Results.sizeLabel(row.size()), row.threads());
    }

    private static String ratio(Map<String, Score> scores, String peer) {
        double ratio = ratioValue(scores, peer);
        return Double.isNaN(ratio) ? "–" : format("%.2f", ratio);
    }

    /** kvcache's throughput over {@code peer}'s, or NaN if either is missing. */
    static double ratioValue(Map<String, Score> scores, String peer) {
        Score ours = scores.get(Results.KVCACHE);
        Score theirs = scores.get(peer);
        if (ours == null || theirs == null) {
            return Double.NaN;
        }
        return ours.opsPerMicro() / theirs.opsPerMicro();
    }

    static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
