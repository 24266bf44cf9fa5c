package dev.kvcache.http;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /kv/} ({@link Route#KEYS}): the keys as a whole. {@code GET}/{@code HEAD} list them
 * ({@link KeyListing}); {@code DELETE} flushes them ({@link FlushOperation}); {@code POST} is a batch
 * ({@link BatchOperation}; here rather than at {@code /batch}, which stays a key of the Go route); other
 * methods get 400
 * {@code Must provide a key in the path}, as before these existed. A path with a {@code ;} ({@code /kv/;x},
 * which Jetty reads as {@code /kv/}) is 400, as on {@link KeyResource}: it meant a key. A query with a malformed
 * escape is 400 and does nothing, on a batch too (which reads no parameter).
 */
final class KeysResource implements Resource {
    private final KeyListing listing;
    private final FlushOperation flush;
    private final BatchOperation batch;

    KeysResource(KeyStore store, KvHandlerOptions options, Operations operations) {
        this.listing = new KeyListing(store, options, operations);
        this.flush = new FlushOperation(store, operations, options.allowFlush());
        this.batch = new BatchOperation(store, options, operations);
    }

    @Override
    public void serve(Request request, Response response, Callback callback, Method method, String path) {
        if (KeyResource.refusedPathParameter(request, response, callback)) {
            return;
        }
        switch (method) {
            case GET:
            case HEAD:
                listing.serve(request, response, callback, method);
                break;
            case DELETE:
                flush.serve(request, response, callback);
                break;
            case POST:
                if (KeyOperations.refusedQuery(request, response, callback)) {
                    break;
                }
                batch.serve(request, response, callback);
                break;
            default:
                Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.NO_KEY);
                break;
        }
    }
}
