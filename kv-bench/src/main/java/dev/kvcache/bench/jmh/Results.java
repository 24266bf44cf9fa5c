package dev.kvcache.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The results of {@link CacheBenchmark} runs read from JMH JSON files ({@code -rf json}), grouped by
 * configuration and peer, with each fork's figures kept apart. Files of jars older than the
 * {@code keys} and {@code size} parameters read as sequential keys and 1e6 entries, what those jars
 * measured, so before/after comparisons can be summarized too.
 */
final class Results {
    static final String CHM = "ConcurrentHashMap";
    static final String CHM_DEADLINE = "chm-deadline";
    static final String CAFFEINE = "Caffeine";
    static final String CACHE2K = "cache2k";
    static final String KVCACHE = "kvcache";

    /** The benchmark methods in the order the tables list them. */
    private static final List<String> BENCHMARK_ORDER =
            List.of("getHit", "getMiss", "putWithTtl", "overwrite", "mixGet80Put20");

    /** One measured configuration: everything but the peer. */
    record Row(String benchmark, String distribution, String keys, int size, int threads) {
        String describe() {
            return String.format(Locale.ROOT, "%s %s %s %s %d thread%s", benchmark, distribution, keys,
                    sizeLabel(size), threads, threads == 1 ? "" : "s");
        }

        /** The same configuration at another size. */
        Row withSize(int otherSize) {
            return new Row(benchmark, distribution, keys, otherSize, threads);
        }
    }

    /**
     * One peer's figures in a row: the score over all forks with JMH's 99.9 % half-width (NaN with a
     * single iteration), B/op (NaN without {@code -prof gc}), and per fork the mean of its measurement
     * iterations for each.
     */
    record Score(double opsPerMicro, double error, double bytesPerOp, double[] forkOpsPerMicro,
            double[] forkBytesPerOp) {}

    private static final Comparator<Row> ORDER = Comparator
            .comparingInt((Row row) -> benchmarkRank(row.benchmark()))
            .thenComparingInt(Row::threads)
            .thenComparing(Row::distribution)
            .thenComparing(Row::keys)
            .thenComparingInt(Row::size)
            .thenComparing(Row::benchmark);

    private final Map<Row, Map<String, Score>> rows = new TreeMap<>(ORDER);

    private Results() {}

    /**
     * Reads JMH JSON result files.
     *
     * @throws IOException if a file cannot be read or is not JMH JSON
     */
    static Results read(String... files) throws IOException {
        Results results = new Results();
        ObjectMapper json = new ObjectMapper();
        for (String file : files) {
            for (JsonNode result : json.readTree(new File(file))) {
                String method = result.get("benchmark").asText();
                if (!method.contains(".CacheBenchmark.")) {
                    continue;
                }
                JsonNode params = result.get("params");
                Row row = new Row(method.substring(method.lastIndexOf('.') + 1),
                        params.get("distribution").asText(), params.path("keys").asText("sequential"),
                        params.path("size").asInt(1_000_000), result.get("threads").asInt());
                JsonNode primary = result.get("primaryMetric");
                JsonNode alloc = result.path("secondaryMetrics").path("gc.alloc.rate.norm");
                Score score = new Score(primary.get("score").asDouble(),
                        primary.get("scoreError").asDouble(),
                        alloc.isMissingNode() ? Double.NaN : alloc.get("score").asDouble(),
                        forkMeans(primary), alloc.isMissingNode() ? new double[0] : forkMeans(alloc));
                results.rows.computeIfAbsent(row, r -> new TreeMap<>())
                        .put(params.get("peer").asText(), score);
            }
        }
        return results;
    }

    /** Every configuration, ordered by benchmark, threads, distribution, keys and size, with its peers. */
    Map<Row, Map<String, Score>> rows() {
        return rows;
    }

    /** The peers present in any row, in {@link CacheAdapter#PEERS} order. */
    List<String> peers() {
        List<String> peers = new ArrayList<>();
        for (String peer : CacheAdapter.PEERS) {
            if (rows.values().stream().anyMatch(scores -> scores.containsKey(peer))) {
                peers.add(peer);
            }
        }
        return peers;
    }

    /** True if any score carries allocation figures. */
    boolean profiled() {
        return rows.values().stream()
                .flatMap(scores -> scores.values().stream())
                .anyMatch(score -> !Double.isNaN(score.bytesPerOp()));
    }

    /** 1000 as 1e3, 1000000 as 1e6; other sizes as plain numbers. */
    static String sizeLabel(int size) {
        int exponent = 0;
        int rest = size;
        while (rest >= 10 && rest % 10 == 0) {
            rest /= 10;
            exponent++;
        }
        return rest == 1 && exponent >= 3 ? "1e" + exponent : String.format(Locale.ROOT, "%,d", size);
    }

    private static double[] forkMeans(JsonNode metric) {
        JsonNode forks = metric.path("rawData");
        double[] means = new double[forks.size()];
        for (int fork = 0; fork < means.length; fork++) {
            JsonNode iterations = forks.get(fork);
            double sum = 0;
            for (JsonNode iteration : iterations) {
                sum += iteration.asDouble();
            }
            means[fork] = iterations.size() == 0 ? Double.NaN : sum / iterations.size();
        }
        return means;
    }

    private static int benchmarkRank(String benchmark) {
        int rank = BENCHMARK_ORDER.indexOf(benchmark);
        return rank < 0 ? BENCHMARK_ORDER.size() : rank;
    }
}
