package dev.kvcache.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * Accumulates a cache's statistics. {@link #DISABLED} does nothing and is what caches built without
 * {@code recordStats()} use; {@link #concurrent()} counts with striped adders, so counting a hit is
 * contention-free and allocation-free once warmed.
 */
interface StatsCounter {
    StatsCounter DISABLED = new StatsCounter() {
        @Override public void recordHit() {}
        @Override public void recordMiss() {}
        @Override public void recordPut() {}
        @Override public void recordRemoval(RemovalCause cause) {}
        @Override public void recordLoad(boolean success, long nanos) {}
        @Override public CacheStats snapshot() {
            return CacheStats.empty();
        }
    };

    void recordHit();

    void recordMiss();

    void recordPut();

    /** Counts a removal in its class; {@link RemovalCause#REPLACED} is not counted (the put is). */
    void recordRemoval(RemovalCause cause);

    void recordLoad(boolean success, long nanos);

    CacheStats snapshot();

    static StatsCounter concurrent() {
        return new ConcurrentStatsCounter();
    }

    /** Striped counters for caches built with {@code recordStats()}. */
    final class ConcurrentStatsCounter implements StatsCounter {
        private final LongAdder hits = new LongAdder();
        private final LongAdder misses = new LongAdder();
        private final LongAdder puts = new LongAdder();
        private final LongAdder evictions = new LongAdder();
        private final LongAdder expirations = new LongAdder();
        private final LongAdder removals = new LongAdder();
        private final LongAdder loadSuccesses = new LongAdder();
        private final LongAdder loadFailures = new LongAdder();
        private final LongAdder loadNanos = new LongAdder();

        @Override public void recordHit() {
            hits.increment();
        }

        @Override public void recordMiss() {
            misses.increment();
        }

        @Override public void recordPut() {
            puts.increment();
        }

        @Override public void recordRemoval(RemovalCause cause) {
            switch (cause) {
                case SIZE -> evictions.increment();
                case EXPIRED -> expirations.increment();
                case EXPLICIT -> removals.increment();
                case REPLACED -> { }
            }
        }

        @Override public void recordLoad(boolean success, long nanos) {
            (success ? loadSuccesses : loadFailures).increment();
            loadNanos.add(Math.max(0, nanos));
        }

        @Override public CacheStats snapshot() {
            return new CacheStats(hits.sum(), misses.sum(), puts.sum(), evictions.sum(), expirations.sum(),
                    removals.sum(), loadSuccesses.sum(), loadFailures.sum(), loadNanos.sum());
        }
    }
}
