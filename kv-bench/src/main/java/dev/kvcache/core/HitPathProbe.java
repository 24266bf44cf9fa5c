package dev.kvcache.core;

import java.lang.invoke.VarHandle;

/**
 * Benchmark-only (kv-bench, not kv-core): the cache hit of {@link ExpiringCache} taken apart, one
 * piece added at a time, so that {@code HitPathBenchmark} can attribute the gap to
 * {@code ConcurrentHashMap.get}. It sits in the engine's package (a split package on the benchmark's
 * class path) to reach the package-private table and node; it writes nothing and is no API.
 * Each method returns the value it found, or null, so no load is dead code.
 */
public final class HitPathProbe {
    private final ExpiringCache<Long, Long> cache;
    private final NodeTable<Long, Long> table;

    /** @param cache a cache built by {@link KvCacheBuilder#build()} */
    public HitPathProbe(KvCache<Long, Long> cache) {
        this.cache = (ExpiringCache<Long, Long>) cache;
        this.table = this.cache.table;
    }

    /** The table lookup alone: hash, segment, bin walk, then the node's value (one opaque load). */
    public Long table(Long key) {
        Node<Long, Long> node = table.get(key, NodeTable.hash(key));
        return node == null ? null : node.valueOpaque();
    }

    /**
     * The lookup plus the plain hit's one read of the node (see {@code Node}'s class doc): the word
     * (acquire), the value (acquire), a marker check; no clock.
     */
    public Long word(Long key) {
        Node<Long, Long> node = table.get(key, NodeTable.hash(key));
        if (node == null) {
            return null;
        }
        long d = node.deadlineAcquire();
        Long value = node.valueAcquire();
        return Node.isMarker(d) ? null : value;
    }

    /** The lookup, the one read of the node and the clock compare; no maintenance poll, no hit hooks. */
    public Long clock(Long key) {
        Node<Long, Long> node = table.get(key, NodeTable.hash(key));
        long now = cache.now();
        if (node == null) {
            return null;
        }
        long d = node.deadlineAcquire();
        Long value = node.valueAcquire();
        return now < d ? value : null;
    }

    /** The whole hit: {@link KvCache#getIfPresent} (adds the maintenance poll and the hit hooks). */
    public Long full(Long key) {
        return cache.getIfPresent(key);
    }

    /** The node mapped to {@code key} in {@code cache}, or null: for {@code LayoutProbe}'s addresses. */
    public static Object node(KvCache<Long, Long> cache, Long key) {
        return ((ExpiringCache<Long, Long>) cache).table.get(key, NodeTable.hash(key));
    }
}
