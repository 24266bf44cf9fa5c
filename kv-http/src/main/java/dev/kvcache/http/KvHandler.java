package dev.kvcache.http;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.Graceful;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jetty 12 core {@link Handler} that serves a kvcache over HTTP: the Go "Simple HTTP KV server"
 * protocol and the namespaced, conditional, TTL-aware routes described in {@code docs/http.md}.
 * It serves a kv-core {@link KvCache} of {@link StoredValue}s: its own, built from
 * {@link KvHandlerOptions}, or one the application supplies and shares. Mount it as the server's
 * handler, or under a context path:
 *
 * <pre>{@code
 * server.setHandler(new ContextHandler(new KvHandler(KvHandlerOptions.defaults()), "/cache"));
 * }</pre>
 *
 * <h2>Routes and statuses</h2>
 * Paths are relative to the context.
 * <ul>
 *   <li>{@code /kv/{key}} (any key) and {@code /{key}} (first segment, not a reserved name):
 *       {@code GET}/{@code HEAD} 200, 304 ({@code If-None-Match}), 404 (absent or expired, empty body),
 *       412 ({@code If-Match}); {@code POST} 200 with the value echoed; {@code PUT} 204, or 201 when
 *       {@code If-None-Match: *} created it; {@code DELETE} 204 or 404; writes answer 412 when a
 *       precondition fails, 400 for an invalid TTL or unreadable body, 413 for a value over the limit,
 *       503 when the heap has no room for the value;
 *       414 for a key over the limit; 405 for other methods.
 *   <li>{@code /size} ({@code GET}, {@code HEAD}, {@code POST}): 200, the entry count in decimal.
 *   <li>{@code /metrics}: 200, Prometheus text. {@code /stats}: 200, JSON.
 *       {@code /health}: 200 {@code ok}; 503 {@code draining} once shutdown began, or 503
 *       {@code degraded: heap ...} while the heap after the last collection is 90 % full or more.
 *   <li>{@code /}, {@code /kv}, {@code /kv/}: 400 "Must provide a key in the path".
 * </ul>
 * A write's TTL comes from the {@code ttl} query parameter or the {@value #TTL_HEADER} header
 * (query first), in the forms {@code 1500}, {@code 1500ms}, {@code 10s}, {@code 1m}, {@code 2h}.
 *
 * <h2>Threading</h2>
 * The handler never blocks: cache operations are lock-free or briefly locked per key, and request
 * bodies are read with demand callbacks. Jetty may therefore run it on a selector thread. Each
 * request completes its callback exactly once.
 *
 * <h2>Expired entries</h2>
 * While it runs (between its start and stop as a Jetty component) the handler reclaims the expired
 * entries of the cache it serves, shared or its own, every 100 ms on one daemon thread of its own, so
 * that {@code /size} and the gauges of {@code /metrics} and {@code /stats} count an expired entry for at
 * most about 100 ms after its deadline, even when no request arrives (see {@code docs/http.md}).
 *
 * <h2>Shutdown</h2>
 * The handler is {@link Graceful}: when its server stops gracefully, {@code /health} answers 503 from
 * then on, while requests in flight (and those still arriving on open connections, until Jetty closes
 * them) are served.
 */
public final class KvHandler extends Handler.Abstract.NonBlocking implements Graceful {
    /** The request header that sets a write's TTL. */
    public static final String TTL_HEADER = "Kv-Ttl";

    private static final Logger LOG = LoggerFactory.getLogger(KvHandler.class);
    private static final String KEY_ALLOW = "GET, HEAD, POST, PUT, DELETE";

    private final KvHandlerOptions options;
    private final KeyStore store;
    private final Metrics metrics = new Metrics();
    private final HeapMonitor heap;
    private final long createdNanos = System.nanoTime();
    private volatile boolean draining;

    /**
     * Creates a handler and its empty cache, bounded and timed by {@code options}.
     *
     * @param options the TTL, limits and clock
     * @throws NullPointerException if {@code options} is null
     */
    public KvHandler(KvHandlerOptions options) {
        this(options, Reclaimer::daemonScheduler, HeapMonitor.platform());
    }

