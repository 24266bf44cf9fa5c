package dev.kvcache.http;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.Graceful;

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
 * Keys with a {@code %} ({@code %25}), an encoded {@code /} ({@code %2F}) or {@code \} ({@code %5C})
 * reach the handler only if the connector's {@code HttpConfiguration.setUriCompliance} allows
 * {@code AMBIGUOUS_PATH_ENCODING}, {@code AMBIGUOUS_PATH_SEPARATOR} and {@code SUSPICIOUS_PATH_CHARACTERS}
 * (docs/http.md, "Embedding"); Jetty's default refuses them with 400.
 *
 * <h2>Routes and statuses</h2>
 * Paths are relative to the context.
 * <ul>
 *   <li>{@code /kv/{key}} (any key) and {@code /{key}} (first segment, not a reserved name):
 *       {@code GET}/{@code HEAD} 200, 304 ({@code If-None-Match}), 404 (absent or expired, empty body),
 *       412 ({@code If-Match}); {@code POST} 200 with the value echoed; {@code PUT} 204, or 201 when
 *       {@code If-None-Match: *} created it; {@code DELETE} 204 or 404; writes answer 412 when a
 *       precondition fails, 400 for an invalid TTL or unreadable body, 413 for a value over the limit,
 *       503 for a body cut off by a graceful stop or one the heap has no room for;
 *       414 for a key over the limit; 405 for other methods.
 *   <li>Operations on a key, named by the query: {@code POST ?touch} (new TTL, value kept),
 *       {@code POST ?incr=N}/{@code ?decr=N} (atomic counter; 409 for a non-decimal value or an
 *       overflow), {@code GET ?index=V&wait=D} (watch: answers once the version is not V; 429 past
 *       the bound). {@code /kv/}: {@code GET} lists keys (JSON pages, server-side cursors; 400 for a
 *       stale cursor, 429 when too many are open), {@code DELETE ?prefix=P} or {@code ?all} flushes
 *       (403 unless {@link KvHandlerOptions#allowFlush()}), {@code POST} is a JSON batch. A {@code GET}
 *       miss answers {@link KvHandlerOptions#missStatus()}.
 *   <li>{@code /size} ({@code GET}, {@code HEAD}, {@code POST}): 200, the entry count in decimal.
 *   <li>{@code /metrics}: 200, Prometheus text. {@code /stats}: 200, JSON.
 *       {@code /health}: 200 {@code ok}; 503 {@code draining} once shutdown began, or 503
 *       {@code degraded: heap ...} while the heap after the last collection is 90 % full or more.
 *   <li>{@code /}, {@code /kv}, and {@code /kv/} with {@code PUT}: 400 "Must provide a key in the path".
 *   <li>{@code OPTIONS *}: 204 with {@code Allow: GET, HEAD, POST, PUT, DELETE}, the methods the handler
 *       serves (RFC 9110 9.3.7).
 * </ul>
 * A write's TTL comes from the {@code ttl} query parameter or the {@value #TTL_HEADER} header
 * (query first), in the forms {@code 1500}, {@code 1500ms}, {@code 10s}, {@code 1m}, {@code 2h}.
 *
 * Each resource is one class that lists its statuses: {@code KeyResource}, {@code SizeResource},
 * {@code MetricsResource}, {@code StatsResource}, {@code HealthResource}; this class only routes.
 * Every request is counted in {@code /metrics} in one place, when its response completes.
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
    public static final String TTL_HEADER = RequestTtl.HEADER;

    private static final Resource NO_KEY = (request, response, callback, method, path) -> {
        // The path is null for an HTTP/2 CONNECT (RFC 9113 8.5), which names no key.
        if ("*".equals(path) && HttpMethod.OPTIONS.is(request.getMethod())) {
            // RFC 9110 9.3.7: OPTIONS * asks about the server as a whole; Allow lists what it serves.
            response.getHeaders().put(HttpHeader.ALLOW, Replies.ALL_METHODS);
            Replies.empty(response, callback, HttpStatus.NO_CONTENT_204);
        } else {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.NO_KEY);
        }
    };

    private final KvHandlerOptions options;
    private final KeyStore store;
    private final Metrics metrics = new Metrics();
    private final Operations operations = new Operations();
    private final Watches watches;
    private final Map<Route, Resource> resources = new EnumMap<>(Route.class);
    private volatile boolean draining;
    private final StatsResource stats;

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
    KvHandler(KvHandlerOptions options, Supplier<? extends ScheduledExecutorService> reclaimers, HeapMonitor heap) {
        this(new KeyStore(Objects.requireNonNull(options, "options")), options, reclaimers, heap);
    }

    /**
     * Creates a handler over a cache the application built, and may use itself at the same time
     * (values made with {@link StoredValue#of} are served like those written over HTTP). The cache's
     * own bounds, TTL and listener apply: an HTTP write or touch without a TTL gets what the cache's
     * TTL-less methods give ({@code put(k, v)}, {@code touch(k)}: its default TTL, its expiry function,
     * its time-to-idle), and {@code /stats} reports the cache's TTL and
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
        this(new KeyStore(cache, Objects.requireNonNull(options, "options")), options, Reclaimer::daemonScheduler,
                HeapMonitor.platform());
    }

    private KvHandler(KeyStore store, KvHandlerOptions options, Supplier<? extends ScheduledExecutorService> reclaimers,
            HeapMonitor heap) {
        this.options = options;
        this.store = store;
        this.watches = new Watches(options.maxWatchers());
        metrics.add(operations);
        resources.put(Route.KEY, new KeyResource(store, options, this::isShutdown, metrics::outOfMemory,
                new KeyOperations(store, operations, watches, options)));
        store.onChange(watches);
        resources.put(Route.SIZE, new SizeResource(store, options.maxValueBytes()));
        resources.put(Route.METRICS, new MetricsResource(metrics, store));
        this.stats = new StatsResource(store, options, this::isShutdown);
        resources.put(Route.STATS, stats);
        resources.put(Route.HEALTH, new HealthResource(this::isShutdown, heap));
        resources.put(Route.NO_KEY, NO_KEY);
        resources.put(Route.KEYS, new KeysResource(store, options, operations));
        addBean(new Reclaimer(store::cleanUp, reclaimers), true);
    }

    /**
     * Runs the cache's read, write and expiry paths for about {@code time} on a throwaway cache built from
     * this handler's options (its bounds and ticker, a TTL of a few milliseconds), so that the JIT has seen
     * every branch of them before the first request: otherwise the first entries to expire, one TTL
     * after traffic starts, make it discard the compiled request path and compile it again while serving.
     * Leaves this handler's cache as it was. The standalone server calls it before it opens its port
     * (the first 300 ms of {@code --warm-up}, 3 s by default, whose rest is loopback HTTP traffic); an
     * application embedding the handler may do the same.
     *
     * <p>It returns early, with the calling thread's interrupt status kept set, if that thread is
     * interrupted (before the call or during it); the thread it runs beside the caller's has ended when
     * it returns, however it returns.
     *
     * @param time how long to run, zero for not at all; a time too long to count in nanoseconds (about 292
     *     years) runs until the caller is interrupted
     * @throws NullPointerException if {@code time} is null
     * @throws IllegalArgumentException if {@code time} is negative
     */
    public void warmUp(Duration time) {
        Objects.requireNonNull(time, "time");
        if (time.isNegative()) {
            throw new IllegalArgumentException("warm-up time must be zero or more, was " + time);
        }
        WarmUp.run(options, time);
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
    public void forEachEntry(Consumer<? super CacheEntry<String, StoredValue>> action) {
        Objects.requireNonNull(action, "action");
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
        store.restore(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"),
                Objects.requireNonNull(ttl, "ttl"));
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
        metrics.refused(method == null ? Method.OTHER : Method.of(method), status);
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
        metrics.add(Objects.requireNonNull(families, "families"));
    }

    /**
     * Starts answering {@code /health} with 503, and answers every watch now (and later ones at once).
     * The server calls this when it stops gracefully;
     * calling it directly lets a load balancer drain traffic before the server stops. Idempotent.
     *
     * @return completed once every watch's answer has completed
     */
    @Override
    public CompletableFuture<Void> shutdown() {
        draining = true;
        // Watches answer now rather than at the end of their wait, so the stop does not wait for them.
        return watches.closeAll();
    }

    /**
     * Serves again after a stop: a handler whose server stopped gracefully and started again (a redeploy)
     * answers {@code /health} 200 and lets watches wait, rather than stay draining for good.
     */
    @Override
    protected void doStart() throws Exception {
        draining = false;
        watches.reopen();
        stats.started();
        super.doStart();
    }

    /** @return whether {@link #shutdown()} was called since the handler last started */
    @Override
    public boolean isShutdown() {
        return draining;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long startNanos = System.nanoTime();
        Method method = Method.of(request.getMethod());
        MeteredCallback metered = new MeteredCallback(callback, response, metrics, method, startNanos);
        String path = Request.getPathInContext(request);
        Route route = Route.of(path);
        boolean readsBody = route == Route.KEY && (method == Method.POST || method == Method.PUT)
                || route == Route.KEYS && method == Method.POST || route == Route.SIZE && method == Method.POST;
        if (!readsBody) {
            Replies.closeIfBodyUnread(request, response);
        }
        try {
            resources.get(route).serve(request, response, metered, method, path);
        } catch (RuntimeException | Error e) {
            // A bug: Jetty answers 500 for a handler that throws before completing the callback,
            // which every branch does only as its last step. Keep the in-flight gauge true.
            metered.record(HttpStatus.INTERNAL_SERVER_ERROR_500);
            throw e;
        }
        return true;
    }
}
