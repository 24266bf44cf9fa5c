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

    /**
     * {@code asMap().compute(key, f)}: {@code f} removes the entry (returns null) or stores a fresh
     * value, which gets the default TTL, restarted.
     */
    record Compute(int key, boolean removes) implements CacheOp {
        @Override public String toString() {
            return "compute(" + key + ", -> " + (removes ? "null" : "v") + ")";
        }
    }

    /** {@code asMap().computeIfAbsent(key, f)}: {@code f} declines (returns null) or stores a fresh value. */
    record ComputeIfAbsent(int key, boolean declines) implements CacheOp {
        @Override public String toString() {
            return "computeIfAbsent(" + key + ", -> " + (declines ? "null" : "v") + ")";
        }
    }

    /** {@code asMap().computeIfPresent(key, f)}: {@code f} removes the live entry or replaces its value. */
    record ComputeIfPresent(int key, boolean removes) implements CacheOp {
        @Override public String toString() {
            return "computeIfPresent(" + key + ", -> " + (removes ? "null" : "v") + ")";
        }
    }

    /**
     * {@code asMap().merge(key, v, f)}: stores {@code v} if the key is absent; otherwise {@code f}
     * removes the live entry or replaces its value.
     */
    record Merge(int key, boolean removes) implements CacheOp {
        @Override public String toString() {
            return "merge(" + key + ", v, -> " + (removes ? "null" : "v") + ")";
        }
    }

    /** {@code asMap().entrySet().removeIf(e -> e.getKey() % 3 == residue)}. */
    record RemoveEntriesIf(int residue) implements CacheOp {
        @Override public String toString() {
            return "entrySet().removeIf(key % 3 == " + residue + ")";
        }
    }

    /** {@code asMap().values().removeIf(v -> v % 3 == residue)}. */
    record RemoveValuesIf(int residue) implements CacheOp {
        @Override public String toString() {
            return "values().removeIf(value % 3 == " + residue + ")";
        }
    }

    /** {@code setTimeToLive(key, ttl)}: a live entry's TTL restarts from now, its value unchanged. */
    record SetTimeToLive(int key, long ttlMillis) implements CacheOp {
        @Override public String toString() {
            return "setTimeToLive(" + key + ", " + ttlMillis + "ms)";
        }
    }

    /** {@code touch(key)}: a live entry's default TTL restarts from now. */
    record Touch(int key) implements CacheOp {
        @Override public String toString() {
            return "touch(" + key + ")";
        }
    }

    /** {@code getAllPresent(keys)}. */
    record GetAllPresent(java.util.List<Integer> keys) implements CacheOp {
        @Override public String toString() {
            return "getAllPresent(" + keys + ")";
        }
    }

    /** {@code putAll(map)} (default TTL, when {@code ttlMillis} is 0) or {@code putAll(map, ttl)}, a fresh value per key. */
    record PutAll(java.util.List<Integer> keys, long ttlMillis) implements CacheOp {
        @Override public String toString() {
            return "putAll(" + keys + (ttlMillis == 0 ? "" : ", ttl=" + ttlMillis + "ms") + ")";
        }
    }

    /** {@code invalidateAll(keys)}. */
    record InvalidateAll(java.util.List<Integer> keys) implements CacheOp {
        @Override public String toString() {
            return "invalidateAll(" + keys + ")";
        }
    }

    /** {@code LoadingCache.get(key)}: the loader returns a fresh value. */
    record Load(int key) implements CacheOp {
        @Override public String toString() {
            return "load(" + key + ")";
        }
    }

    /** {@code LoadingCache.getAll(keys)}: the (default, one by one) bulk loader returns fresh values. */
    record LoadAll(java.util.List<Integer> keys) implements CacheOp {
        @Override public String toString() {
            return "getAll(" + keys + ")";
        }
    }

    /** {@code policy().setMaximum(maximum)}; an unbounded cache must refuse it. */
    record SetMaximum(long maximum) implements CacheOp {
        @Override public String toString() {
            return "setMaximum(" + maximum + ")";
        }
    }

    /** {@code policy().hottest(n)} and {@code coldest(n)} for every key: the live keys, in reverse orders. */
    record Rank() implements CacheOp {
        @Override public String toString() {
            return "hottest/coldest()";
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
