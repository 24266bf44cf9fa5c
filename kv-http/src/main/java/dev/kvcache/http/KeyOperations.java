package dev.kvcache.http;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Picks out the requests on a key that name an operation in their query, and hands them to its class:
 * {@code POST ?touch} to {@link TtlOperation}, {@code POST ?incr}/{@code ?decr} to {@link CounterOperation},
 * {@code GET ?index} to {@link WatchOperation}; a {@code PUT} that names one of the three is refused.
 * A request without a query (the Go server's, and most others) costs one null check; one whose query holds a
 * malformed escape is answered 400 here, whatever its route would do.
 */
final class KeyOperations {
    private static final byte[] ONE_OPERATION = Replies.message("Give one operation: touch, incr or decr, not more");

    private static final byte[] PUT_OPERATION = Replies.message("touch, incr and decr are POST operations: a PUT"
            + " replaces the value with its body, so send them with POST (or PUT without them to write a value)");

    private final TtlOperation ttl;
    private final CounterOperation counter;
    private final WatchOperation watch;

    KeyOperations(KeyStore store, Operations operations, Watches watches, KvHandlerOptions options) {
        this.ttl = new TtlOperation(store, operations);
        this.counter = new CounterOperation(store, operations);
        this.watch = new WatchOperation(store, watches, operations, options);
    }

    /** @return whether the {@code GET}/{@code HEAD} is a watch ({@code ?index=V}) or has a malformed query, and was answered */
    boolean read(Request request, Response response, Callback callback, Method method, String key) {
        if (request.getHttpURI().getQuery() == null) {
            return false;
        }
        Query query = query(request, response, callback);
        if (query == null) {
            return true;
        }
        if (!query.has(WatchOperation.PARAMETER)) {
            return false;
        }
        watch.serve(request, response, callback, method, key, query);
        return true;
    }

    /**
     * @return whether the {@code POST} named an operation or has a malformed query, and was answered (400 when it
     *     names {@code touch} and a counter operation)
     */
    boolean post(Request request, Response response, Callback callback, String key) {
        if (request.getHttpURI().getQuery() == null) {
            return false;
        }
        Query query = query(request, response, callback);
        if (query == null) {
            return true;
        }
        boolean counts = query.has(CounterOperation.INCR) || query.has(CounterOperation.DECR);
        if (query.has(TtlOperation.PARAMETER) && counts) {
            // Else one of the two would be dropped without a word, as ?incr&decr is refused.
            Replies.closeIfBodyUnread(request, response);
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, ONE_OPERATION);
            return true;
        }
        if (query.has(TtlOperation.PARAMETER)) {
            ttl.serve(request, response, callback, key, query);
            return true;
        }
        if (counts) {
            counter.serve(request, response, callback, key, query);
            return true;
        }
        return false;
    }

    /**
     * Refuses a {@code PUT} whose query names an operation: {@code PUT ?incr} or {@code PUT ?touch&ttl=1h} would
     * otherwise replace the value with the request's body (often empty), the opposite of what it asks.
     *
     * @return whether the {@code PUT} named an operation or has a malformed query, and was answered (400)
     */
    boolean put(Request request, Response response, Callback callback) {
        if (request.getHttpURI().getQuery() == null) {
            return false;
        }
        Query query = query(request, response, callback);
        if (query == null) {
            return true;
        }
        if (!query.has(TtlOperation.PARAMETER) && !query.has(CounterOperation.INCR) && !query.has(CounterOperation.DECR)) {
            return false;
        }
        Replies.closeIfBodyUnread(request, response);
        Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, PUT_OPERATION);
        return true;
    }

    /**
     * For a request that reads no parameter (a key's {@code DELETE}, a batch) but must refuse a malformed query
     * as every other request on its route does.
     *
     * @return whether its query is malformed and was answered (400; the request did nothing)
     */
    static boolean refusedQuery(Request request, Response response, Callback callback) {
        return request.getHttpURI().getQuery() != null && query(request, response, callback) == null;
    }

    /** @return the decoded query, or {@code null} when it is malformed and was answered with 400 */
    private static Query query(Request request, Response response, Callback callback) {
        try {
            return Query.of(request);
        } catch (IllegalArgumentException malformed) {
            Replies.closeIfBodyUnread(request, response);
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message(malformed.getMessage()));
            return null;
        }
    }
}
