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

    /** The lookup plus the seqlock read of the node (deadline, value, fence, deadline); no clock. */
    public Long seqlock(Long key) {
        Node<Long, Long> node = table.get(key, NodeTable.hash(key));
        while (node != null) {
            long d = node.deadlineAcquire();
            Long value = node.valueOpaque();
            VarHandle.acquireFence();
            if (d != node.deadlineOpaque()) {
                continue;
            }
            return Node.isMarker(d) ? null : value;
        }
        return null;
    }

    /** The lookup, the seqlock read and the clock compare; no maintenance poll, no hit recording. */
    public Long clock(Long key) {
        Node<Long, Long> node = table.get(key, NodeTable.hash(key));
        long now = cache.now();
        while (node != null) {
            long d = node.deadlineAcquire();
            Long value = node.valueOpaque();
            VarHandle.acquireFence();
            if (d != node.deadlineOpaque()) {
                continue;
            }
            return now < d ? value : null;
        }
        return null;
    }

    /** The whole hit: {@link KvCache#getIfPresent} (adds the maintenance poll and the hit hooks). */
    public Long full(Long key) {
        return cache.getIfPresent(key);
    }
}
