package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A thread-safe {@link RemovalListener} that records every notification, for assertions. */
final class RecordingListener<K, V> implements RemovalListener<K, V> {

    /** One notification. */
    record Removal<K, V>(K key, V value, RemovalCause cause) {}

    private final List<Removal<K, V>> removals = new ArrayList<>();

    @Override
    public synchronized void onRemoval(K key, V value, RemovalCause cause) {
        removals.add(new Removal<>(key, value, cause));
    }

    synchronized List<Removal<K, V>> removals() {
        return List.copyOf(removals);
    }

    synchronized int size() {
        return removals.size();
    }

    synchronized long count(RemovalCause cause) {
        return removals.stream().filter(r -> r.cause() == cause).count();
    }

    synchronized void clear() {
        removals.clear();
    }

    /** Asserts the notifications so far are exactly these, in any order, each as many times as listed. */
    @SafeVarargs
    final void assertExactly(Removal<K, V>... expected) {
        List<Removal<K, V>> wanted = new ArrayList<>();
        for (Removal<K, V> removal : expected) {
            wanted.add(removal);
        }
        assertEquals(multiset(wanted), multiset(removals()), () -> "notifications: " + removals());
    }

    static <K, V> Removal<K, V> removal(K key, V value, RemovalCause cause) {
        return new Removal<>(key, value, cause);
    }

    private static <T> Map<T, Integer> multiset(List<T> items) {
        Map<T, Integer> counts = new HashMap<>();
        for (T item : items) {
            counts.merge(item, 1, Integer::sum);
        }
        return counts;
    }
}
