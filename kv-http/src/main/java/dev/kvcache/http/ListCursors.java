package dev.kvcache.http;

import dev.kvcache.core.Ticker;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open key listings: each a weakly consistent iterator over the cache's keys, under an id that
 * cannot be guessed (128 random bits, base64url). Bounded in count; a cursor unused for the idle time
 * is dropped (found so when it is next asked for, or swept when the table is full). Each id serves one
 * page: {@link #take} removes it, so two requests can never walk one iterator at once, and the next
 * page gets a new id.
 */
final class ListCursors {
    /** One listing between two pages. */
    record Cursor(Iterator<String> keys, String prefix, long lastUsedNanos) {}

    private final ConcurrentHashMap<String, Cursor> open = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final int max;
    private final long idleNanos;
    private final Ticker ticker;

    ListCursors(int max, long idleNanos, Ticker ticker) {
        this.max = max;
        this.idleNanos = idleNanos;
        this.ticker = ticker;
    }

    long now() {
        return ticker.read();
    }

    /** @return the cursor of {@code id}, now removed from the table, or {@code null} if unknown or idle too long */
    Cursor take(String id) {
        Cursor cursor = open.remove(id);
        if (cursor == null || now() - cursor.lastUsedNanos() >= idleNanos) {
            return null;
        }
        return cursor;
    }

    /**
     * Keeps a listing open for its next page.
     *
     * @param continued whether the listing had a cursor already (it gave its slot back in {@link #take}, and
     *     gets it again even if a new listing took it meanwhile: a walk is never cut off half way)
     * @return its new id, or {@code null} if the table is full even after dropping idle cursors
     */
    String keep(Iterator<String> keys, String prefix, boolean continued) {
        long now = now();
        if (!continued && open.size() >= max) {
            open.values().removeIf(cursor -> now - cursor.lastUsedNanos() >= idleNanos);
            if (open.size() >= max) {
                return null;
            }
        }
        String id = newId();
        open.put(id, new Cursor(keys, prefix, now));
        return id;
    }

    /**
     * @return an id of the form and length {@link #keep} gives, naming no listing: what a {@code HEAD} answers,
     *     whose client never sees the body and so could never use, or give back, a cursor kept for it
     */
    String unkeptId() {
        return newId();
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    int size() {
        return open.size();
    }

    int max() {
        return max;
    }
}
