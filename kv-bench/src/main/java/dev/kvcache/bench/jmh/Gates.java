package dev.kvcache.bench.jmh;

import static dev.kvcache.bench.jmh.Summary.format;

import dev.kvcache.bench.jmh.Results.Row;
import dev.kvcache.bench.jmh.Results.Score;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.IntToDoubleFunction;

/**
 * Judges the speed targets of issue 9 on {@link CacheBenchmark} results, fork by fork, and prints them
 * as Markdown: for each gate row kvcache's ratio to ConcurrentHashMap, Caffeine and cache2k in every
 * fork, its B/op in every fork, and each target as met only if it holds in every fork.
 *
 * <p>Forks pair by index: kvcache's fork i is compared with each peer's fork i (JMH runs a peer's
 * forks back to back, so a pair is minutes apart at most, under the same background load). The
 * targets, at 1e6 entries unless stated:
 * <ul>
 *   <li>{@code getHit}: at least 0.85x ConcurrentHashMap and 3x Caffeine, ahead of cache2k, 0 B/op;
 *   <li>{@code putWithTtl}: at least 1.5x Caffeine, ahead of cache2k;
 *   <li>{@code overwrite}: 0 B/op;
 *   <li>{@code mixGet80Put20} on 2 threads: at least 0.5x ConcurrentHashMap, ahead of cache2k;
 *   <li>the size sweep of {@code getHit}: kvcache / ConcurrentHashMap at every size within ±15 % of
 *       its value at 1e6 in the same fork index.
 * </ul>
 * For the record, not judged: kvcache / {@code chm-deadline} and {@code chm-deadline} / ConcurrentHashMap
 * per fork, where {@code chm-deadline} ran (the floor of an expiring hit, see {@link CacheAdapter#create}).
 * With a single fork the verdicts are indicative only; the gate run ({@code GATES=yes kv-bench/jmh.sh})
 * uses 3 forks.
 *
 * <pre>
 * java -cp kv-bench/target/benchmarks.jar dev.kvcache.bench.jmh.Gates kv-bench/target/jmh/*.json
 * </pre>
 */
public final class Gates {
    /** Below this many bytes per op the allocation is the profiler's noise, not the cache's. */
    static final double ZERO_ALLOCATION_BYTES = 0.1;

    /** How far kvcache / ConcurrentHashMap may drift over the size sweep, relative to 1e6. */
    static final double SWEEP_TOLERANCE = 0.15;

    private final Map<Row, Map<String, Score>> rows;
    private int met;
    private int missed;

    private Gates(Map<Row, Map<String, Score>> rows) {
        this.rows = rows;
    }

