package dev.kvcache.core.lincheck;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * {@link KvCache#estimatedSize()} as a linearizable operation, within its contract: it is exact when
 * no write runs concurrently (nothing expires here), so writes and size queries share one Lincheck
 * non-parallel group (they run in one thread, in program order) while reads run concurrently with
 * them. Concurrent writes are excluded on purpose: under them the contract allows the estimate to
 * miss or double-count an entry, which a linearizability check would report.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:3")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class EstimatedSizeLincheckTest implements LincheckChecks {
    private static final String WRITER = "writer";

    private final KvCache<Integer, Integer> cache = KvCache.builder().ticker(new FakeTicker()).build();

    @Operation(nonParallelGroup = WRITER)
    public long estimatedSize() {
        return cache.estimatedSize();
    }

    @Operation(nonParallelGroup = WRITER)
    public void put(@Param(name = "key") int key, @Param(name = "value") int value) {
        cache.put(key, value);
    }

    @Operation(nonParallelGroup = WRITER)
    public Integer remove(@Param(name = "key") int key) {
        return cache.remove(key);
    }

    @Operation
    public Integer getIfPresent(@Param(name = "key") int key) {
        return cache.getIfPresent(key);
    }
}
