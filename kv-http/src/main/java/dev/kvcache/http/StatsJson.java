package dev.kvcache.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kvcache.core.CacheStats;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders {@code GET /stats}: one JSON object with {@code entries}, {@code bytes}, {@code hits},
 * {@code misses}, {@code puts}, {@code evictions}, {@code expirations}, {@code uptimeMillis},
 * {@code draining} and {@code config} (the handler's options). Counts are those of kv-core's
 * {@link CacheStats}, read one after another, so under load they may be off by the operations in flight.
 */
final class StatsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private StatsJson() {}

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
        json.put("config", options.describe());
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            // A map of numbers, booleans and strings always serializes.
            throw new UncheckedIOException(e);
        }
    }
}
