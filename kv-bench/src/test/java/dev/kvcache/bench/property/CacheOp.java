package dev.kvcache.bench.property;

/**
 * One step of a stateful test of a cache: an operation on a small key space, or a move of the fake
 * clock. Each prints as the call it stands for, so that a shrunk counterexample reads as a program.
 * Values are not part of the step: the runner gives every write a fresh, unique value.
 */
sealed interface CacheOp {

    /** {@code put(key, v)} with the cache's default TTL. */
    record Put(int key) implements CacheOp {
        @Override public String toString() {
            return "put(" + key + ")";
        }
    }

    /** {@code put(key, v, ttl)}. */
    record PutWithTtl(int key, long ttlMillis) implements CacheOp {
        @Override public String toString() {
            return "put(" + key + ", ttl=" + ttlMillis + "ms)";
        }
    }

    /** {@code getIfPresent(key)}. */
    record Get(int key) implements CacheOp {
        @Override public String toString() {
            return "get(" + key + ")";
        }
    }

    /** {@code remove(key)}. */
    record Remove(int key) implements CacheOp {
        @Override public String toString() {
            return "remove(" + key + ")";
        }
    }

    /** {@code putIfAbsent(key, v)}. */
    record PutIfAbsent(int key) implements CacheOp {
        @Override public String toString() {
            return "putIfAbsent(" + key + ")";
        }
    }

    /** {@code replace(key, v)}. */
    record Replace(int key) implements CacheOp {
        @Override public String toString() {
            return "replace(" + key + ")";
        }
    }

    /** {@code replace(key, expected, v)}, with the current value or with one that never matches. */
    record CompareAndSet(int key, boolean withCurrentValue) implements CacheOp {
        @Override public String toString() {
            return "replace(" + key + ", " + (withCurrentValue ? "current" : "stale") + ", v)";
        }
    }

    /** Moves the fake ticker forward. */
    record Advance(long nanos) implements CacheOp {
        @Override public String toString() {
            return nanos % 1_000_000 == 0 ? "advance(" + nanos / 1_000_000 + "ms)" : "advance(" + nanos + "ns)";
        }
    }

    /** {@code cleanUp()}. */
    record CleanUp() implements CacheOp {
        @Override public String toString() {
            return "cleanUp()";
        }
    }
}
