package dev.kvcache.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints a run the way the seed's tool did: per kind, a latency table and a req/s and bytes/s table
 * sampled each second, then the counts. Latency is shown in milliseconds with microsecond precision
 * (the seed printed whole milliseconds); 404 answers to GETs are shown as misses.
 */
final class TextReport {

    private TextReport() {
    }

    static void print(LoadReport report, PrintStream out) {
        section(out, "Read/GET", report.get(), report.settings().durationSeconds());
        out.println();
        section(out, "Write/POST", report.post(), report.settings().durationSeconds());
        LoadReport.Connections connections = report.connections();
        out.println();
        out.printf("%d connections opened, %d connect errors, %d connections lost.%n", connections.opened(),
                connections.connectErrors(), connections.connectionErrors());
        for (String sample : connections.errorSamples()) {
            out.println("  error: " + sample);
        }
        LoadReport.Generator generator = report.generator();
        if (generator.cpuMicrosPerRequest() >= 0 && generator.allocatedBytesPerRequest() >= 0) {
            out.printf(Locale.ROOT, "kv-load itself: %d ms CPU in its selector threads, %.2f us CPU and %.1f bytes "
                            + "allocated per answer.%n", generator.cpuMillis(), generator.cpuMicrosPerRequest(),
                    generator.allocatedBytesPerRequest());
        }
        if (generator.windowProcessCpuMicrosPerRequest() >= 0) {
            out.printf(Locale.ROOT, "kv-load's whole JVM over the measured window: %.2f us CPU per answer.%n",
                    generator.windowProcessCpuMicrosPerRequest());
        }
        out.println("Done!");
    }

    /** One line with the headline figures, for scripts and logs. */
    static String summaryLine(LoadReport report) {
        LoadReport.Figures get = report.get();
        LoadReport.Figures post = report.post();
        long measured = get.measured() + post.measured();
        return String.format(Locale.ROOT,
                "SUMMARY req/s=%.1f get/s=%.1f post/s=%.1f post_share=%.4f get_p50_us=%d get_p99_us=%d "
                        + "post_p50_us=%d post_p99_us=%d misses=%d non2xx=%d errors=%d timeouts=%d abandoned=%d "
                        + "connect_errors=%d connections_lost=%d gen_cpu_us_per_req=%.2f gen_alloc_bytes_per_req=%.1f "
                        + "gen_window_process_cpu_us_per_req=%.2f",
                report.requestsPerSecond(), get.requestsPerSecond(), post.requestsPerSecond(),
                measured == 0 ? 0.0 : (double) post.measured() / measured, get.latencyMicros().p50(),
                get.latencyMicros().p99(), post.latencyMicros().p50(), post.latencyMicros().p99(), get.misses(),
                get.non2xx() + post.non2xx(), get.errors() + post.errors(), get.timeouts() + post.timeouts(),
                get.abandoned() + post.abandoned(), report.connections().connectErrors(),
                report.connections().connectionErrors(), report.generator().cpuMicrosPerRequest(),
                report.generator().allocatedBytesPerRequest(), report.generator().windowProcessCpuMicrosPerRequest());
    }

    private static void section(PrintStream out, String title, LoadReport.Figures figures, int seconds) {
        out.println();
        out.println("---------- " + title + " ----------");
        out.println();
        LoadReport.Latency latency = figures.latencyMicros();
        table(out, List.of("Stat", "2.5%", "50%", "97.5%", "99%", "Avg", "Stdev", "Max"),
                List.of(List.of("Latency", millis(latency.p2_5()), millis(latency.p50()), millis(latency.p97_5()),
                        millis(latency.p99()), millis(latency.mean()), millis(latency.stdev()),
                        millis(latency.max()))));
        out.println();
        LoadReport.Samples requests = figures.requestsPerSecondSamples();
        LoadReport.Samples bytes = figures.bytesPerSecondSamples();
        table(out, List.of("Stat", "1%", "2.5%", "50%", "97.5%", "Avg", "Stdev", "Min"),
                List.of(List.of("Req/Sec", Long.toString(requests.p1()), Long.toString(requests.p2_5()),
                                Long.toString(requests.p50()), Long.toString(requests.p97_5()),
                                String.format(Locale.ROOT, "%.2f", requests.mean()),
                                String.format(Locale.ROOT, "%.2f", requests.stdev()), Long.toString(requests.min())),
                        List.of("Bytes/Sec", bytes(bytes.p1()), bytes(bytes.p2_5()), bytes(bytes.p50()),
                                bytes(bytes.p97_5()), bytes((long) bytes.mean()), bytes((long) bytes.stdev()),
                                bytes(bytes.min()))));
        out.println();
        out.println("Req/Bytes counts sampled once per second.");
        out.println();
        out.printf("%d 2xx responses, %d non 2xx responses", figures.ok2xx(), figures.non2xx());
        out.printf(figures.name().equals("GET") ? ", %d misses (404, not errors).%n" : ".%n", figures.misses());
        out.printf("%s total requests in %d seconds, %s read for %s.%n", bigNumber(figures.measured()), seconds,
                bytes(figures.bytes()), figures.name());
        out.printf(Locale.ROOT, "%d answered in the window (%.1f req/s); %d sent in all, %d answered in all, "
                        + "%d drained after the window, %d abandoned.%n", figures.measured(),
                figures.requestsPerSecond(), figures.sent(), figures.answered(), figures.drained(),
                figures.abandoned());
        if (figures.errors() > 0) {
            out.printf("%s total errors (%s timeouts).%n", bigNumber(figures.errors()),
                    bigNumber(figures.timeouts()));
        }
    }

    /** An ASCII table like the seed's tablewriter: upper-case centred headers, separators between rows. */
    static void table(PrintStream out, List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header.stream().map(h -> h.toUpperCase(Locale.ROOT)).toList());
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder separator = new StringBuilder("+");
        for (int width : widths) {
            separator.append("-".repeat(width + 2)).append('+');
        }
        out.println(separator);
        for (int r = 0; r < all.size(); r++) {
            StringBuilder line = new StringBuilder("|");
            List<String> row = all.get(r);
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                int pad = widths[i] - cell.length();
                int left = r == 0 ? pad / 2 : 0;
                line.append(' ').append(" ".repeat(left)).append(cell).append(" ".repeat(pad - left)).append(" |");
            }
            out.println(line);
            out.println(separator);
        }
    }

    static String millis(double micros) {
        return String.format(Locale.ROOT, "%.3f ms", micros / 1000.0);
    }

    /** Sizes as go-humanize's {@code Bytes} wrote them: SI units, one decimal below ten. */
    static String bytes(long count) {
        if (count < 10) {
            return count + " B";
        }
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
        int exponent = (int) Math.floor(Math.log(count) / Math.log(1000));
        exponent = Math.min(exponent, units.length - 1);
        double value = Math.floor(count / Math.pow(1000, exponent) * 10 + 0.5) / 10;
        return String.format(Locale.ROOT, value < 10 ? "%.1f %s" : "%.0f %s", value, units[exponent]);
    }

    /** Counts as the seed wrote them: exact below a thousand, else rounded thousands with a k. */
    static String bigNumber(long count) {
        return count < 1000 ? Long.toString(count) : Math.round(count / 1000.0) + "k";
    }
}
