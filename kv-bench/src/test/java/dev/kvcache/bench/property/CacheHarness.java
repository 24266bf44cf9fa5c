package dev.kvcache.bench.property;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.Expiry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.KvCacheBuilder;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * Runs a {@link CacheOp} sequence against a real cache and the {@link CacheModel} side by side, and
 * checks after every step that both agree: each operation's result, the whole live content (read
 * through {@code asMap()}, which does not disturb the eviction policy), the bound, and every removal
 * notification (right key and value, a cause that fits, never twice).
 */
final class CacheHarness {
    /** Removal notification as received. */
    private record Removal(int key, int value, RemovalCause cause) {}

    /** How entries get their TTL: a default one, an expiry function with a read hook, or a time-to-idle capped by a TTL. */
    enum Mode { TTL, EXPIRY_WITH_READ_HOOK, IDLE_WITH_TTL }

    private static final long READ_HOOK_TTL_MILLIS = 700;
    private static final long CAPPED_TTL_MILLIS = 3_000;

    /** The expiry function of {@link Mode#EXPIRY_WITH_READ_HOOK}: a TTL by key on writes, 700 ms on reads. */
    private static final Expiry<Integer, Integer> BY_KEY = new Expiry<>() {
        @Override
        public long afterCreateNanos(Integer key, Integer value) {
            return ttlByKeyMillis(key) * 1_000_000;
        }

        @Override
        public long afterReadNanos(Integer key, Integer value, long remainingNanos) {
            return READ_HOOK_TTL_MILLIS * 1_000_000;
        }
    };

    private static long ttlByKeyMillis(int key) {
        return (key % 3 + 1) * 400L;
    }

    private final FakeTicker ticker = new FakeTicker();
    private final Mode mode;
    private final CacheModel model;
    private final List<Removal> removals = new ArrayList<>();
    /** Every value stored and not yet reported removed, by value. */
    private final Map<Integer, CacheModel.Stored> outstanding = new HashMap<>();
    private final LoadingCache<Integer, Integer> cache;
    /** The values the loader returned, by key, since the step began. */
    private final Map<Integer, Integer> loaded = new HashMap<>();
    /*
     * Values a multi-key step overwrote: one of its earlier per-key writes may have evicted such a
     * value before a later one overwrote it (each key is atomic, the step is not).
     */
    private final java.util.Set<Integer> overwrittenInStep = new java.util.HashSet<>();
    private long maximumWeight;
    private final ToIntFunction<Integer> weightOfKey;
    private int nextValue = 100;

    private CacheHarness(KvCacheBuilder<Object, Object> builder, long maximumWeight, ToIntFunction<Integer> weightOfKey) {
        this(Mode.TTL, builder, maximumWeight, weightOfKey);
    }

    private CacheHarness(Mode mode, KvCacheBuilder<Object, Object> builder, long maximumWeight,
            ToIntFunction<Integer> weightOfKey) {
        this.mode = mode;
        this.model = new CacheModel(mode == Mode.IDLE_WITH_TTL ? CacheOps.DEFAULT_TTL_MILLIS * 1_000_000 : 0);
        switch (mode) {
            case TTL -> builder.timeToLive(Duration.ofMillis(CacheOps.DEFAULT_TTL_MILLIS));
            case EXPIRY_WITH_READ_HOOK -> builder.<Integer, Integer>expiry(BY_KEY);
            case IDLE_WITH_TTL -> builder.timeToIdle(Duration.ofMillis(CacheOps.DEFAULT_TTL_MILLIS))
                    .timeToLive(Duration.ofMillis(CAPPED_TTL_MILLIS));
        }
        this.cache = builder.ticker(ticker)
                .<Integer, Integer>removalListener((k, v, cause) -> removals.add(new Removal(k, v, cause)))
                .build(key -> {
                    int value = nextValue++;
                    assertNull(loaded.put(key, value), () -> "key " + key + " loaded twice in one step");
                    return value;
                });
        this.maximumWeight = maximumWeight;
        this.weightOfKey = weightOfKey;
    }

    /** Unbounded, with an expiry function that has a read hook. */
    static CacheHarness withExpiryFunction() {
        return new CacheHarness(Mode.EXPIRY_WITH_READ_HOOK, KvCache.builder(), Long.MAX_VALUE, k -> 1);
    }

