package dev.kvcache.core.lincheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jetbrains.kotlinx.lincheck.Actor;

/**
 * What a cache configuration of {@link CacheOperations} promises, as a plain map of key to value and
 * deadline plus the ticker's time, in whole seconds (the only step {@code advance} takes). An entry is
 * live while {@code now < deadline}; an expired entry is absent to every operation. Every write that
 * stores a value without a TTL of its own ({@code put}, {@code putIfAbsent}, both {@code replace}s,
 * the store of a load, and the compute family: computed entries included) gives it the configuration's
 * default TTL, restarted at that write; {@code setTimeToLive} and {@code touch} restart a live entry's
 * TTL (its own, or the default) without changing its value, and leave an absent key absent. Immutable once shared: {@link CacheModelVerifier} applies each
 * step to a {@link #copy()}.
 */
final class CacheModel {
    /** The deadline, and default TTL, of an entry that never expires. */
    static final long NEVER = Long.MAX_VALUE;

    /** Returned by {@link #apply} for an operation that returns nothing. */
    static final Object VOID = new Object() {
        @Override
        public String toString() {
            return "void";
        }
    };

    private record Stored(int value, long deadline) {}

    private final long defaultTtlSeconds;
    private final TreeMap<Integer, Stored> entries;
    private long now;

    CacheModel(long defaultTtlSeconds) {
        this(defaultTtlSeconds, new TreeMap<>(), 0);
    }

    private CacheModel(long defaultTtlSeconds, TreeMap<Integer, Stored> entries, long now) {
        this.defaultTtlSeconds = defaultTtlSeconds;
        this.entries = entries;
        this.now = now;
    }

    CacheModel copy() {
        return new CacheModel(defaultTtlSeconds, new TreeMap<>(entries), now);
    }

    /** The live value of {@code key}, or null. */
    Integer live(int key) {
        Stored s = entries.get(key);
        return s != null && now < s.deadline ? s.value : null;
    }

    /** The live keys, in order. */
    List<Integer> liveKeys() {
        List<Integer> keys = new ArrayList<>();
        for (Map.Entry<Integer, Stored> e : entries.entrySet()) {
            if (now < e.getValue().deadline) {
                keys.add(e.getKey());
            }
        }
        return keys;
    }

    /** Drops {@code key}'s entry, as an eviction does. */
    void evict(int key) {
        entries.remove(key);
    }

    /**
     * One key's step of {@code removeIf(value equals given)}: removes the key's entry if it is live
     * and holds {@code value}. Returns whether it removed it.
     */
    boolean removeIfHolds(int key, int value) {
        Integer live = live(key);
        if (live == null || live != value) {
            return false;
        }
        entries.remove(key);
        return true;
    }

    /** Whether {@code actor} is a {@code removeIf}: one {@link #removeIfHolds} step per key. */
    static boolean isRemoveIf(Actor actor) {
        String name = actor.getMethod().getName();
        return name.equals("removeEntriesIf") || name.equals("removeValuesIf");
    }

    /** Whether {@code actor} takes one step per key ({@link #step}) rather than one in all. */
    static boolean isMultiKey(Actor actor) {
        String name = actor.getMethod().getName();
        return isRemoveIf(actor) || name.equals("getAllPresent") || name.equals("putAllOf")
                || name.equals("invalidateAllOf");
    }

    /** The keys a multi-key operation steps through, as a bit set (key k is bit k - 1). */
    static int keyBits(Actor actor) {
        if (isRemoveIf(actor)) {
            return (1 << CacheOperations.MAX_KEY) - 1;
        }
        List<Object> args = actor.getArguments();
        return (1 << ((Integer) args.get(0) - 1)) | (1 << ((Integer) args.get(1) - 1));
    }

    /** What a multi-key operation's result is before its first step. */
    static Object initialAccumulator(Actor actor) {
        String name = actor.getMethod().getName();
        return isRemoveIf(actor) ? Boolean.FALSE : name.equals("getAllPresent") ? new TreeMap<Integer, Integer>() : VOID;
    }

