package dev.kvcache.bench.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Every figure of one run, as written to {@code --json} and rendered as text and HTML.
 *
 * <p>Latencies are in microseconds. Counts in {@link Figures} other than {@code sent}, {@code errors},
 * {@code timeouts}, {@code drained} and {@code abandoned} cover answers whose last byte arrived inside
 * the measured window; {@code sent = answered + errors + abandoned} holds for the whole run.
 *
 * @param tool the generator's name
 * @param startedAt the wall-clock start, ISO-8601
 * @param elapsedSeconds wall-clock time of the whole run, connect, warm-up and drain included
 * @param settings the run's settings
 * @param get figures for GETs
 * @param post figures for POSTs
 * @param requestsPerSecond all answers in the window divided by its length
 * @param connections connection-level events
 * @param generator what the generator's own selector threads cost
 */
record LoadReport(
        String tool,
        String startedAt,
        double elapsedSeconds,
        Settings settings,
        Figures get,
        Figures post,
        double requestsPerSecond,
        Connections connections,
        Generator generator) {

    /** The run's settings, as given or derived. */
    record Settings(String uri, int connections, int pipelining, int durationSeconds, int warmupSeconds,
                    long timeoutMillis, long keyRange, double readRatio, double postProbability, long seed,
                    int threads, String javaVersion) {
    }

    /**
     * Figures for one kind of request.
     *
     * @param misses answers 404 to a GET: the key was absent; not an error and not counted in non2xx
     * @param answered all answers, warm-up and drain included
     * @param measured answers inside the window: {@code ok2xx + misses + non2xx}
     * @param drained answers after the window closed, to requests sent before
     * @param abandoned requests still unanswered when the drain period ended
     * @param bytes response bytes on the wire (status line, headers, body) inside the window
     * @param requestsEachSecond answers in each second of the window
     * @param requestsPer100ms answers in each tenth of a second of the window
     */
    record Figures(String name, long sent, long answered, long measured, long ok2xx, long misses, long non2xx,
                   long errors, long timeouts, long drained, long abandoned, long bytes,
                   double requestsPerSecond, double bytesPerSecond, Latency latencyMicros,
                   Samples requestsPerSecondSamples, Samples bytesPerSecondSamples,
                   long[] requestsEachSecond, long[] bytesEachSecond, long[] requestsPer100ms) {
    }

    /** A latency distribution in microseconds; all zero when nothing was answered. */
    record Latency(long count, long min, long p2_5, long p50, long p90, long p97_5, long p99, long p99_9,
                   long p99_99, long max, double mean, double stdev, List<Point> distribution) {
    }

    /** One point of the latency distribution: {@code percentile} % of answers took at most {@code micros}. */
    record Point(double percentile, long micros) {
    }

    /** Statistics of per-second samples, as the seed's tool printed them. */
    record Samples(long p1, long p2_5, long p50, long p97_5, double mean, double stdev, long min, long max) {
    }

    /**
     * Connection-level events.
     *
     * @param opened successful connects, reconnects included
     * @param connectErrors refused or timed-out connects
     * @param connectionErrors open connections lost (reset, closed with requests in flight, bad answer, timeout)
     * @param errorSamples the first few distinct error messages
     */
    record Connections(long opened, long connectErrors, long connectionErrors, List<String> errorSamples) {
    }

    /**
     * The generator's own cost, over the whole run, for judging whether it, rather than the server,
     * limited the figures. Per-request values divide by all answers; -1 where the JVM cannot measure
     * or nothing was answered.
     *
     * @param cpuMillis CPU time of the selector threads
     * @param allocatedBytes heap allocated by the selector threads
     * @param windowProcessCpuMicrosPerRequest CPU time of the whole JVM (selector threads, compiler, collector)
     *     during the measured window, per answer measured: the figure to set against another load tool's
     *     process CPU; -1 where the JVM cannot tell or nothing was measured
     */
    record Generator(long cpuMillis, double cpuMicrosPerRequest, long allocatedBytes,
                     double allocatedBytesPerRequest, double windowProcessCpuMicrosPerRequest) {
    }

    static Figures figures(String name, OpRecorder recorder, int durationSeconds) {
        long[] perSecond = perSecond(recorder.answersPerBucket, durationSeconds);
        long[] bytesPerSecond = perSecond(recorder.bytesPerBucket, durationSeconds);
        return new Figures(name, recorder.sent, recorder.answered(), recorder.measured, recorder.ok2xx,
                recorder.misses, recorder.non2xx, recorder.errors, recorder.timeouts, recorder.drained,
                recorder.abandoned, recorder.bytes, (double) recorder.measured / durationSeconds,
                (double) recorder.bytes / durationSeconds, latency(recorder.latencyMicros), samples(perSecond),
                samples(bytesPerSecond), perSecond, bytesPerSecond, recorder.answersPerBucket.clone());
    }

    static Latency latency(Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return new Latency(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of());
        }
        List<Point> points = new ArrayList<>();
        for (HistogramIterationValue value : histogram.percentiles(4)) {
            points.add(new Point(value.getPercentileLevelIteratedTo(), value.getValueIteratedTo()));
        }
        return new Latency(histogram.getTotalCount(), histogram.getMinValue(),
                histogram.getValueAtPercentile(2.5), histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(97.5),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
                histogram.getValueAtPercentile(99.99), histogram.getMaxValue(), histogram.getMean(),
                histogram.getStdDeviation(), points);
    }

    /** Percentiles as the seed read them from its histogram: the smallest sample with p % at or below it. */
    static Samples samples(long[] values) {
        if (values.length == 0) {
            return new Samples(0, 0, 0, 0, 0, 0, 0, 0);
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (long value : sorted) {
            sum += value;
        }
        double mean = sum / sorted.length;
        double squares = 0;
        for (long value : sorted) {
            squares += (value - mean) * (value - mean);
        }
        return new Samples(percentile(sorted, 1), percentile(sorted, 2.5), percentile(sorted, 50),
                percentile(sorted, 97.5), mean, Math.sqrt(squares / sorted.length), sorted[0],
                sorted[sorted.length - 1]);
    }

    static long percentile(long[] sorted, double percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static long[] perSecond(long[] buckets, int seconds) {
        long[] result = new long[seconds];
        int perSecond = (int) (1_000_000_000L / OpRecorder.BUCKET_NANOS);
        for (int i = 0; i < buckets.length; i++) {
            result[Math.min(seconds - 1, i / perSecond)] += buckets[i];
        }
        return result;
    }
}