    /** Bounded by size, with a time-to-idle (the default TTL's length) capped by a TTL of 3 s. */
    static CacheHarness idleCappedBySize(int maximumSize) {
        return new CacheHarness(Mode.IDLE_WITH_TTL, KvCache.builder().maximumSize(maximumSize), maximumSize, k -> 1);
    }

    /** The TTL a write without its own gets. */
    private long defaultTtlMillis(int key) {
        return switch (mode) {
            case TTL -> CacheOps.DEFAULT_TTL_MILLIS;
            case EXPIRY_WITH_READ_HOOK -> ttlByKeyMillis(key);
            case IDLE_WITH_TTL -> CAPPED_TTL_MILLIS;
        };
    }

    /** A read hit of {@code key}: with a read hook or a time-to-idle it may move the deadline. */
    private void readHit(int key) {
        long ttl = switch (mode) {
            case TTL -> 0;
            case EXPIRY_WITH_READ_HOOK -> READ_HOOK_TTL_MILLIS * 1_000_000;
            case IDLE_WITH_TTL -> CacheOps.DEFAULT_TTL_MILLIS * 1_000_000;
        };
        if (model.live(key) != null) {
            CacheModel.Stored s = model.read(key, ttl);
            outstanding.put(s.value(), s);
        }
    }

    static CacheHarness unbounded() {
        return new CacheHarness(KvCache.builder(), Long.MAX_VALUE, k -> 1);
    }

    static CacheHarness boundedBySize(int maximumSize) {
        return new CacheHarness(KvCache.builder().maximumSize(maximumSize), maximumSize, k -> 1);
    }

    /** Bounded by weight, each entry weighing {@code key % 4 + 1}. */
    static CacheHarness boundedByWeight(long maximumWeight) {
        KvCacheBuilder<Object, Object> b = KvCache.builder();
        b.<Integer, Integer>maximumWeight(maximumWeight, (k, v) -> k % 4 + 1);
        return new CacheHarness(b, maximumWeight, k -> k % 4 + 1);
    }

    void run(List<CacheOp> ops) {
        for (CacheOp op : ops) {
            step(op);
        }
        cache.cleanUp();
        checkRemovals(null);
        checkContent("final cleanUp()");
        // Nothing leaks: every stored value is live or was reported exactly once.
        assertEquals(new HashMap<>(model.liveView()).values().stream().sorted().toList(),
                outstanding.keySet().stream().sorted().toList(), "values neither live nor reported");
    }