    /** One key's step of a multi-key operation, given its result so far; returns the new result so far. */
    Object step(Actor actor, int key, Object acc) {
        List<Object> args = actor.getArguments();
        switch (actor.getMethod().getName()) {
            case "removeEntriesIf", "removeValuesIf":
                return removeIfHolds(key, (Integer) args.get(0)) || (Boolean) acc;
            case "getAllPresent": {
                Integer live = live(key);
                if (live == null) {
                    return acc;
                }
                @SuppressWarnings("unchecked")
                TreeMap<Integer, Integer> present = new TreeMap<>((TreeMap<Integer, Integer>) acc);
                present.put(key, live);
                return present;
            }
            case "putAllOf":
                store(key, (Integer) args.get(2), defaultTtlSeconds);
                return VOID;
            case "invalidateAllOf":
                entries.remove(key);
                return VOID;
            default:
                throw new IllegalArgumentException("not a multi-key operation: " + actor);
        }
    }

    /** A multi-key operation's result once every key has been stepped through. */
    static Object resultOf(Actor actor, Object acc) {
        return acc;
    }

    /** Applies a single-step operation of {@link CacheOperations} and returns its expected result. */
    Object apply(Actor actor) {
        List<Object> args = actor.getArguments();
        String name = actor.getMethod().getName();
        if (name.equals("advance")) {
            now++;
            entries.values().removeIf(s -> now >= s.deadline); // normalizes the state for the search
            return VOID;
        }
        int key = (Integer) args.get(0);
        int value = args.size() > 1 ? (Integer) args.get(1) : 0;
        Integer live = live(key);
        switch (name) {
            case "getIfPresent":
                return live;
            case "getOrLoad":
                if (live != null) {
                    return live;
                }
                store(key, CacheOperations.loaded(key), defaultTtlSeconds);
                return CacheOperations.loaded(key);
            case "put":
                store(key, value, defaultTtlSeconds);
                return VOID;
            case "putWithTtl":
                store(key, value, (Integer) args.get(2));
                return VOID;
            case "setTimeToLive": // a live entry's TTL restarts from now; an absent key stays absent
                if (live == null) {
                    return false;
                }
                store(key, live, (Integer) args.get(1));
                return true;
            case "touch": // the same with the default TTL
                if (live == null) {
                    return false;
                }
                store(key, live, defaultTtlSeconds);
                return true;
            case "putIfAbsent":
                if (live == null) {
                    store(key, value, defaultTtlSeconds);
                }
                return live;
            case "replace":
                if (live != null) {
                    store(key, value, defaultTtlSeconds);
                }
                return live;
            case "replaceIfEquals": // (key, expected, value)
                if (live == null || live != value) {
                    return false;
                }
                store(key, (Integer) args.get(2), defaultTtlSeconds);
                return true;
            case "remove":
                entries.remove(key);
                return live;
            case "removeIfEquals":
                if (live == null || live != value) {
                    return false;
                }
                entries.remove(key);
                return true;
            case "compute":
                return storeOrRemove(key, CacheOperations.toggled(live, value));
            case "computeIfAbsent":
                return live != null ? live : storeOrRemove(key, CacheOperations.mappedIfAbsent(value));
            case "computeIfPresent":
                return live == null ? null : storeOrRemove(key, CacheOperations.toggled(live, value));
            case "merge":
                return storeOrRemove(key, live == null ? Integer.valueOf(value) : CacheOperations.summed(live, value));
            default:
                throw new IllegalArgumentException("no model of " + actor);
        }
    }

    /** The compute family's outcome: a value is stored with the default TTL, null removes the key. */
    private Integer storeOrRemove(int key, Integer next) {
        if (next == null) {
            entries.remove(key);
        } else {
            store(key, next, defaultTtlSeconds);
        }
        return next;
    }

    private void store(int key, int value, long ttlSeconds) {
        long deadline = ttlSeconds == NEVER || now > NEVER - ttlSeconds ? NEVER : now + ttlSeconds;
        entries.put(key, new Stored(value, deadline));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheModel m && m.now == now && m.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entries, now);
    }

    @Override
    public String toString() {
        return "at " + now + "s " + entries;
    }
}
