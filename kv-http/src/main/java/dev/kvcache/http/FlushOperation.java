package dev.kvcache.http;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code DELETE /kv/?prefix=P} removes every key starting with P; {@code DELETE /kv/?all} every key
 * ({@link KeyStore#flush}: weakly consistent, a value written during the flush may stay). Refused
 * unless {@link KvHandlerOptions#allowFlush()}: the standalone server allows it only behind its bearer
 * token, or with {@code --allow-flush}. Each flush is logged at INFO on {@value #LOGGER} (who, what, how
 * many), answers the count in the {@value #REMOVED_HEADER} header (which the server's access log
 * appends), and is counted in {@code kv_operations_total{op="flush"}} and {@code kv_flushed_keys_total}.
 *
 * <p>Statuses: 200 with {@code {"removed":N}}; 403 when flushes are not allowed; 400 without
 * {@code prefix} or {@code all}, with both, with an empty prefix, with {@code all} given a value
 * ({@code all=false} too) or {@code prefix} given twice; 400 for a
 * malformed escape in the query ({@link Query}).
 */
final class FlushOperation {
    static final String LOGGER = "dev.kvcache.http.flush";
    static final String REMOVED_HEADER = "Kv-Removed";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final byte[] FORBIDDEN = Replies.message("Flush is disabled on this server: it needs an"
            + " --auth-token (KV_AUTH_TOKEN), or --allow-flush on a trusted network (KvHandlerOptions.allowFlush"
            + " when embedded)");
    private static final byte[] WHAT = Replies.message("A flush needs prefix=P (remove the keys starting with P)"
            + " or all (remove every key), not neither or both");
    private static final byte[] ALL_VALUE = Replies.message("all takes no value: DELETE /kv/?all removes every"
            + " key, whatever follows it (all=false would remove them too); give prefix=P to remove some");

    private final KeyStore store;
    private final Operations operations;
    private final boolean allowed;

    FlushOperation(KeyStore store, Operations operations, boolean allowed) {
        this.store = store;
        this.operations = operations;
        this.allowed = allowed;
    }

    void serve(Request request, Response response, Callback callback) {
        if (!allowed) {
            Replies.text(response, callback, HttpStatus.FORBIDDEN_403, FORBIDDEN);
            return;
        }
        Query query;
        try {
            query = Query.of(request);
        } catch (IllegalArgumentException malformed) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message(malformed.getMessage()));
            return;
        }
        // A destructive request names exactly what it removes: nothing it gives is dropped without a word.
        if (query.hasValue("all")) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, ALL_VALUE);
            return;
        }
        int prefixes = query.count("prefix");
        if (prefixes > 1) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message("the prefix parameter is"
                    + " given " + prefixes + " times; give it once (flush one prefix per request)"));
            return;
        }
        String prefix = query.get("prefix");
        boolean all = query.has("all");
        if (all == (prefix != null) || prefix != null && prefix.isEmpty()) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, WHAT);
            return;
        }
        long removed = store.flush(all ? "" : prefix);
        operations.flushed(removed);
        LOG.info("Flushed {} key(s) {} at the request of {}", removed,
                all ? "(all)" : "starting with '" + printable(prefix) + "'", Request.getRemoteAddr(request));
        response.getHeaders().put(REMOVED_HEADER, removed);
        Replies.bytes(response, callback, HttpStatus.OK_200, Replies.JSON,
                ("{\"removed\":" + removed + "}").getBytes(StandardCharsets.US_ASCII), true);
    }

    /** The prefix with control characters as {@code ?}, so that a client cannot forge log lines. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }
}
