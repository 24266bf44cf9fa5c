package dev.kvcache.http;

import dev.kvcache.core.CacheStats;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request metrics, and their Prometheus text exposition (format 0.0.4) with the Go server's names:
 * {@code in_flight_requests} (gauge), {@code api_requests_total{code,method}} (counter, method in lower
 * case as Go's promhttp writes it), {@code request_duration_seconds} (histogram, fixed buckets) and
 * {@code cache_size} (gauge); plus cache counters ({@code cache_hits_total}, ...).
 *
 * <p>Recording a request costs a few {@link LongAdder} increments and allocates nothing: counters sit
 * in arrays indexed by method and by status; only a status outside {@link #CODES} goes to a map.
 * A request's duration runs from the start of {@code handle} to the completion of its response
 * (the callback of its last write, see {@link MeteredCallback}); for the small responses the handler
 * writes, that is when Jetty has taken the bytes, as Go's {@code InstrumentHandlerDuration} measures
 * to the handler's return.
 */
final class Metrics {
    private static final int[] CODES = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 412, 413, 414, 429, 431, 500, 503};

    /** Upper bounds of the duration buckets, in seconds; the same bounds in nanoseconds below. */
    private static final String[] BUCKET_LABELS = {
        "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
        "0.25", "0.5", "1", "2.5", "5", "10"};
    private static final long[] BUCKET_NANOS = new long[BUCKET_LABELS.length];
    /** By status (below 600), its index in {@link #CODES}, or -1: one load per request instead of a search. */
    private static final byte[] CODE_INDEX = new byte[600];

    static {
        for (int i = 0; i < BUCKET_LABELS.length; i++) {
            BUCKET_NANOS[i] = Math.round(Double.parseDouble(BUCKET_LABELS[i]) * 1e9);
        }
        java.util.Arrays.fill(CODE_INDEX, (byte) -1);
        for (int i = 0; i < CODES.length; i++) {
            CODE_INDEX[CODES[i]] = (byte) i;
        }
    }

    private final LongAdder inFlight = new LongAdder();
    private final LongAdder[] requests = adders(Method.ALL.length * CODES.length);
    private final Map<Long, LongAdder> otherRequests = new ConcurrentHashMap<>();
    /** Per bucket, not cumulative; the last slot counts durations above every bound. */
    private final LongAdder[] buckets = adders(BUCKET_NANOS.length + 1);
    private final LongAdder durationNanos = new LongAdder();
    private final java.util.List<ExtraMetrics> extras = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong outOfMemory = new java.util.concurrent.atomic.AtomicLong();

    /** Counts a write refused because the heap ran out; returns the count so far. */
    long outOfMemory() {
        return outOfMemory.incrementAndGet();
    }

    /**
     * Counts a request that a layer in front of the handler answered ({@link KvHandler#countRefused}):
     * in {@code api_requests_total} only, since it was never in flight here.
     */
    void refused(Method method, int status) {
        int code = codeIndex(status);
        if (code >= 0) {
            requests[method.ordinal() * CODES.length + code].increment();
        } else {
            otherRequests.computeIfAbsent((long) method.ordinal() << 32 | status, k -> new LongAdder()).increment();
        }
    }

    /** Families written after the handler's own; see {@link ExtraMetrics}. */
    void add(ExtraMetrics more) {
        extras.add(more);
    }

    void started() {
        inFlight.increment();
    }

    /**
     * Records a request whose response has been handed to Jetty.
     *
     * @param method the request's method
     * @param status the response status
     * @param startNanos {@link System#nanoTime()} when the request reached the handler
     */
    void finished(Method method, int status, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        inFlight.decrement();
        int code = codeIndex(status);
        if (code >= 0) {
            requests[method.ordinal() * CODES.length + code].increment();
        } else {
            otherRequests.computeIfAbsent((long) method.ordinal() << 32 | status, k -> new LongAdder()).increment();
        }
        int bucket = 0;
        while (bucket < BUCKET_NANOS.length && nanos > BUCKET_NANOS[bucket]) {
            bucket++;
        }
        buckets[bucket].increment();
        durationNanos.add(nanos);
    }

    /** Renders the exposition text. */
    byte[] render(long cacheSize, long payloadBytes, CacheStats stats) {
        StringBuilder out = new StringBuilder(2048);
        header(out, "in_flight_requests", "gauge",
                "A gauge of requests currently being served by the wrapped handler.");
        out.append("in_flight_requests ").append(inFlight.sum()).append('\n');

        header(out, "api_requests_total", "counter", "A counter for requests to the wrapped handler.");
        for (int method = 0; method < Method.ALL.length; method++) {
            for (int code = 0; code < CODES.length; code++) {
                long count = requests[method * CODES.length + code].sum();
                if (count > 0) {
                    requestLine(out, CODES[code], method, count);
                }
            }
        }
        otherRequests.forEach((k, v) -> requestLine(out, (int) (long) k, (int) (k >>> 32), v.sum()));

        header(out, "request_duration_seconds", "histogram", "A histogram of latencies for requests.");
        long cumulative = 0;
        for (int i = 0; i < BUCKET_LABELS.length; i++) {
            cumulative += buckets[i].sum();
            out.append("request_duration_seconds_bucket{le=\"").append(BUCKET_LABELS[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        cumulative += buckets[BUCKET_LABELS.length].sum();
        out.append("request_duration_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        out.append("request_duration_seconds_sum ").append(durationNanos.sum() / 1e9).append('\n');
        out.append("request_duration_seconds_count ").append(cumulative).append('\n');

        gauge(out, "cache_size",
                "Number of entries in the cache (expired ones are reclaimed within about 100 ms).", cacheSize);
        gauge(out, "cache_bytes", "Payload bytes (keys and values) held by the cache.", payloadBytes);
        counter(out, "cache_hits_total", "Reads that found a live value.", stats.hitCount());
        counter(out, "cache_misses_total", "Reads that found no live value.", stats.missCount());
        counter(out, "cache_puts_total", "Values stored.", stats.putCount());
        counter(out, "cache_evictions_total", "Entries evicted to stay within the size bounds.", stats.evictionCount());
        counter(out, "cache_expirations_total", "Entries removed because their TTL passed.", stats.expirationCount());
        counter(out, "out_of_memory_errors_total", "Writes answered 503 because the heap had no room for them.",
                outOfMemory.get());
        byte[] own = out.toString().getBytes(StandardCharsets.UTF_8);
        if (extras.isEmpty()) {
            return own;
        }
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(own.length * 4);
        all.writeBytes(own);
        for (ExtraMetrics more : extras) {
            try {
                more.writeTo(all);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return all.toByteArray();
    }

    private static void requestLine(StringBuilder out, int code, int method, long count) {
        out.append("api_requests_total{code=\"").append(code).append("\",method=\"")
                .append(Method.ALL[method].label).append("\"} ").append(count).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, "counter", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static int codeIndex(int status) {
        return status >= 0 && status < CODE_INDEX.length ? CODE_INDEX[status] : -1;
    }

    private static LongAdder[] adders(int count) {
        LongAdder[] adders = new LongAdder[count];
        for (int i = 0; i < count; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }
}
