package dev.kvcache.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kv-load}: drives the seed's key-value workload against an HTTP/1.1 server and reports GET and
 * POST separately.
 *
 * <p>Each of {@code --connections} connections keeps {@code --pipelining} requests in flight (real
 * HTTP/1.1 pipelining, answers matched in order, on non-blocking sockets). Each request slot sends
 * {@code GET /<key>} with a uniform key in {@code [0, --key-range)} and, after an answered GET, with
 * probability {@code (1 - r) / r} for {@code --read-ratio r}, a {@code POST /<key2>} whose body is the
 * GET's body plus one when that body is an integer, else {@code 1}. Latency runs from the write of a
 * request's last byte to the parse of its answer's last byte and is kept in microseconds.
 *
 * <p>The run is bounded: it stops after {@code --warmup + --duration} seconds plus at most two seconds
 * to drain answers in flight, counts refused connects, lost connections and timeouts instead of waiting
 * on them, and refuses non-loopback targets unless {@code --allow-remote} is given.
 *
 * <p>Exit status: 0 after a run with at least one answer, 3 after a run without any, 2 for bad options.
 * Run it with {@code java -jar kv-bench/target/kv-load.jar --uri http://127.0.0.1:8081 --help}.
 */
@Command(name = "kv-load", mixinStandardHelpOptions = true, sortOptions = false,
        description = "HTTP/1.1 load generator for the kvcache workload: 80 %% GET /<key>, 20 %% POST /<key>, "
                + "pipelined, reported separately.")
public final class KvLoad implements Callable<Integer> {

    @Option(names = "--uri", required = true, description = "Target, e.g. http://127.0.0.1:8081 (keys go under its path).")
    String uri;

    @Option(names = "--connections", defaultValue = "10", description = "Connections to open (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--pipelining", defaultValue = "1", description = "Requests in flight per connection (default: ${DEFAULT-VALUE}).")
    int pipelining;

    @Option(names = "--batch", description = "Send --pipelining requests at once on each connection, and the next"
            + " batch when all are answered, as wrk with ../shared/bench/seed-mix.lua does (default: refill each"
            + " slot as soon as its answer arrives). Each request is a POST with probability 1 - --read-ratio.")
    boolean batch;

    @Option(names = "--duration", defaultValue = "10", description = "Seconds measured (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--timeout", defaultValue = "10", description = "Seconds an answer or a connect may take (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--key-range", defaultValue = "1000000", description = "Keys are uniform in [0, N) (default: ${DEFAULT-VALUE}).")
    long keyRange;

    @Option(names = "--read-ratio", defaultValue = "0.8", description = "Share of GETs, in [0.5, 1] (default: ${DEFAULT-VALUE}).")
    double readRatio;

    @Option(names = "--warmup", defaultValue = "0", description = "Seconds of load before measuring, not counted (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--seed", description = "Seed of every random choice (default: from the clock).")
    Long seed;

    @Option(names = "--threads", defaultValue = "1", description = "Selector threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure as JSON to FILE.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write a self-contained HTML report to FILE.")
    Path html;

    @Option(names = "--allow-remote", description = "Allow a target that is not a loopback address.")
    boolean allowRemote;

    @Option(names = "--quiet", description = "Print only the one-line summary.")
    boolean quiet;

    /** Runs the command line; see the type's documentation. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new KvLoad()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        LoadConfig config;
        try {
            config = configure();
        } catch (IllegalArgumentException e) {
            System.err.println("kv-load: " + e.getMessage());
            return 2;
        }
        PrintStream out = System.out;
        out.printf("running %ds test @ %s%n", config.durationSeconds(), config.uri());
        out.printf("%d connections with %d pipelining factor.%n", config.connections(), config.pipelining());
        if (config.warmupSeconds() > 0) {
            out.printf("warming up for %ds first.%n", config.warmupSeconds());
        }
        LoadReport report = run(config);
        if (!quiet) {
            TextReport.print(report, out);
        }
        out.println(TextReport.summaryLine(report));
        if (json != null) {
            JsonReport.write(report, json);
            out.println("JSON written to " + json);
        }
        if (html != null) {
            HtmlReport.write(report, html);
            out.println("HTML written to " + html);
        }
        return report.get().measured() + report.post().measured() > 0 ? 0 : 3;
    }

    LoadConfig configure() {
        require(connections >= 1, "--connections must be at least 1: " + connections);
        require(pipelining >= 1 && pipelining <= 10_000, "--pipelining must be in [1, 10000]: " + pipelining);
        require(durationSeconds >= 1, "--duration must be at least 1 second: " + durationSeconds);
        require(warmupSeconds >= 0, "--warmup must not be negative: " + warmupSeconds);
        require(timeoutSeconds > 0, "--timeout must be positive: " + timeoutSeconds);
        require(keyRange >= 1, "--key-range must be at least 1: " + keyRange);
        require(readRatio >= 0.5 && readRatio <= 1, "--read-ratio must be in [0.5, 1]: " + readRatio);
        require(threads >= 1 && threads <= connections,
                "--threads must be in [1, connections]: " + threads);
        URI target;
        try {
            target = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad --uri: " + e.getMessage());
        }
        require("http".equalsIgnoreCase(target.getScheme()), "--uri must be http://host[:port][/path]: " + uri);
        require(target.getHost() != null, "--uri has no host: " + uri);
        require(target.getRawQuery() == null && target.getRawFragment() == null,
                "--uri must not have a query or fragment: " + uri);
        int port = target.getPort() == -1 ? 80 : target.getPort();
        InetAddress address;
        try {
            address = InetAddress.getByName(target.getHost());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host in --uri: " + target.getHost());
        }
        require(allowRemote || address.isLoopbackAddress(), "refusing " + address.getHostAddress()
                + ": not a loopback address (give --allow-remote to load another machine)");
        String path = target.getRawPath() == null ? "" : target.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String host = target.getHost();
        long seedValue = seed != null ? seed : System.nanoTime() ^ System.currentTimeMillis();
        return new LoadConfig(uri, new InetSocketAddress(address, port), host + ":" + port, path, connections,
                pipelining, durationSeconds, warmupSeconds, Math.max(1, Math.round(timeoutSeconds * 1000)),
                keyRange, readRatio, seedValue, threads, batch);
    }

    /**
     * Runs one load and returns its figures. Blocks for about {@code warmup + duration} seconds, plus at
     * most the drain period and a connect.
     */
    static LoadReport run(LoadConfig config) {
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        long windowStart = start + TimeUnit.SECONDS.toNanos(config.warmupSeconds());
        SplittableRandom random = new SplittableRandom(config.seed());
        List<LoadWorker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < config.threads(); i++) {
            int share = config.connections() / config.threads() + (i < config.connections() % config.threads() ? 1 : 0);
            LoadWorker worker = new LoadWorker(config, share, random.split(), windowStart);
            Thread thread = new Thread(worker, "kv-load-" + i);
            thread.setDaemon(true);
            workers.add(worker);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(config.durationSeconds());
        // The whole process over the window, compiler and collector included: a load tool's CPU on the
        // server's machine is what it takes from the server, and wrk's is measured per process.
        sleepUntil(windowStart);
        long processCpuAtWindowStart = processCpuNanos();
        sleepUntil(windowEnd);
        long windowProcessCpu = processCpuAtWindowStart < 0 ? -1 : processCpuNanos() - processCpuAtWindowStart;
        // Workers stop by themselves; this bound only guards against a bug leaving one stuck.
        long deadline = windowEnd
                + TimeUnit.MILLISECONDS.toNanos(config.drainMillis() + config.timeoutMillis()) + TimeUnit.SECONDS.toNanos(5);
        for (Thread thread : threads) {
            joinUntil(thread, deadline);
        }
        int buckets = (int) (TimeUnit.SECONDS.toNanos(config.durationSeconds()) / OpRecorder.BUCKET_NANOS);
        OpRecorder get = new OpRecorder(buckets);
        OpRecorder post = new OpRecorder(buckets);
        long opened = 0;
        long connectErrors = 0;
        long connectionErrors = 0;
        long cpuNanos = 0;
        long allocatedBytes = 0;
        List<String> samples = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            LoadWorker worker = workers.get(i);
            if (threads.get(i).isAlive()) {
                samples.add("worker " + i + " did not stop in time; its figures are left out");
                continue;
            }
            get.add(worker.get);
            post.add(worker.post);
            opened += worker.connects;
            connectErrors += worker.connectErrors;
            connectionErrors += worker.connectionErrors;
            cpuNanos = cpuNanos < 0 || worker.cpuNanos < 0 ? -1 : cpuNanos + worker.cpuNanos;
            allocatedBytes = allocatedBytes < 0 || worker.allocatedBytes < 0 ? -1 : allocatedBytes + worker.allocatedBytes;
            for (String sample : worker.errorSamples) {
                if (!samples.contains(sample)) {
                    samples.add(sample);
                }
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        LoadReport.Figures getFigures = LoadReport.figures("GET", get, config.durationSeconds());
        LoadReport.Figures postFigures = LoadReport.figures("POST", post, config.durationSeconds());
        LoadReport.Settings settings = new LoadReport.Settings(config.uri(), config.connections(),
                config.pipelining(), config.durationSeconds(), config.warmupSeconds(), config.timeoutMillis(),
                config.keyRange(), config.readRatio(), Workload.postProbability(config.readRatio()), config.seed(),
                config.threads(), Runtime.version().toString());
        return new LoadReport("kv-load", startedAt.toString(), elapsed, settings, getFigures, postFigures,
                (double) (get.measured + post.measured) / config.durationSeconds(),
                new LoadReport.Connections(opened, connectErrors, connectionErrors, samples),
                generator(cpuNanos, allocatedBytes, get.answered() + post.answered(), windowProcessCpu,
                        get.measured + post.measured));
    }

    static LoadReport.Generator generator(long cpuNanos, long allocatedBytes, long answers, long windowProcessCpuNanos,
            long measured) {
        return new LoadReport.Generator(cpuNanos < 0 ? -1 : cpuNanos / 1_000_000,
                cpuNanos < 0 || answers == 0 ? -1 : cpuNanos / 1e3 / answers, allocatedBytes,
                allocatedBytes < 0 || answers == 0 ? -1 : (double) allocatedBytes / answers,
                windowProcessCpuNanos < 0 || measured == 0 ? -1 : windowProcessCpuNanos / 1e3 / measured);
    }

    /** @return the CPU time of every thread of this JVM, or -1 where the JVM does not tell */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static void sleepUntil(long nanoTime) {
        try {
            long waitNanos;
            while ((waitNanos = nanoTime - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinUntil(Thread thread, long deadlineNanos) {
        try {
            long waitMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (waitMillis > 0) {
                thread.join(waitMillis);
            }
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