    /**
     * As {@link #KvHandler(KvHandlerOptions)}, reclaiming on executors from {@code reclaimers} and
     * reading the heap through {@code heap} (tests).
     */
    KvHandler(KvHandlerOptions options, java.util.function.Supplier<? extends ScheduledExecutorService> reclaimers,
            HeapMonitor heap) {
        this.options = java.util.Objects.requireNonNull(options, "options");
        this.store = new KeyStore(options);
        this.heap = heap;
        addBean(new Reclaimer(store.cache(), reclaimers), true);
    }

    /**
     * Creates a handler over a cache the application built, and may use itself at the same time
     * (values made with {@link StoredValue#of} are served like those written over HTTP). The cache's
     * own bounds, TTL and listener apply: an HTTP write without a TTL gets the cache's default TTL
     * ({@link dev.kvcache.core.Policy#timeToLive()}), and {@code /stats} reports the cache's TTL and
     * bound. From {@code options} the handler takes only the key and value size limits; their
     * {@code defaultTtl}, {@code maxEntries}, {@code maxBytes} and {@code ticker} do not apply.
     * {@code /stats} sums the payload bytes over the entries on each call, since the handler does not
     * see the cache's removals.
     *
     * <pre>{@code
     * KvCache<String, StoredValue> cache = KvCache.builder()
     *         .timeToLive(Duration.ofMinutes(5))
     *         .maximumSize(100_000)
     *         .build();
     * server.setHandler(new ContextHandler(new KvHandler(cache, KvHandlerOptions.defaults()), "/cache"));
     * }</pre>
     *
     * @param cache the cache to serve
     * @param options the key and value size limits
     * @throws NullPointerException if an argument is null
     */
    public KvHandler(KvCache<String, StoredValue> cache, KvHandlerOptions options) {
        this.options = java.util.Objects.requireNonNull(options, "options");
        this.store = new KeyStore(cache, options);
        this.heap = HeapMonitor.platform();
        addBean(new Reclaimer(cache, Reclaimer::daemonScheduler), true);
    }

    /** @return the options this handler was built with */
    public KvHandlerOptions options() {
        return options;
    }

    /**
     * Calls {@code action} with each live entry and its remaining TTL, as {@link KvCache#asMap()}
     * iterates them: weakly consistent, so writes during the walk may or may not be seen; an entry that
     * expires or is removed meanwhile is skipped. The standalone server writes snapshots with it.
     *
     * @param action called once per entry, on the calling thread
     * @throws NullPointerException if {@code action} is null
     */
    public void forEachEntry(java.util.function.Consumer<? super CacheEntry<String, StoredValue>> action) {
        java.util.Objects.requireNonNull(action, "action");
        store.forEachLive(action);
    }

    /**
     * Stores a value read back from a snapshot (see {@link StoredValue#restored}), keeping its version,
     * and makes the versions of later writes exceed it, so that no new ETag repeats a restored one.
     *
     * @param key the key
     * @param value the value
     * @param ttl the remaining time-to-live, positive, or {@link KvCache#NEVER}
     * @throws NullPointerException if an argument is null
     */
    public void restore(String key, StoredValue value, Duration ttl) {
        store.restore(java.util.Objects.requireNonNull(key, "key"), java.util.Objects.requireNonNull(value, "value"),
                java.util.Objects.requireNonNull(ttl, "ttl"));
    }

    /**
     * Counts in {@code /metrics} ({@code api_requests_total{code,method}}) a request that a layer in front
     * of this handler answered without passing it on: an authentication filter's 401, the server's error
     * handler for Jetty's own 400, 414, 431 and 505, a rate limiter's 429. Requests this handler answers
     * are counted already; do not count them again. Thread-safe, allocation-free for the statuses the
     * handler itself sends and for 401 and 431.
     *
     * @param method the request's method as sent ({@code GET}, ...); null or any other counts as {@code other}
     * @param status the status answered
     */
    public void countRefused(String method, int status) {
        metrics.refused(Metrics.methodIndex(method), status);
    }

    /**
     * Has {@code /metrics} serve {@code families} after the handler's own, on every scrape from now on.
     * The standalone server adds the JVM and process metrics this way; see {@link ExtraMetrics} for
     * what they may contain.
     *
     * @param families the families to add
     * @throws NullPointerException if {@code families} is null
     */
    public void addMetrics(ExtraMetrics families) {
        metrics.add(java.util.Objects.requireNonNull(families, "families"));
    }

