package dev.kvcache.bench.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference model of the server's key routes: a map of key to the last write (body, content type
 * it will be read back with, ETag the server gave it, deadline), the time, and what the client has
 * seen (the last ETag per key, every ETag ever issued). An entry is live while {@code now < deadline}.
 */
final class HttpModel {
    record Entry(byte[] body, String contentType, String etag, long deadlineMillis) {}

    private final Map<Integer, Entry> entries = new HashMap<>();
    private final Map<Integer, String> lastSeenEtag = new HashMap<>();
    private final Map<Integer, List<String>> issuedEtags = new HashMap<>();
    private final List<String> allIssued = new ArrayList<>();
    private long nowMillis;

    long nowMillis() {
        return nowMillis;
    }

    void advance(long millis) {
        nowMillis += millis;
    }

    /** The live entry of {@code key}, or null. */
    Entry live(int key) {
        Entry e = entries.get(key);
        return e != null && nowMillis < e.deadlineMillis ? e : null;
    }

    int liveCount() {
        return (int) entries.keySet().stream().filter(k -> live(k) != null).count();
    }

    void store(int key, byte[] body, String contentType, String etag, long ttlMillis) {
        entries.put(key, new Entry(body, contentType, etag, nowMillis + ttlMillis));
        issuedEtags.computeIfAbsent(key, k -> new ArrayList<>()).add(etag);
        allIssued.add(etag);
        lastSeenEtag.put(key, etag);
    }

    void remove(int key) {
        entries.remove(key);
    }

    boolean everIssued(String etag) {
        return allIssued.contains(etag);
    }

    /** The ETag the client last saw for {@code key} (from a write's or a read's answer), or null. */
    String lastSeen(int key) {
        return lastSeenEtag.get(key);
    }

    void seen(int key, String etag) {
        lastSeenEtag.put(key, etag);
    }

    /** An ETag that is not the key's current one: the oldest it ever had, else one never issued. */
    String staleEtag(int key) {
        Entry current = live(key);
        for (String etag : issuedEtags.getOrDefault(key, List.of())) {
            if (current == null || !etag.equals(current.etag())) {
                return etag;
            }
        }
        return "\"never-issued-" + key + "\"";
    }
}
