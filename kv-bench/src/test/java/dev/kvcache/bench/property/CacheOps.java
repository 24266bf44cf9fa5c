package dev.kvcache.bench.property;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Generators of {@link CacheOp} sequences. Keys come from a small range so that operations collide;
 * clock moves favour the exact TTL boundaries ({@code ttl - 1 ns}, {@code ttl}) where off-by-one
 * mistakes live.
 */
final class CacheOps {
    static final long DEFAULT_TTL_MILLIS = 1_000;
    static final int KEYS = 8;

    private CacheOps() {}

    static Gen<List<CacheOp>> sequences(int maxLength) {
        return lists().of(op()).ofSizeBetween(1, maxLength);
    }

    static Gen<CacheOp> op() {
        Gen<Integer> key = integers().between(0, KEYS - 1);
        Gen<CacheOp> put = key.map(CacheOp.Put::new);
        Gen<CacheOp> putTtl = key.zip(Generate.pick(List.of(1L, 10L, 500L, 999L, 1_000L, 2_000L, 60_000L)),
                (k, ttl) -> new CacheOp.PutWithTtl(k, ttl));
        Gen<CacheOp> get = key.map(CacheOp.Get::new);
        Gen<CacheOp> remove = key.map(CacheOp.Remove::new);
        Gen<CacheOp> putIfAbsent = key.map(CacheOp.PutIfAbsent::new);
        Gen<CacheOp> replace = key.map(CacheOp.Replace::new);
        Gen<CacheOp> cas = key.zip(booleans().all(), (k, current) -> new CacheOp.CompareAndSet(k, current));
        Gen<CacheOp> advance = Generate.pick(List.of(1L, 999_999L, 1_000_000L, 10_000_000L, 499_999_999L,
                500_000_000L, 999_999_999L, 1_000_000_000L, 61_000_000_000L)).map(CacheOp.Advance::new);
        Gen<CacheOp> cleanUp = Generate.constant(new CacheOp.CleanUp());
        Gen<Boolean> toNull = booleans().all();
        Gen<CacheOp> compute = key.zip(toNull, (k, removes) -> new CacheOp.Compute(k, removes));
        Gen<CacheOp> computeIfAbsent = key.zip(toNull, (k, declines) -> new CacheOp.ComputeIfAbsent(k, declines));
        Gen<CacheOp> computeIfPresent = key.zip(toNull, (k, removes) -> new CacheOp.ComputeIfPresent(k, removes));
        Gen<CacheOp> merge = key.zip(toNull, (k, removes) -> new CacheOp.Merge(k, removes));
        Gen<CacheOp> setTtl = key.zip(Generate.pick(List.of(1L, 500L, 1_000L, 2_000L, 60_000L)),
                (k, ttl) -> new CacheOp.SetTimeToLive(k, ttl));
        Gen<CacheOp> touch = key.map(CacheOp.Touch::new);
        Gen<Integer> residue = integers().between(0, 2);
        Gen<CacheOp> removeEntriesIf = residue.map(CacheOp.RemoveEntriesIf::new);
        Gen<CacheOp> removeValuesIf = residue.map(CacheOp.RemoveValuesIf::new);
        Gen<List<Integer>> keys = lists().of(key).ofSizeBetween(0, 3);
        Gen<CacheOp> getAllPresent = keys.map(CacheOp.GetAllPresent::new);
        Gen<CacheOp> putAll = keys.zip(Generate.pick(List.of(0L, 0L, 10L, 1_000L, 2_000L)),
                (ks, ttl) -> new CacheOp.PutAll(ks, ttl));
        Gen<CacheOp> invalidateAll = keys.map(CacheOp.InvalidateAll::new);
        Gen<CacheOp> load = key.map(CacheOp.Load::new);
        Gen<CacheOp> loadAll = keys.map(CacheOp.LoadAll::new);
        Gen<CacheOp> setMaximum = integers().between(0, 12).map(m -> new CacheOp.SetMaximum(m));
        Gen<CacheOp> rank = Generate.constant(new CacheOp.Rank());
        return Generate.frequency(List.of(
                Pair.of(6, put), Pair.of(3, putTtl), Pair.of(6, get), Pair.of(2, remove),
                Pair.of(2, putIfAbsent), Pair.of(2, replace), Pair.of(2, cas), Pair.of(4, advance),
                Pair.of(1, cleanUp), Pair.of(2, compute), Pair.of(2, computeIfAbsent),
                Pair.of(2, computeIfPresent), Pair.of(2, merge), Pair.of(1, removeEntriesIf),
                Pair.of(1, removeValuesIf), Pair.of(2, setTtl), Pair.of(2, touch),
                Pair.of(2, getAllPresent), Pair.of(2, putAll),
                Pair.of(1, invalidateAll), Pair.of(2, load), Pair.of(2, loadAll), Pair.of(1, setMaximum),
                Pair.of(1, rank)));
    }
}