    private void step(CacheOp op) {
        if (op instanceof CacheOp.Put p) {
            write(p.key(), defaultTtlMillis(p.key()), v -> {
                cache.put(p.key(), v);
                return null;
            }, null);
        } else if (op instanceof CacheOp.PutWithTtl p) {
            write(p.key(), p.ttlMillis(), v -> {
                cache.put(p.key(), v, Duration.ofMillis(p.ttlMillis()));
                return null;
            }, null);
        } else if (op instanceof CacheOp.Get g) {
            assertEquals(model.live(g.key()), cache.getIfPresent(g.key()), op::toString);
            readHit(g.key());
        } else if (op instanceof CacheOp.Remove r) {
            assertEquals(model.live(r.key()), cache.remove(r.key()), op::toString);
            model.remove(r.key());
        } else if (op instanceof CacheOp.PutIfAbsent p) {
            Integer current = model.live(p.key());
            if (current != null) {
                assertEquals(current, cache.putIfAbsent(p.key(), nextValue++), op::toString);
            } else {
                write(p.key(), defaultTtlMillis(p.key()), v -> cache.putIfAbsent(p.key(), v), null);
            }
        } else if (op instanceof CacheOp.Replace r) {
            Integer current = model.live(r.key());
            if (current == null) {
                assertEquals(null, cache.replace(r.key(), nextValue++), op::toString);
            } else {
                write(r.key(), defaultTtlMillis(r.key()), v -> cache.replace(r.key(), v), current);
            }
        } else if (op instanceof CacheOp.CompareAndSet c) {
            Integer current = model.live(c.key());
            if (current == null || !c.withCurrentValue()) {
                int stale = current == null ? -1 : current + 1_000_000; // never stored
                assertEquals(false, cache.replace(c.key(), stale, nextValue++), op::toString);
            } else {
                write(c.key(), defaultTtlMillis(c.key()),
                        v -> cache.replace(c.key(), current, v) ? current : null, current);
            }
        } else if (op instanceof CacheOp.Compute c) {
            Integer live = model.live(c.key());
            int fresh = nextValue++;
            Integer result = callCounted(1, op, calls -> cache.asMap().compute(c.key(), (k, old) -> {
                calls.incrementAndGet();
                assertEquals(live, old, () -> op + " shown a value that is not the live one");
                return c.removes() ? null : fresh;
            }));
            computed(c.key(), c.removes() ? null : fresh, result, op);
        } else if (op instanceof CacheOp.ComputeIfAbsent c) {
            Integer live = model.live(c.key());
            int fresh = nextValue++;
            Integer result = callCounted(live == null ? 1 : 0, op, calls -> cache.asMap().computeIfAbsent(c.key(), k -> {
                calls.incrementAndGet();
                return c.declines() ? null : fresh;
            }));
            if (live != null) {
                assertEquals(live, result, op::toString);
                readHit(c.key()); // a live key's computeIfAbsent is a lookup, hence a read
            } else {
                computed(c.key(), c.declines() ? null : fresh, result, op);
            }
        } else if (op instanceof CacheOp.ComputeIfPresent c) {
            Integer live = model.live(c.key());
            int fresh = nextValue++;
            Integer result = callCounted(live == null ? 0 : 1, op, calls -> cache.asMap().computeIfPresent(c.key(), (k, old) -> {
                calls.incrementAndGet();
                assertEquals(live, old, () -> op + " shown a value that is not the live one");
                return c.removes() ? null : fresh;
            }));
            if (live == null) {
                assertEquals(null, result, op::toString);
            } else {
                computed(c.key(), c.removes() ? null : fresh, result, op);
            }
        } else if (op instanceof CacheOp.Merge m) {
            Integer live = model.live(m.key());
            int given = nextValue++;
            int fresh = nextValue++;
            Integer result = callCounted(live == null ? 0 : 1, op, calls -> cache.asMap().merge(m.key(), given, (old, v) -> {
                calls.incrementAndGet();
                assertEquals(live, old, () -> op + " shown a value that is not the live one");
                assertEquals(given, v, () -> op + " shown a value that is not the given one");
                return m.removes() ? null : fresh;
            }));
            computed(m.key(), live == null ? Integer.valueOf(given) : m.removes() ? null : fresh, result, op);
        } else if (op instanceof CacheOp.RemoveEntriesIf r) {
            removedIf(op, e -> e.getKey() % 3 == r.residue(),
                    filter -> cache.asMap().entrySet().removeIf(e -> filter.test(Map.entry(e.getKey(), e.getValue()))));
        } else if (op instanceof CacheOp.RemoveValuesIf r) {
            removedIf(op, e -> e.getValue() % 3 == r.residue(), filter -> cache.asMap().values().removeIf(v -> {
                Integer key = keyOfLive(v);
                assertNotNull(key, () -> op + " shown " + v + ", which is not live");
                return filter.test(Map.entry(key, v));
            }));
        } else if (op instanceof CacheOp.SetTimeToLive t) {
            retimed(t.key(), t.ttlMillis(), cache.setTimeToLive(t.key(), Duration.ofMillis(t.ttlMillis())), op);
        } else if (op instanceof CacheOp.Touch t) {
            retimed(t.key(), defaultTtlMillis(t.key()), cache.touch(t.key()), op);
        } else if (op instanceof CacheOp.GetAllPresent g) {
            Map<Integer, Integer> expected = new java.util.LinkedHashMap<>();
            for (int key : g.keys()) {
                Integer live = model.live(key);
                if (live != null) {
                    expected.put(key, live);
                }
            }
            Map<Integer, Integer> actual = cache.getAllPresent(g.keys());
            assertEquals(expected, actual, op::toString);
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), () -> "order of " + op);
            expected.keySet().forEach(this::readHit);
        } else if (op instanceof CacheOp.PutAll p) {
            Map<Integer, Integer> entries = new java.util.LinkedHashMap<>();
            for (int key : p.keys()) {
                entries.put(key, nextValue++);
            }
            if (p.ttlMillis() == 0) {
                cache.putAll(entries);
            } else {
                cache.putAll(entries, Duration.ofMillis(p.ttlMillis()));
            }
            entries.forEach((key, value) -> {
                long ttl = p.ttlMillis() == 0 ? defaultTtlMillis(key) : p.ttlMillis();
                Integer old = model.live(key);
                if (old != null) {
                    overwrittenInStep.add(old);
                }
                outstanding.put(value, model.store(key, value, ttl * 1_000_000));
            });
        } else if (op instanceof CacheOp.InvalidateAll i) {
            cache.invalidateAll(i.keys());
            i.keys().forEach(model::remove);
        } else if (op instanceof CacheOp.Load l) {
            Integer live = model.live(l.key());
            Integer result = cache.get(l.key());
            if (live != null) {
                assertEquals(live, result, op::toString);
                assertEquals(Map.of(), loaded, () -> op + " loaded a live key");
                readHit(l.key());
            } else {
                assertEquals(loaded.get(l.key()), result, op::toString);
                assertNotNull(result, () -> op + " did not load");
                outstanding.put(result, model.store(l.key(), result, defaultTtlMillis(l.key()) * 1_000_000));
            }
        } else if (op instanceof CacheOp.LoadAll l) {
            Map<Integer, Integer> expected = new java.util.LinkedHashMap<>();
            List<Integer> missing = new ArrayList<>();
            for (int key : l.keys()) {
                Integer live = model.live(key);
                if (live != null) {
                    expected.put(key, live);
                } else if (!missing.contains(key)) {
                    missing.add(key);
                    expected.put(key, null); // keeps the request order
                }
            }
            Map<Integer, Integer> actual = cache.getAll(l.keys());
            new java.util.HashSet<>(expected.keySet()).stream().filter(k -> !missing.contains(k)).forEach(this::readHit);
            assertEquals(new java.util.HashSet<>(missing), loaded.keySet(), () -> "keys loaded by " + op);
            for (int key : missing) {
                int value = loaded.get(key);
                expected.put(key, value);
                outstanding.put(value, model.store(key, value, defaultTtlMillis(key) * 1_000_000));
            }
            assertEquals(expected, actual, op::toString);
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), () -> "order of " + op);
        } else if (op instanceof CacheOp.SetMaximum m) {
            if (maximumWeight == Long.MAX_VALUE) {
                org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                        () -> cache.policy().setMaximum(m.maximum()), op::toString);
            } else {
                cache.policy().setMaximum(m.maximum());
                maximumWeight = m.maximum();
                assertEquals(java.util.OptionalLong.of(m.maximum()), cache.policy().maximum(), op::toString);
            }
        } else if (op instanceof CacheOp.Rank) {
            if (maximumWeight == Long.MAX_VALUE) {
                org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                        () -> cache.policy().hottest(CacheOps.KEYS), op::toString);
            } else {
                List<Integer> hottest = cache.policy().hottest(CacheOps.KEYS);
                List<Integer> coldest = new ArrayList<>(cache.policy().coldest(CacheOps.KEYS));
                checkRemovals(op); // ranking drains first, which may reclaim expired entries
                assertEquals(model.liveView().keySet(), new java.util.HashSet<>(hottest), () -> "keys ranked by " + op);
                assertEquals(hottest.size(), new java.util.HashSet<>(hottest).size(), () -> op + " listed a key twice");
                java.util.Collections.reverse(coldest);
                assertEquals(hottest, coldest, () -> "coldest is not the reverse of hottest after " + op);
            }
        } else if (op instanceof CacheOp.Advance a) {
            ticker.advance(a.nanos());
            model.advance(a.nanos());
        } else if (op instanceof CacheOp.CleanUp) {
            cache.cleanUp();
        } else {
            throw new AssertionError("unknown op " + op);
        }
        loaded.clear();
        checkRemovals(op);
        overwrittenInStep.clear();
        checkContent(op.toString());
    }

    /**
     * Runs a compute-family call and checks that it ran its function exactly {@code expectedCalls}
     * times (never twice: the function runs at most once per call).
     */
    private Integer callCounted(int expectedCalls, CacheOp op, java.util.function.Function<AtomicInteger, Integer> call) {
        AtomicInteger calls = new AtomicInteger();
        Integer result = call.apply(calls);
        assertEquals(expectedCalls, calls.get(), () -> "function calls of " + op);
        return result;
    }

    /** A compute-family outcome: {@code next} (null removes the key) is stored with the default TTL, restarted. */
    private void computed(int key, Integer next, Integer result, CacheOp op) {
        assertEquals(next, result, () -> "result of " + op);
        if (next == null) {
            model.remove(key);
        } else {
            outstanding.put(next, model.store(key, next, defaultTtlMillis(key) * 1_000_000));
        }
    }

    /**
     * A view's {@code removeIf}, through {@code run}, with the element test {@code accepts}: every
     * element it is shown must be live; it removes exactly the live entries accepted, and returns
     * whether there were any.
     */
    private void removedIf(CacheOp op, java.util.function.Predicate<Map.Entry<Integer, Integer>> accepts,
            java.util.function.Predicate<java.util.function.Predicate<Map.Entry<Integer, Integer>>> run) {
        Map<Integer, Integer> before = model.liveView();
        Map<Integer, Integer> shown = new HashMap<>();
        boolean removed = run.test(e -> {
            assertEquals(before.get(e.getKey()), e.getValue(), () -> op + " shown " + e + ", which is not live");
            assertNull(shown.put(e.getKey(), e.getValue()), () -> op + " shown key " + e.getKey() + " twice");
            return accepts.test(e);
        });
        assertEquals(before, shown, () -> op + " was not shown every live entry");
        boolean expected = false;
        for (Map.Entry<Integer, Integer> e : before.entrySet()) {
            if (accepts.test(e)) {
                model.remove(e.getKey());
                expected = true;
            }
        }
        assertEquals(expected, removed, () -> "result of " + op);
    }

    /** The key holding live value {@code value} (values are unique), or null. */
    private Integer keyOfLive(int value) {
        for (Map.Entry<Integer, Integer> e : model.liveView().entrySet()) {
            if (e.getValue() == value) {
                return e.getKey();
            }
        }
        return null;
    }

    /** A write that stores a fresh value; {@code call} returns the operation's result. */
    private void write(int key, long ttlMillis, java.util.function.IntFunction<Integer> call, Integer expectedResult) {
        int value = nextValue++;
        Integer result = call.apply(value);
        assertEquals(expectedResult, result, () -> "result of the write of " + value + " to " + key);
        CacheModel.Stored stored = model.store(key, value, ttlMillis * 1_000_000);
        outstanding.put(value, stored);
    }

    /** A TTL change's outcome: true for a live key, whose value then gets a new deadline. */
    private void retimed(int key, long ttlMillis, boolean changed, CacheOp op) {
        Integer live = model.live(key);
        assertEquals(live != null, changed, op::toString);
        if (live != null) {
            outstanding.put(live, model.store(key, live, ttlMillis * 1_000_000));
        }
    }

    private void checkRemovals(CacheOp op) {
        for (Removal r : removals) {
            CacheModel.Stored stored = outstanding.remove(r.value());
            assertNotNull(stored, () -> "unknown or duplicate notification " + r + " after " + op);
            assertEquals(stored.key(), r.key(), () -> "notification key " + r);
            if (r.cause() == RemovalCause.EXPIRED) {
                assertTrue(stored.deadline() <= model.now(), () -> "EXPIRED before its deadline: " + r
                        + " deadline " + stored.deadline() + " now " + model.now());
            } else if (r.cause() == RemovalCause.SIZE) {
                assertTrue(maximumWeight != Long.MAX_VALUE, "SIZE eviction in an unbounded cache");
                if (!overwrittenInStep.contains(r.value())) {
                    assertEquals(r.value(), model.live(r.key()), () -> "SIZE eviction of a value not live: " + r);
                    model.evict(r.key(), r.value());
                }
            } else {
                assertTrue(!Integer.valueOf(r.value()).equals(model.live(r.key())),
                        () -> r.cause() + " notification for a value still live: " + r + " after " + op);
            }
        }
        removals.clear();
    }

    private void checkContent(String after) {
        Map<Integer, Integer> actual = new HashMap<>(cache.asMap());
        assertEquals(model.liveView(), actual, () -> "live content after " + after);
        long weight = actual.keySet().stream().mapToLong(weightOfKey::applyAsInt).sum();
        assertTrue(weight <= maximumWeight, () -> "weight " + weight + " over " + maximumWeight + " after " + after);
    }
}
