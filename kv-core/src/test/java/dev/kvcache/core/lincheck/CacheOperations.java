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

/**
 * The single-key operations of {@link KvCache} as Lincheck operations, over keys and values 1..3 so
 * that operations collide often and the model checker's scenarios stay small. Each subclass builds
 * the cache configuration it checks; Lincheck builds a fresh instance per scenario and, by default,
 * uses the same class run sequentially as the specification, so the expected results of every
 * concurrent run are those of some sequential order of its operations on the same configuration.
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
}
