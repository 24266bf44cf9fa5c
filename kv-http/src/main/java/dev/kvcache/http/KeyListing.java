package dev.kvcache.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /kv/?prefix=P&limit=N&cursor=C}: the live keys, a page at a time, as JSON
 * {@code {"keys":["a","b"],"cursor":"..."}} ({@code "cursor":null} on the last page).
 *
 * <p>Weakly consistent, from kv-core's key-set iterator (one table segment copied at a time): across
 * the pages of one listing, every key live for the whole walk is returned exactly once, across table
 * resizes and concurrent writes too; a key written or removed during it may or may not be; no key is
 * returned that was expired or absent when the walk reached it. The iterator lives on the server
 * ({@link ListCursors}) between pages; {@code cursor} names it for one page only.
 *
 * <p>Bounded: {@code limit} (default 100) is at most {@link KvHandlerOptions#maxListLimit()}, and a page
 * examines at most ten times that many keys ({@link #scanBudget}), so a rare prefix cannot make one
 * request walk the whole table: such a page is shorter, maybe empty, and carries a cursor.
 *
 * <p>A {@code HEAD} answers the headers of that {@code GET} and keeps no cursor for a next page (its client
 * could not read the id); a {@code HEAD} that gives a cursor uses it up, as the {@code GET} would.
 *
 * <p>Statuses: 200; 400 for an invalid {@code limit}, an unknown, used or expired {@code cursor}, a
 * {@code prefix} other than the listing's, or a malformed escape in the query; 429 (with {@code Retry-After}) when
 * {@link KvHandlerOptions#maxListCursors()} listings are open already: the limit is on the server's
 * memory, shared by all clients, but the remedy is the client's (finish or abandon listings, retry).
 */
final class KeyListing {
    static final int DEFAULT_LIMIT = 100;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KeyStore store;
    private final ListCursors cursors;
    private final Operations operations;
    private final int maxLimit;
    private final int scanBudget;

    KeyListing(KeyStore store, KvHandlerOptions options, Operations operations) {
        this.store = store;
        this.operations = operations;
        this.maxLimit = options.maxListLimit();
        this.scanBudget = scanBudget(maxLimit);
        this.cursors = new ListCursors(options.maxListCursors(), options.listCursorIdle().toNanos(), options.ticker());
        operations.cursors(cursors::size);
    }

    /** @return the most keys one page examines */
    static int scanBudget(int maxLimit) {
        return 10 * maxLimit;
    }

    void serve(Request request, Response response, Callback callback, Method method) {
        Query query;
        int limit;
        try {
            query = Query.of(request);
            limit = (int) query.getLong("limit", Math.min(DEFAULT_LIMIT, maxLimit), 1, maxLimit);
        } catch (IllegalArgumentException e) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message(e.getMessage()));
            return;
        }
        String prefix = query.get("prefix");
        String id = query.get("cursor");
        Iterator<String> keys;
        if (id == null) {
            keys = store.keys();
            prefix = prefix == null ? "" : prefix;
        } else {
            ListCursors.Cursor cursor = cursors.take(id);
            if (cursor == null) {
                Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message("Unknown or expired"
                        + " cursor: each cursor serves one page and expires once idle; start the listing again"
                        + " without a cursor"));
                return;
            }
            if (prefix != null && !prefix.equals(cursor.prefix())) {
                Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message("prefix must be the"
                        + " listing's own, given on its first page, or left out; this listing is closed, start it"
                        + " again without a cursor"));
                return;
            }
            keys = cursor.keys();
            prefix = cursor.prefix();
        }
        List<String> page = new ArrayList<>(Math.min(limit, 1024));
        int scanned = 0;
        while (page.size() < limit && scanned < scanBudget && keys.hasNext()) {
            String key = keys.next();
            scanned++;
            if (key.startsWith(prefix)) {
                page.add(key);
            }
        }
        // A HEAD keeps no cursor: its client never sees the id, so the slot would stay taken until idle, and
        // 1024 HEADs (a monitor's probe) would turn every listing away with 429. Its id has the GET's length.
        String next = !keys.hasNext() ? null : method == Method.HEAD ? cursors.unkeptId() : cursors.keep(keys, prefix, id != null);
        if (keys.hasNext() && next == null) {
            // A new listing that needs a cursor while the table is full (one that fits in a page needs none,
            // and is served): nothing was promised yet.
            response.getHeaders().put("Retry-After", 1);
            Replies.text(response, callback, HttpStatus.TOO_MANY_REQUESTS_429, Replies.message("Too many key"
                    + " listings are open (the limit is " + cursors.max() + ", --max-list-cursors): finish or abandon"
                    + " a listing (its cursor expires once idle), then retry"));
            return;
        }
        operations.listed();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("keys", page);
        json.put("cursor", next);
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        Replies.bytes(response, callback, HttpStatus.OK_200, Replies.JSON, body, method == Method.GET);
    }
}