    /** @return the cache this handler serves, built by it or given to it */
    public KvCache<String, StoredValue> cache() {
        return store.cache();
    }

    /**
     * Starts answering {@code /health} with 503. The server calls this when it stops gracefully;
     * calling it directly lets a load balancer drain traffic before the server stops. Idempotent.
     *
     * @return a completed future: the handler itself has nothing to wait for
     */
    @Override
    public CompletableFuture<Void> shutdown() {
        draining = true;
        return CompletableFuture.completedFuture(null);
    }

    /** @return whether {@link #shutdown()} was called */
    @Override
    public boolean isShutdown() {
        return draining;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long startNanos = System.nanoTime();
        metrics.started();
        int method = Metrics.methodIndex(request.getMethod());
        String path = Request.getPathInContext(request);
        Route route = Route.of(path);
        if (route != Route.KEY || method != Metrics.POST && method != Metrics.PUT) {
            Replies.closeIfBodyUnread(request, response);
        }
        try {
            route(request, response, callback, method, startNanos, route, path);
        } catch (RuntimeException | Error e) {
            // A bug: Jetty answers 500 for a handler that throws before completing the callback,
            // which every branch does only as its last step. Keep the in-flight gauge true.
            sent(method, HttpStatus.INTERNAL_SERVER_ERROR_500, startNanos);
            throw e;
        }
        return true;
    }

