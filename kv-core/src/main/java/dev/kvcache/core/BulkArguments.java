package dev.kvcache.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks the arguments of the bulk methods of {@link KvCache} before they touch the cache, so that a
 * null key or value fails the call with nothing done rather than half-way through it.
 */
final class BulkArguments {
    private BulkArguments() {}

    /** The distinct keys of {@code keys}, in iteration order. */
    static <K> Set<K> keys(Iterable<? extends K> keys) {
        Objects.requireNonNull(keys, "keys");
        Set<K> distinct = new LinkedHashSet<>();
        for (K key : keys) {
            distinct.add(Objects.requireNonNull(key, "keys contains a null key"));
        }
        return distinct;
    }

    /** A copy of the entries of {@code entries}, each key and value checked. */
    static <K, V> List<Map.Entry<K, V>> entries(Map<? extends K, ? extends V> entries) {
        Objects.requireNonNull(entries, "entries");
        List<Map.Entry<K, V>> copy = new ArrayList<>(entries.size());
        for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
            copy.add(Map.entry(Objects.requireNonNull(e.getKey(), "entries contains a null key"),
                    Objects.requireNonNull(e.getValue(), () -> "entries maps " + e.getKey() + " to null")));
        }
        return copy;
    }
}
