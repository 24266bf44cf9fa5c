package dev.kvcache.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.Policy;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders {@code GET /stats}: one JSON object with {@code entries}, {@code bytes}, {@code hits},
 * {@code misses}, {@code puts}, {@code evictions}, {@code expirations}, {@code uptimeMillis},
 * {@code draining} and {@code config} (the settings in force, see {@link #config}). Counts are those of kv-core's
 * {@link CacheStats}, read one after another, so under load they may be off by the operations in flight.
 */
final class StatsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private StatsJson() {}

    /**
     * The settings in force: the handler's options for a cache it built; for a shared cache, the cache's
     * own TTL ({@code null}: never) and bound ({@code maxEntries} or {@code maxWeight}, in the weigher's
     * units; {@code null} when it has none) beside the handler's key and value limits.
     */
    static Map<String, Object> config(KeyStore store, KvHandlerOptions options) {
        if (store.ownsCache()) {
            return options.describe();
        }
        Policy<String, StoredValue> policy = store.policy();
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("defaultTtlMillis", policy.timeToLive().equals(KvCache.NEVER) ? null : policy.timeToLive().toMillis());
        map.put("maxKeyBytes", options.maxKeyBytes());
        map.put("maxValueBytes", options.maxValueBytes());
        Long maximum = policy.maximum().isPresent() ? policy.maximum().getAsLong() : null;
        map.put("maxEntries", policy.isWeighted() ? null : maximum);
        map.put("maxWeight", policy.isWeighted() ? maximum : null);
        return map;
    }

    static byte[] render(KeyStore store, KvHandlerOptions options, long uptimeMillis, boolean draining) {
        CacheStats stats = store.stats();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("entries", store.size());
        json.put("bytes", store.payloadBytes());
        json.put("hits", stats.hitCount());
        json.put("misses", stats.missCount());
        json.put("puts", stats.putCount());
        json.put("evictions", stats.evictionCount());
        json.put("expirations", stats.expirationCount());
        json.put("uptimeMillis", uptimeMillis);
        json.put("draining", draining);
        json.put("config", config(store, options));
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            // A map of numbers, booleans and strings always serializes.
            throw new UncheckedIOException(e);
        }
    }
}