    /**
     * Reads JMH JSON result files and prints the verdicts to standard output.
     *
     * @param args the JSON files ({@code -rf json -rff FILE})
     * @throws IOException if a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Gates JMH_RESULT.json...");
            System.exit(2);
        }
        Gates gates = new Gates(Results.read(args).rows());
        gates.printRows();
        gates.printSweep();
        System.out.println(format("Targets met in every fork: %d; missed in at least one: %d.",
                gates.met, gates.missed));
    }

    private void printRows() {
        System.out.println("Gates: kvcache / peer per fork (fork 1 / fork 2 / ...), B/op per fork, and"
                + " the targets (met only if met in every fork):");
        System.out.println();
        System.out.println("| benchmark | distribution | keys | size | threads | forks | kvcache / CHM |"
                + " kvcache / Caffeine | kvcache / cache2k | kvcache B/op | targets |"
                + " kvcache / chm-deadline (record) | chm-deadline / CHM (record) |");
        System.out.println("|---|---|---|---:|---:|---:|---|---|---|---|---|---|---|");
        rows.forEach((row, scores) -> {
            Score kvcache = scores.get(Results.KVCACHE);
            List<String> targets = targets(row, scores);
            if (kvcache == null || targets.isEmpty()) {
                return;
            }
            Score deadline = scores.get(Results.CHM_DEADLINE);
            Score chm = scores.get(Results.CHM);
            System.out.println(format("| %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s |",
                    row.benchmark(), row.distribution(), row.keys(), Results.sizeLabel(row.size()),
                    row.threads(), kvcache.forkOpsPerMicro().length,
                    perFork(kvcache, scores.get(Results.CHM)),
                    perFork(kvcache, scores.get(Results.CAFFEINE)),
                    perFork(kvcache, scores.get(Results.CACHE2K)),
                    bytesPerFork(kvcache), String.join("; ", targets), perFork(kvcache, deadline),
                    deadline == null || chm == null ? "–" : perFork(deadline, chm)));
        });
        System.out.println();
    }

    /** The verdicts of the targets that apply to {@code row}; empty if none does. */
    private List<String> targets(Row row, Map<String, Score> scores) {
        List<String> targets = new ArrayList<>();
        boolean atReference = row.size() == Summary.REFERENCE_SIZE;
        switch (row.benchmark()) {
            case "getHit":
                if (atReference) {
                    targets.add(ratioTarget(scores, Results.CHM, "CHM", 0.85));
                    targets.add(ratioTarget(scores, Results.CAFFEINE, "Caffeine", 3.0));
                    targets.add(aheadOf(scores));
                    targets.add(zeroAllocation(scores));
                }
                break;
            case "putWithTtl":
                if (atReference) {
                    targets.add(ratioTarget(scores, Results.CAFFEINE, "Caffeine", 1.5));
                    targets.add(aheadOf(scores));
                }
                break;
            case "overwrite":
                targets.add(zeroAllocation(scores));
                break;
            case "mixGet80Put20":
                if (atReference && row.threads() == 2) {
                    targets.add(ratioTarget(scores, Results.CHM, "CHM", 0.5));
                    targets.add(aheadOf(scores));
                }
                break;
            default:
                break;
        }
        targets.removeIf(String::isEmpty);
        return targets;
    }

    private String ratioTarget(Map<String, Score> scores, String peer, String shortName, double wanted) {
        Score ours = scores.get(Results.KVCACHE);
        Score theirs = scores.get(peer);
        if (theirs == null) {
            return "";
        }
        double worst = worst(forks(ours, theirs), fork -> ratio(ours, theirs, fork));
        return verdict(format(">= %.2fx %s", wanted, shortName), worst >= wanted,
                format("worst fork %.2f", worst));
    }

    private String aheadOf(Map<String, Score> scores) {
        Score ours = scores.get(Results.KVCACHE);
        Score theirs = scores.get(Results.CACHE2K);
        if (theirs == null) {
            return "";
        }
        double worst = worst(forks(ours, theirs), fork -> ratio(ours, theirs, fork));
        return verdict("ahead of cache2k", worst > 1, format("worst fork %.2f", worst));
    }

    private String zeroAllocation(Map<String, Score> scores) {
        Score ours = scores.get(Results.KVCACHE);
        double[] bytes = ours.forkBytesPerOp();
        if (bytes.length == 0) {
            return "0 B/op: no -prof gc figures";
        }
        double most = 0;
        for (double perOp : bytes) {
            most = Math.max(most, perOp);
        }
        return verdict("0 B/op", most < ZERO_ALLOCATION_BYTES, format("most %.3f B/op", most));
    }