    private void route(Request request, Response response, Callback callback, int method, long startNanos,
            Route route, String path) {
        switch (route) {
            case KEY:
                key(request, response, callback, method, startNanos, KeyParser.key(path));
                break;
            case SIZE:
                size(response, callback, method, startNanos);
                break;
            case METRICS:
                readOnly(response, callback, method, startNanos, Replies.PROMETHEUS, method <= Metrics.HEAD
                        ? metrics.render(store.size(), store.payloadBytes(), store.stats())
                        : null);
                break;
            case STATS:
                readOnly(response, callback, method, startNanos, Replies.JSON, method <= Metrics.HEAD
                        ? StatsJson.render(store, options, uptimeMillis(), draining)
                        : null);
                break;
            case HEALTH:
                health(response, callback, method, startNanos);
                break;
            default:
                Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.NO_KEY);
                sent(method, HttpStatus.BAD_REQUEST_400, startNanos);
                break;
        }
    }

    private void key(Request request, Response response, Callback callback, int method, long startNanos, String key) {
        if (key == null) {
            Replies.closeIfBodyUnread(request, response);
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message("Invalid percent-encoding in the key"));
            sent(method, HttpStatus.BAD_REQUEST_400, startNanos);
            return;
        }
        if (KeyParser.utf8Length(key) > options.maxKeyBytes()) {
            Replies.closeIfBodyUnread(request, response);
            Replies.text(response, callback, HttpStatus.URI_TOO_LONG_414,
                    Replies.message("Key too long: the limit is " + options.maxKeyBytes() + " bytes"));
            sent(method, HttpStatus.URI_TOO_LONG_414, startNanos);
            return;
        }
        switch (method) {
            case Metrics.GET:
            case Metrics.HEAD:
                read(request, response, callback, method, startNanos, key);
                break;
            case Metrics.POST:
            case Metrics.PUT:
                write(request, response, callback, method, startNanos, key);
                break;
            case Metrics.DELETE:
                delete(request, response, callback, startNanos, key);
                break;
            default:
                Replies.methodNotAllowed(response, callback, KEY_ALLOW, Replies.KEY_METHODS);
                sent(method, HttpStatus.METHOD_NOT_ALLOWED_405, startNanos);
                break;
        }
    }

    private void read(Request request, Response response, Callback callback, int method, long startNanos, String key) {
        CacheEntry<String, StoredValue> entry = store.read(key);
        int status;
        if (entry == null) {
            // The Go server answered 200 with an empty body; a miss is now visible (docs/http.md).
            status = HttpStatus.NOT_FOUND_404;
            Replies.empty(response, callback, status);
        } else {
            StoredValue value = entry.getValue();
            Conditions conditions = Conditions.of(request.getHeaders());
            if (conditions.readFails(value)) {
                status = HttpStatus.PRECONDITION_FAILED_412;
                Replies.text(response, callback, status, Replies.PRECONDITION_FAILED);
            } else {
                status = conditions.notModified(value) ? HttpStatus.NOT_MODIFIED_304 : HttpStatus.OK_200;
                Replies.value(response, callback, status, value, entry.expiresInNanos(),
                        status == HttpStatus.OK_200 && method == Metrics.GET);
            }
        }
        sent(method, status, startNanos);
    }

    private void write(Request request, Response response, Callback callback, int method, long startNanos, String key) {
        Duration ttl;
        try {
            ttl = ttlOf(request);
        } catch (IllegalArgumentException e) {
            Replies.closeIfBodyUnread(request, response);
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message(e.getMessage()));
            sent(method, HttpStatus.BAD_REQUEST_400, startNanos);
            return;
        }
        long length = request.getLength();
        if (length > options.maxValueBytes()) {
            // Refused before reading a byte: with "Expect: 100-continue" the client never sends it.
            Replies.closeIfBodyUnread(request, response);
            tooLarge(response, callback, method, startNanos);
            return;
        }
        HttpFields headers = request.getHeaders();
        HttpField contentType = headers.getField(HttpHeader.CONTENT_TYPE);
        new Write(request, response, callback, method, startNanos, key, ttl, Conditions.of(headers),
                contentType == null ? Replies.TEXT_PLAIN : contentType, length).run();
    }

    /** A write waiting for its body; see {@link BodyReader}. */
    private final class Write extends BodyReader {
        private final Response response;
        private final Callback callback;
        private final int method;
        private final long startNanos;
        private final String key;
        private final Duration ttl;
        private final Conditions conditions;
        private final HttpField contentType;

        Write(Request request, Response response, Callback callback, int method, long startNanos, String key,
                Duration ttl, Conditions conditions, HttpField contentType, long length) {
            super(request, length, options.maxValueBytes());
            this.response = response;
            this.callback = callback;
            this.method = method;
            this.startNanos = startNanos;
            this.key = key;
            this.ttl = ttl;
            this.conditions = conditions;
            this.contentType = contentType;
        }

        @Override
        void onBody(byte[] bytes) {
            StoredValue value;
            KeyStore.WriteOutcome outcome;
            try {
                value = store.newValue(bytes, contentType);
                outcome = store.write(key, value, ttl, conditions);
            } catch (OutOfMemoryError e) {
                outOfMemory(request(), response, callback, method, startNanos, e);
                return;
            } catch (RuntimeException e) {
                // A bug, here on a demand callback where Jetty would not answer for us.
                LOG.warn("Write of key {} failed", key, e);
                Response.writeError(request(), response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500);
                sent(method, HttpStatus.INTERNAL_SERVER_ERROR_500, startNanos);
                return;
            }
            int status;
            if (outcome == KeyStore.WriteOutcome.PRECONDITION_FAILED) {
                status = HttpStatus.PRECONDITION_FAILED_412;
                Replies.text(response, callback, status, Replies.PRECONDITION_FAILED);
            } else if (method == Metrics.POST) {
                status = HttpStatus.OK_200;
                Replies.written(response, callback, status, value, true);
            } else {
                status = outcome == KeyStore.WriteOutcome.CREATED ? HttpStatus.CREATED_201 : HttpStatus.NO_CONTENT_204;
                Replies.written(response, callback, status, value, false);
            }
            sent(method, status, startNanos);
        }

        @Override
        void onOutOfMemory(OutOfMemoryError error) {
            outOfMemory(request(), response, callback, method, startNanos, error);
        }

        @Override
        void onTooLarge() {
            Replies.closeIfBodyUnread(request(), response);
            tooLarge(response, callback, method, startNanos);
        }

        @Override
        void onFailure(Throwable failure) {
            // The client is likely gone; the answer may not reach it, but the callback must complete.
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.BODY_UNREADABLE);
            sent(method, HttpStatus.BAD_REQUEST_400, startNanos);
        }
    }

    /**
     * Answers a write that ran out of heap with 503 rather than letting the error reach Jetty (a 500, or
     * a demand callback that never completes): the server stays up, the client may retry once eviction
     * or a collection has made room, and {@code /health} reports the pressure meanwhile. Logged (at
     * the 1st, 2nd, 4th, 8th... occurrence, so a flood cannot flood the log) and counted.
     */
    private void outOfMemory(Request request, Response response, Callback callback, int method, long startNanos,
            OutOfMemoryError error) {
        long count = metrics.outOfMemory();
        if ((count & (count - 1)) == 0) {
            LOG.error("A write ran out of heap ({}; {} so far): answered 503; see /health and -Xmx", error.toString(), count);
        }
        Replies.closeIfBodyUnread(request, response);
        Replies.text(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, Replies.OUT_OF_MEMORY);
        sent(method, HttpStatus.SERVICE_UNAVAILABLE_503, startNanos);
    }

    private void tooLarge(Response response, Callback callback, int method, long startNanos) {
        Replies.text(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413,
                Replies.message("Value too large: the limit is " + options.maxValueBytes() + " bytes"));
        sent(method, HttpStatus.PAYLOAD_TOO_LARGE_413, startNanos);
    }

    private void delete(Request request, Response response, Callback callback, long startNanos, String key) {
        int status;
        switch (store.delete(key, Conditions.of(request.getHeaders()))) {
            case DELETED:
                status = HttpStatus.NO_CONTENT_204;
                Replies.empty(response, callback, status);
                break;
            case ABSENT:
                status = HttpStatus.NOT_FOUND_404;
                Replies.empty(response, callback, status);
                break;
            default:
                status = HttpStatus.PRECONDITION_FAILED_412;
                Replies.text(response, callback, status, Replies.PRECONDITION_FAILED);
                break;
        }
        sent(Metrics.DELETE, status, startNanos);
    }

    private void size(Response response, Callback callback, int method, long startNanos) {
        if (method > Metrics.POST) {
            Replies.methodNotAllowed(response, callback, "GET, HEAD, POST", Replies.SIZE_METHODS);
            sent(method, HttpStatus.METHOD_NOT_ALLOWED_405, startNanos);
            return;
        }
        // Plain decimal without a newline, as the Go server's fmt.Fprintf(w, "%d", size).
        byte[] body = Long.toString(store.size()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Replies.bytes(response, callback, HttpStatus.OK_200, Replies.TEXT_PLAIN, body, method != Metrics.HEAD);
        sent(method, HttpStatus.OK_200, startNanos);
    }

    /** GET/HEAD-only resources; {@code body} is null for any other method. */
    private void readOnly(Response response, Callback callback, int method, long startNanos, HttpField type,
            byte[] body) {
        if (body == null) {
            Replies.methodNotAllowed(response, callback, "GET, HEAD", Replies.READ_METHODS);
            sent(method, HttpStatus.METHOD_NOT_ALLOWED_405, startNanos);
            return;
        }
        Replies.bytes(response, callback, HttpStatus.OK_200, type, body, method == Metrics.GET);
        sent(method, HttpStatus.OK_200, startNanos);
    }

    private void health(Response response, Callback callback, int method, long startNanos) {
        if (method > Metrics.HEAD) {
            readOnly(response, callback, method, startNanos, Replies.TEXT_PLAIN, null);
            return;
        }
        byte[] pressure = draining ? null : heap.pressure();
        int status = draining || pressure != null ? HttpStatus.SERVICE_UNAVAILABLE_503 : HttpStatus.OK_200;
        byte[] body = draining ? Replies.DRAINING : pressure != null ? pressure : Replies.HEALTHY;
        Replies.bytes(response, callback, status, Replies.TEXT_PLAIN, body, method == Metrics.GET);
        sent(method, status, startNanos);
    }

    private long uptimeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createdNanos);
    }

    private void sent(int method, int status, long startNanos) {
        metrics.finished(method, status, startNanos);
    }

    /** @return the TTL the request asks for, or {@code null} for the default */
    private static Duration ttlOf(Request request) {
        String text = queryParameter(request.getHttpURI().getQuery(), "ttl");
        if (text == null) {
            text = request.getHeaders().get(TTL_HEADER);
        }
        return text == null ? null : TtlParser.parse(text.trim());
    }

    /** Finds one raw parameter in a query string without parsing the rest (durations need no decoding). */
    static String queryParameter(String query, String name) {
        if (query == null) {
            return null;
        }
        int from = 0;
        int length = query.length();
        while (from < length) {
            int end = query.indexOf('&', from);
            if (end < 0) {
                end = length;
            }
            if (end - from > name.length() && query.startsWith(name, from)
                    && query.charAt(from + name.length()) == '=') {
                return query.substring(from + name.length() + 1, end);
            }
            from = end + 1;
        }
        return null;
    }
}
