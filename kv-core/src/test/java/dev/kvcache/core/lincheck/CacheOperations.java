package dev.kvcache.core.lincheck;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.Ticker;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.function.Function;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jetbrains.lincheck.datastructures.verifier.Verifier;

/**
 * The single-key operations of {@link KvCache}, its bulk operations ({@code getAllPresent},
 * {@code putAll}, {@code invalidateAll(keys)}, each over two keys, atomic per key), the compute family
 * of its map view and the views' {@code removeIf}, as Lincheck operations over keys and values 1..3, so that operations collide often
 * and the model checker's scenarios stay small. Each subclass builds the cache configuration it
 * checks; Lincheck builds a fresh instance per scenario, and {@link CacheModelVerifier} accepts a
 * concurrent run's results only if some order of its operations that respects real time gives the
 * same results on {@link CacheModel} (a map with deadlines). {@code removeIf} is weakly consistent,
 * as ConcurrentHashMap's is: it is one conditional removal per key, each at its own instant within
 * the call, and the verifier orders those instants freely.
 *
 * <p>{@link KvCache#estimatedSize()} is not an operation here: its contract lets it miss or
 * double-count entries under concurrent writes, so it is not linearizable. Its exact promise (no
 * concurrent writes, nothing expired) is checked by {@link #sizeIsExactAndBoundedWhenQuiescent()} after every
 * part of every scenario, and by {@link EstimatedSizeLincheckTest} against concurrent reads.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:3")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
@Param(name = "ttlSeconds", gen = IntGen.class, conf = "1:2")
public abstract class CacheOperations {
    static final int MAX_KEY = 3;
    static final int MAX_VALUE = 3;

    /** The cache's ticker: it moves only in configurations that advance it. */
    final FakeTicker ticker = new FakeTicker();
    final KvCache<Integer, Integer> cache;

    CacheOperations(Function<Ticker, KvCache<Integer, Integer>> configuration) {
        this.cache = configuration.apply(ticker);
    }

    /** The value the loader of {@link #getOrLoad} produces for {@code key}: distinct from put values. */
    static int loaded(int key) {
        return 100 + key;
    }

    @Operation
    public Integer getIfPresent(@Param(name = "key") int key) {
        return cache.getIfPresent(key);
    }

    @Operation
    public Integer getOrLoad(@Param(name = "key") int key) {
        return cache.get(key, CacheOperations::loaded);
    }

    @Operation
    public void put(@Param(name = "key") int key, @Param(name = "value") int value) {
        cache.put(key, value);
    }

    @Operation
    public void putWithTtl(@Param(name = "key") int key, @Param(name = "value") int value,
            @Param(name = "ttlSeconds") int ttlSeconds) {
        cache.put(key, value, Duration.ofSeconds(ttlSeconds));
    }

    @Operation
    public boolean setTimeToLive(@Param(name = "key") int key, @Param(name = "ttlSeconds") int ttlSeconds) {
        return cache.setTimeToLive(key, Duration.ofSeconds(ttlSeconds));
    }

    @Operation
    public boolean touch(@Param(name = "key") int key) {
        return cache.touch(key);
    }

    @Operation
    public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
        return cache.putIfAbsent(key, value);
    }

    @Operation
    public Integer replace(@Param(name = "key") int key, @Param(name = "value") int value) {
        return cache.replace(key, value);
    }

    @Operation
    public boolean replaceIfEquals(@Param(name = "key") int key, @Param(name = "value") int expected,
            @Param(name = "value") int value) {
        return cache.replace(key, expected, value);
    }

    @Operation
    public Integer remove(@Param(name = "key") int key) {
        return cache.remove(key);
    }

    @Operation
    public boolean removeIfEquals(@Param(name = "key") int key, @Param(name = "value") int expected) {
        return cache.remove(key, expected);
    }

    @Operation
    public Integer compute(@Param(name = "key") int key, @Param(name = "value") int value) {
        return cache.asMap().compute(key, (k, old) -> toggled(old, value));
    }

    @Operation
    public Integer computeIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
        return cache.asMap().computeIfAbsent(key, k -> mappedIfAbsent(value));
    }

    @Operation
    public Integer computeIfPresent(@Param(name = "key") int key, @Param(name = "value") int value) {
        return cache.asMap().computeIfPresent(key, (k, old) -> toggled(old, value));
    }

    @Operation
    public Integer merge(@Param(name = "key") int key, @Param(name = "value") int value) {
        return cache.asMap().merge(key, value, CacheOperations::summed);
    }

    /** {@code entrySet().removeIf} of the entries holding {@code value}: one conditional removal per key. */
    @Operation
    public boolean removeEntriesIf(@Param(name = "value") int value) {
        return cache.asMap().entrySet().removeIf(e -> e.getValue() == value);
    }

    /** {@code values().removeIf} of {@code value}: one conditional removal per key. */
    @Operation
    public boolean removeValuesIf(@Param(name = "value") int value) {
        return cache.asMap().values().removeIf(v -> v == value);
    }

    /** {@code getAllPresent} of two keys (the same key twice is one key): one lookup per key. */
    @Operation
    public java.util.Map<Integer, Integer> getAllPresent(@Param(name = "key") int key, @Param(name = "key") int other) {
        return new java.util.TreeMap<>(cache.getAllPresent(java.util.List.of(key, other)));
    }

    /** {@code putAll} of {@code value} under two keys: one put per key. */
    @Operation
    public void putAllOf(@Param(name = "key") int key, @Param(name = "key") int other, @Param(name = "value") int value) {
        cache.putAll(key == other ? java.util.Map.of(key, value) : java.util.Map.of(key, value, other, value));
    }

    /** {@code invalidateAll} of two keys: one removal per key. */
    @Operation
    public void invalidateAllOf(@Param(name = "key") int key, @Param(name = "key") int other) {
        cache.invalidateAll(java.util.List.of(key, other));
    }

    /** The function of {@link #compute} and {@link #computeIfPresent}: stores {@code value}, or removes an equal one. */
    static Integer toggled(Integer old, int value) {
        return old != null && old == value ? null : value;
    }

    /** The function of {@link #computeIfAbsent}: {@code value}, except that it declines (null) for the largest. */
    static Integer mappedIfAbsent(int value) {
        return value == MAX_VALUE ? null : value;
    }

    /** The function of {@link #merge}: the sum while it stays a value of the scenarios, else null (removes). */
    static Integer summed(Integer old, Integer given) {
        int sum = old + given;
        return sum <= MAX_VALUE ? sum : null;
    }

    /**
     * Between the parts of a scenario no operation runs, so the estimate must be exact once expired
     * entries are reclaimed ({@link #beforeQuiescentChecks}), and a bounded cache must be within its
     * bound (its overshoot is limited to writes in flight). Entries are counted through the map view,
     * whose reads leave the eviction policy's access counters alone: a counted read here would make
     * the tested instance diverge from the sequential specification, which is never validated.
     */
    @Validate
    public void sizeIsExactAndBoundedWhenQuiescent() {
        beforeQuiescentChecks();
        long live = 0;
        for (int key = 1; key <= MAX_KEY; key++) {
            if (cache.asMap().containsKey(key)) {
                live++;
            }
        }
        long estimated = cache.estimatedSize();
        if (estimated != live) {
            throw new AssertionError("estimatedSize() " + estimated + " with " + live + " live entries: " + cache.asMap());
        }
        if (live > bound()) {
            throw new AssertionError(live + " live entries over the bound " + bound() + ": " + cache.asMap());
        }
    }

    /** Runs before the quiescent checks; a configuration whose entries expire reclaims them here. */
    void beforeQuiescentChecks() {}

    /** The configuration's maximum size; unbounded by default. */
    long bound() {
        return Long.MAX_VALUE;
    }

    /** The configuration's default TTL in seconds of the ticker; {@link CacheModel#NEVER} by default. */
    long defaultTtlSeconds() {
        return CacheModel.NEVER;
    }

    /** Every configuration is judged against {@link CacheModel}, the contract, rather than against itself. */
    public Class<? extends Verifier> verifier() {
        return CacheModelVerifier.class;
    }
}
