package dev.kvcache.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a run as one self-contained HTML page: headline figures, requests/s over time and latency by
 * percentile, drawn as inline SVG. No scripts, fonts or other files are referenced, so the page can be
 * mailed or attached to an issue as it is.
 */
final class HtmlReport {

    private static final int WIDTH = 760;
    private static final int HEIGHT = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 40;
    private static final int TOP = 20;
    private static final int BOTTOM = 45;
    /** The latency chart stops at 99.999 %: log10(1 / (1 - 0.99999)). */
    private static final double MAX_NINES = 5;

    private static final String GET_COLOUR = "#1f77b4";
    private static final String POST_COLOUR = "#d62728";
    private static final String TOTAL_COLOUR = "#555555";

    private HtmlReport() {
    }

    /** One line of a chart, in data coordinates. */
    private record Series(String name, String colour, double[] xs, double[] ys) {
    }

    static void write(LoadReport report, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(report), StandardCharsets.UTF_8);
    }

    static String render(LoadReport report) {
        LoadReport.Settings settings = report.settings();
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>kv-load: ")
                .append(escape(settings.uri())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:960px}\n")
                .append("table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}\n")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}\n")
                .append("th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}\n")
                .append("svg text{font-family:sans-serif;font-size:11px;fill:#333}\n")
                .append(".bad{color:#b00;font-weight:bold}\n</style></head><body>\n");
        html.append("<h1>kv-load report</h1>\n<p>").append(escape(settings.uri())).append(" &middot; ")
                .append(settings.connections()).append(" connections &times; ").append(settings.pipelining())
                .append(" pipelined &middot; ").append(settings.durationSeconds()).append(" s measured");
        if (settings.warmupSeconds() > 0) {
            html.append(" after ").append(settings.warmupSeconds()).append(" s warm-up");
        }
        html.append(" &middot; keys in [0, ").append(settings.keyRange()).append(") &middot; read ratio ")
                .append(settings.readRatio()).append(" &middot; seed ").append(settings.seed())
                .append(" &middot; started ").append(escape(report.startedAt())).append("</p>\n");
        html.append(String.format(Locale.ROOT, "<p><b>%.0f requests/s</b> in all.</p>%n",
                report.requestsPerSecond()));

        summaryTable(html, report);
        html.append("<h2>Requests per second over time</h2>\n");
        html.append("<p>Answers counted per 0.1 s and scaled to a rate.</p>\n");
        html.append(throughputChart(report));
        html.append("<h2>Latency by percentile</h2>\n");
        html.append("<p>From the write of a request's last byte to the parse of its answer's last byte. ")
                .append("The x axis spreads the tail: each step is one more nine.</p>\n");
        html.append(latencyChart(report));
        LoadReport.Connections connections = report.connections();
        html.append("<h2>Connections</h2>\n<p>").append(connections.opened()).append(" opened, ")
                .append(connections.connectErrors()).append(" connect errors, ")
                .append(connections.connectionErrors()).append(" lost.</p>\n");
        if (!connections.errorSamples().isEmpty()) {
            html.append("<ul>\n");
            for (String sample : connections.errorSamples()) {
                html.append("<li class=\"bad\">").append(escape(sample)).append("</li>\n");
            }
            html.append("</ul>\n");
        }
        LoadReport.Generator generator = report.generator();
        if (generator.cpuMicrosPerRequest() >= 0 && generator.allocatedBytesPerRequest() >= 0) {
            html.append(String.format(Locale.ROOT, "<p>The generator's selector threads used %d ms of CPU: "
                            + "%.2f &micro;s and %.1f bytes allocated per answer.</p>%n", generator.cpuMillis(),
                    generator.cpuMicrosPerRequest(), generator.allocatedBytesPerRequest()));
        }
        html.append("<p><small>").append(escape(report.tool())).append(", Java ")
                .append(escape(settings.javaVersion())).append(", ").append(settings.threads())
                .append(" selector thread(s).</small></p>\n</body></html>\n");
        return html.toString();
    }

    private static void summaryTable(StringBuilder html, LoadReport report) {
        html.append("<table>\n<tr><th></th><th>req/s</th><th>p2.5</th><th>p50</th><th>p97.5</th><th>p99</th>")
                .append("<th>p99.9</th><th>max</th><th>2xx</th><th>404 misses</th><th>other non-2xx</th>")
                .append("<th>errors</th><th>timeouts</th></tr>\n");
        for (LoadReport.Figures figures : List.of(report.get(), report.post())) {
            LoadReport.Latency latency = figures.latencyMicros();
            html.append("<tr><td>").append(figures.name()).append("</td>")
                    .append(cell(String.format(Locale.ROOT, "%.0f", figures.requestsPerSecond())))
                    .append(cell(TextReport.millis(latency.p2_5()))).append(cell(TextReport.millis(latency.p50())))
                    .append(cell(TextReport.millis(latency.p97_5()))).append(cell(TextReport.millis(latency.p99())))
                    .append(cell(TextReport.millis(latency.p99_9()))).append(cell(TextReport.millis(latency.max())))
                    .append(cell(Long.toString(figures.ok2xx()))).append(cell(Long.toString(figures.misses())))
                    .append(cell(Long.toString(figures.non2xx())));
            String errorClass = figures.errors() > 0 ? " class=\"bad\"" : "";
            html.append("<td").append(errorClass).append('>').append(figures.errors()).append("</td>")
                    .append(cell(Long.toString(figures.timeouts()))).append("</tr>\n");
        }
        html.append("</table>\n");
    }

    private static String cell(String text) {
        return "<td>" + escape(text) + "</td>";
    }

    private static String throughputChart(LoadReport report) {
        long[] get = report.get().requestsPer100ms();
        long[] post = report.post().requestsPer100ms();
        int n = get.length;
        double[] xs = new double[n];
        double[] getRate = new double[n];
        double[] postRate = new double[n];
        double[] total = new double[n];
        double scale = 1e9 / OpRecorder.BUCKET_NANOS;
        for (int i = 0; i < n; i++) {
            xs[i] = (i + 0.5) / scale;
            getRate[i] = get[i] * scale;
            postRate[i] = post[i] * scale;
            total[i] = getRate[i] + postRate[i];
        }
        double yMax = niceCeiling(max(total));
        List<double[]> xTicks = new ArrayList<>();
        int seconds = report.settings().durationSeconds();
        int step = Math.max(1, seconds / 10);
        for (int s = 0; s <= seconds; s += step) {
            xTicks.add(new double[] {s});
        }
        return chart(List.of(new Series("all", TOTAL_COLOUR, xs, total), new Series("GET", GET_COLOUR, xs, getRate),
                        new Series("POST", POST_COLOUR, xs, postRate)),
                seconds, xTicks, List.of(), "seconds into the window", 0, yMax, false, "requests/s");
    }

    private static String latencyChart(LoadReport report) {
        List<Series> series = new ArrayList<>();
        double yMax = 0;
        double yMin = Double.MAX_VALUE;
        for (LoadReport.Figures figures : List.of(report.get(), report.post())) {
            List<LoadReport.Point> points = figures.latencyMicros().distribution();
            double[] xs = new double[points.size()];
            double[] ys = new double[points.size()];
            int count = 0;
            for (LoadReport.Point point : points) {
                double fraction = point.percentile() / 100.0;
                double nines = fraction >= 1 ? MAX_NINES : Math.min(MAX_NINES, -Math.log10(1 - fraction));
                xs[count] = nines;
                // A latency of 0 us (sub-microsecond) is drawn at 1 us, the floor of the log axis.
                ys[count] = Math.max(1, point.micros()) / 1000.0;
                yMax = Math.max(yMax, ys[count]);
                yMin = Math.min(yMin, ys[count]);
                count++;
            }
            series.add(new Series(figures.name(), figures.name().equals("GET") ? GET_COLOUR : POST_COLOUR, xs, ys));
        }
        List<double[]> xTicks = new ArrayList<>();
        List<String> labels = List.of("0%", "90%", "99%", "99.9%", "99.99%", "99.999%");
        for (int i = 0; i <= MAX_NINES; i++) {
            xTicks.add(new double[] {i});
        }
        double lowDecade = yMin == Double.MAX_VALUE ? 0.01 : Math.pow(10, Math.floor(Math.log10(yMin)));
        double highDecade = Math.pow(10, Math.ceil(Math.log10(Math.max(yMax, lowDecade * 10))));
        return chart(series, MAX_NINES, xTicks, labels, "percentile", lowDecade, highDecade, true,
                "latency (ms, log scale)");
    }

    /**
     * Draws lines over a grid. With {@code logY}, {@code yMin} and {@code yMax} are powers of ten and
     * the y axis has one grid line per decade; otherwise y runs linearly from 0 to {@code yMax}.
     */
    private static String chart(List<Series> series, double xMax, List<double[]> xTicks, List<String> xLabels,
                                String xTitle, double yMin, double yMax, boolean logY, String yTitle) {
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        double bottom = logY ? Math.log10(yMin) : 0;
        double top = logY ? Math.log10(yMax) : (yMax > 0 ? yMax : 1);
        double span = top > bottom ? top - bottom : 1;
        double safeXMax = xMax > 0 ? xMax : 1;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#999\"/>%n",
                LEFT, TOP, plotWidth, plotHeight));
        int gridLines = logY ? (int) Math.round(span) : 4;
        for (int i = 0; i <= gridLines; i++) {
            double position = bottom + span * i / gridLines;
            double value = logY ? Math.pow(10, position) : position;
            double y = TOP + plotHeight - plotHeight * i / gridLines;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT, LEFT + plotWidth, y, y, LEFT - 6, y + 4, axisNumber(value)));
        }
        for (int i = 0; i < xTicks.size(); i++) {
            double value = xTicks.get(i)[0];
            double x = LEFT + plotWidth * value / safeXMax;
            String label = i < xLabels.size() ? xLabels.get(i) : axisNumber(value);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                    x, x, TOP, TOP + plotHeight, x, TOP + plotHeight + 15, escape(label)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotWidth / 2, HEIGHT - 8, escape(xTitle)));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">%s</text>%n",
                TOP + plotHeight / 2, TOP + plotHeight / 2, escape(yTitle)));
        int legendX = LEFT + 10;
        for (Series line : series) {
            if (line.xs().length == 0) {
                continue;
            }
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < line.xs().length; i++) {
                double x = LEFT + plotWidth * Math.min(line.xs()[i], safeXMax) / safeXMax;
                double value = logY ? Math.log10(line.ys()[i]) : line.ys()[i];
                double y = TOP + plotHeight - plotHeight * (Math.min(Math.max(value, bottom), top) - bottom) / span;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append("<polyline fill=\"none\" stroke-width=\"1.6\" stroke=\"").append(line.colour())
                    .append("\" points=\"").append(points.toString().trim()).append("\"/>\n");
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"3\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    legendX, TOP + 10, line.colour(), legendX + 18, TOP + 14, escape(line.name())));
            legendX += 70;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static double max(double[] values) {
        double max = 0;
        for (double value : values) {
            max = Math.max(max, value);
        }
        return max;
    }

    /** Rounds up to 1, 2 or 5 times a power of ten, so that axis ticks are round numbers. */
    static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 4, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String axisNumber(double value) {
        if (value >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", value / 1000);
        }
        if (value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return java.math.BigDecimal.valueOf(value).round(new java.math.MathContext(3)).stripTrailingZeros()
                .toPlainString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
