package dev.kvcache.http;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Picks out the requests on a key that name an operation in their query, and hands them to its class:
 * {@code POST ?touch} to {@link TtlOperation}, {@code POST ?incr}/{@code ?decr} to {@link CounterOperation},
 * {@code GET ?index} to {@link WatchOperation}.
 * A request without a query (the Go server's, and most others) costs one null check.
 */
final class KeyOperations {
    private final TtlOperation ttl;
    private final CounterOperation counter;
    private final WatchOperation watch;

    KeyOperations(KeyStore store, Operations operations, Watches watches, KvHandlerOptions options) {
        this.ttl = new TtlOperation(store, operations);
        this.counter = new CounterOperation(store, operations);
        this.watch = new WatchOperation(store, watches, operations, options);
    }

    /** @return whether the {@code GET}/{@code HEAD} is a watch ({@code ?index=V}), and was taken over */
    boolean read(Request request, Response response, Callback callback, Method method, String key) {
        String query = request.getHttpURI().getQuery();
        if (query == null || !Query.has(query, WatchOperation.PARAMETER)) {
            return false;
        }
        watch.serve(request, response, callback, method, key);
        return true;
    }

    /** @return whether the {@code POST} named an operation, and was answered */
    boolean post(Request request, Response response, Callback callback, String key) {
        String query = request.getHttpURI().getQuery();
        if (query == null) {
            return false;
        }
        if (Query.has(query, TtlOperation.PARAMETER)) {
            ttl.serve(request, response, callback, key);
            return true;
        }
        if (Query.has(query, CounterOperation.INCR) || Query.has(query, CounterOperation.DECR)) {
            counter.serve(request, response, callback, key);
            return true;
        }
        return false;
    }
}