    /** kvcache / ConcurrentHashMap at each size of each getHit sweep, relative to 1e6, per fork. */
    private void printSweep() {
        List<Row> swept = new ArrayList<>();
        for (Row row : rows.keySet()) {
            Row reference = row.withSize(Summary.REFERENCE_SIZE);
            if (row.benchmark().equals("getHit") && row.size() != Summary.REFERENCE_SIZE
                    && rows.containsKey(reference) && hasChmAndKvcache(rows.get(row))
                    && hasChmAndKvcache(rows.get(reference))) {
                swept.add(row);
            }
        }
        if (swept.isEmpty()) {
            return;
        }
        System.out.println(format("Size sweep: kvcache / CHM at each size divided by kvcache / CHM at %s,"
                + " per fork; target within ±%.0f %%:", Results.sizeLabel(Summary.REFERENCE_SIZE),
                100 * SWEEP_TOLERANCE));
        System.out.println();
        System.out.println("| benchmark | distribution | keys | size | threads | kvcache / CHM per fork |"
                + " relative to 1e6 per fork | target |");
        System.out.println("|---|---|---|---:|---:|---|---|---|");
        for (Row row : swept) {
            Map<String, Score> scores = rows.get(row);
            Map<String, Score> reference = rows.get(row.withSize(Summary.REFERENCE_SIZE));
            Score ours = scores.get(Results.KVCACHE);
            Score theirs = scores.get(Results.CHM);
            Score oursAtReference = reference.get(Results.KVCACHE);
            Score theirsAtReference = reference.get(Results.CHM);
            int forks = Math.min(forks(ours, theirs), forks(oursAtReference, theirsAtReference));
            StringJoiner relatives = new StringJoiner(" / ");
            double farthest = 0;
            for (int fork = 0; fork < forks; fork++) {
                double relative = ratio(ours, theirs, fork) / ratio(oursAtReference, theirsAtReference, fork);
                relatives.add(format("%.2f", relative));
                farthest = Math.max(farthest, Double.isNaN(relative) ? Double.POSITIVE_INFINITY
                        : Math.abs(relative - 1));
            }
            String target = verdict(format("within ±%.0f %%", 100 * SWEEP_TOLERANCE),
                    forks > 0 && farthest <= SWEEP_TOLERANCE, format("farthest %.0f %%", 100 * farthest));
            System.out.println(format("| %s | %s | %s | %s | %d | %s | %s | %s |", row.benchmark(),
                    row.distribution(), row.keys(), Results.sizeLabel(row.size()), row.threads(),
                    perFork(ours, theirs), relatives, target));
        }
        System.out.println();
    }

    private String verdict(String target, boolean holds, String detail) {
        if (holds) {
            met++;
        } else {
            missed++;
        }
        return format("%s: %s (%s)", target, holds ? "met" : "MISSED", detail);
    }

    private static boolean hasChmAndKvcache(Map<String, Score> scores) {
        return scores.containsKey(Results.CHM) && scores.containsKey(Results.KVCACHE);
    }

    private static String perFork(Score ours, Score theirs) {
        if (theirs == null) {
            return "–";
        }
        StringJoiner ratios = new StringJoiner(" / ");
        for (int fork = 0; fork < forks(ours, theirs); fork++) {
            ratios.add(format("%.2f", ratio(ours, theirs, fork)));
        }
        return ratios.toString();
    }

    private static String bytesPerFork(Score ours) {
        if (ours.forkBytesPerOp().length == 0) {
            return "–";
        }
        StringJoiner bytes = new StringJoiner(" / ");
        for (double perOp : ours.forkBytesPerOp()) {
            bytes.add(format("%.2f", perOp));
        }
        return bytes.toString();
    }

    /** The forks both scores have (a run cut short may leave one peer with fewer). */
    private static int forks(Score ours, Score theirs) {
        return Math.min(ours.forkOpsPerMicro().length, theirs.forkOpsPerMicro().length);
    }

    private static double ratio(Score ours, Score theirs, int fork) {
        return ours.forkOpsPerMicro()[fork] / theirs.forkOpsPerMicro()[fork];
    }

    /** The smallest value over the forks, NaN-safe: a missing figure counts as the worst. */
    private static double worst(int forks, IntToDoubleFunction value) {
        if (forks == 0) {
            return Double.NaN;
        }
        double worst = Double.POSITIVE_INFINITY;
        for (int fork = 0; fork < forks; fork++) {
            double v = value.applyAsDouble(fork);
            worst = Double.isNaN(v) ? Double.NEGATIVE_INFINITY : Math.min(worst, v);
        }
        return worst;
    }
}
