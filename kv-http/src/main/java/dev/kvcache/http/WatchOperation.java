package dev.kvcache.http;

import dev.kvcache.core.CacheEntry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * {@code GET /kv/{key}?index=V&wait=D} (Consul's blocking query): answers as a plain {@code GET} does,
 * plus the header {@value #INDEX_HEADER} with the key's current index (its version, the number its
 * {@code ETag} writes in base 36; 0 when the key is absent or expired), as soon as that index differs
 * from V, or when D (default 30 s, at most {@link KvHandlerOptions#maxWatchWait()}) has passed, or at
 * shutdown. A first request with {@code index=0} on a live key answers at once, with the index to watch.
 * A key deleted, expired or evicted while watched answers the miss (404, or the miss status) with
 * index 0; watching index 0 waits for the key to be written.
 *
 * <p>No thread waits: the request's callback is completed later, by a write that changes the key (see
 * {@link Watches}) or by a timer on Jetty's scheduler, the answer written on Jetty's executor. Expiry
 * is seen through the removal listener of a cache the handler built (within about 100 ms of the
 * deadline, when the {@link Reclaimer} reclaims it), and, for any cache, by a timer set at the entry's
 * deadline. Statuses: those of {@code GET}, {@code If-None-Match} (304) and {@code If-Match} (412) included,
 * judged against the value answered; 400 for an invalid {@code index} or {@code wait}; 429 (with
 * {@code Retry-After}) when {@link KvHandlerOptions#maxWatchers()} watches wait already.
 */
final class WatchOperation {
    static final String PARAMETER = "index";
    static final String INDEX_HEADER = "X-Kv-Index";
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    /** Just past the entry's deadline, so that the read then finds it expired. */
    private static final long EXPIRY_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final KeyStore store;
    private final Watches watches;
    private final Operations operations;
    private final long maxWaitNanos;
    private final int missStatus;

    WatchOperation(KeyStore store, Watches watches, Operations operations, KvHandlerOptions options) {
        this.store = store;
        this.watches = watches;
        this.operations = operations;
        this.maxWaitNanos = options.maxWatchWait().toNanos();
        this.missStatus = options.missStatus();
        operations.watchers(watches::size);
    }

    /** @param query the request's decoded query (it names {@code index}) */
    void serve(Request request, Response response, Callback callback, Method method, String key, Query query) {
        long index;
        long waitNanos;
        try {
            index = query.getLong(PARAMETER, 0, 0, Long.MAX_VALUE);
            String wait = query.get("wait");
            waitNanos = wait == null ? Math.min(DEFAULT_WAIT.toNanos(), maxWaitNanos) : TtlParser.parse(wait).toNanos();
        } catch (IllegalArgumentException e) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message(e.getMessage()));
            return;
        }
        if (waitNanos > maxWaitNanos) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message("wait must be at most "
                    + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + "ms (--watch-max-wait), was " + query.get("wait")));
            return;
        }
        operations.watched();
        Conditions conditions = Conditions.of(request.getHeaders());
        CacheEntry<String, StoredValue> entry = store.read(key);
        if (indexOf(entry) != index || watches.isClosed()) {
            answer(response, callback, method, conditions, entry);
            return;
        }
        Watch watch = new Watch(request, response, callback, method, conditions, key, index,
                System.nanoTime() + waitNanos);
        if (!watches.add(key, watch)) {
            if (watches.isClosed()) {
                answer(response, callback, method, conditions, entry);
                return;
            }
            response.getHeaders().put("Retry-After", 1);
            Replies.text(response, callback, HttpStatus.TOO_MANY_REQUESTS_429, Replies.message("Too many watches are"
                    + " waiting (the limit is " + watches.max() + ", --max-watchers); retry later"));
            return;
        }
        // The watch waits for longer than Jetty's idle timeout may allow; its own timer ends it.
        request.addIdleTimeoutListener(timeout -> false);
        request.addFailureListener(watch::failed);
        // A change between the read above and the add would have found no watch: check once more.
        watch.check();
    }

    static long indexOf(CacheEntry<String, StoredValue> entry) {
        return entry == null ? 0 : entry.getValue().version();
    }

    /** Answers as a plain read of {@code entry} would, its preconditions included (304, 412). */
    private void answer(Response response, Callback callback, Method method, Conditions conditions,
            CacheEntry<String, StoredValue> entry) {
        response.getHeaders().put(INDEX_HEADER, indexOf(entry));
        if (entry == null) {
            KeyResource.miss(response, callback, missStatus);
        } else if (conditions.readFails(entry.getValue())) {
            Replies.text(response, callback, HttpStatus.PRECONDITION_FAILED_412, Replies.PRECONDITION_FAILED);
        } else if (conditions.notModified(entry.getValue())) {
            Replies.notModified(response, callback, entry.getValue(), entry.expiresInNanos());
        } else {
            Replies.value(response, callback, HttpStatus.OK_200, entry.getValue(), entry.expiresInNanos(),
                    method == Method.GET);
        }
    }

    /** One waiting request: answered once, by whichever of a change, its timer, a failure or shutdown comes first. */
    private final class Watch implements Watches.Watch {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final Method method;
        private final Conditions conditions;
        private final String key;
        private final long index;
        private final long deadlineNanos;
        private final Scheduler scheduler;
        private final AtomicBoolean done = new AtomicBoolean();
        private Scheduler.Task timer;

        Watch(Request request, Response response, Callback callback, Method method, Conditions conditions, String key,
                long index, long deadlineNanos) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.method = method;
            this.conditions = conditions;
            this.key = key;
            this.index = index;
            this.deadlineNanos = deadlineNanos;
            this.scheduler = request.getComponents().getScheduler();
        }

        @Override
        public void wake() {
            if (!done.get()) {
                // Off the writer's thread: a write must not pay for answering its key's watches.
                request.getComponents().getExecutor().execute(this::check);
            }
        }

        @Override
        public void finishNow() {
            request.getComponents().getExecutor().execute(() -> finish(store.read(key)));
        }

        /** Answers if the key changed or the wait is over; otherwise sets the timer for the earlier of the wait's end and the entry's deadline. */
        synchronized void check() {
            if (done.get()) {
                return;
            }
            CacheEntry<String, StoredValue> entry = store.read(key);
            long left = deadlineNanos - System.nanoTime();
            if (indexOf(entry) != index || left <= 0 || watches.isClosed()) {
                finish(entry);
                return;
            }
            long delay = entry != null && entry.expires() ? Math.min(left, entry.expiresInNanos() + EXPIRY_SLACK_NANOS) : left;
            if (timer != null) {
                timer.cancel();
            }
            timer = scheduler.schedule(this::check, delay, TimeUnit.NANOSECONDS);
        }

        private void finish(CacheEntry<String, StoredValue> entry) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            cleanUp();
            answer(response, Callback.from(callback, watches::answered), method, conditions, entry);
        }

        void failed(Throwable failure) {
            if (done.compareAndSet(false, true)) {
                cleanUp();
                watches.answered();
                callback.failed(failure);
            }
        }

        private void cleanUp() {
            synchronized (this) {
                if (timer != null) {
                    timer.cancel();
                }
            }
            watches.remove(key, this);
        }
    }
}
