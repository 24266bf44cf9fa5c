package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A removal that has taken effect must already be known to the eviction policy when another write of
 * the key can see it: otherwise a write that re-adds the key and drains in between makes the policy
 * weigh the removed entry beside the new one, and evict a live entry from a cache within its bound
 * (the race {@code BoundedLincheckTest#aRemovalInFlightEvictsNothing} found). Deterministic: the
 * remover runs the re-adding write itself, through {@link Writes#afterUnlock}, just after its segment
 * unlock.
 */
class RemovalInFlightTest {
    /** Every way a caller removes one entry explicitly. */
    static Stream<Named<Consumer<KvCache<Integer, Integer>>>> removals() {
        return Stream.of(
                Named.of("remove(k)", c -> assertEquals(1, c.remove(1))),
                Named.of("remove(k, v)", c -> assertTrue(c.remove(1, 1))),
                Named.of("asMap().compute to null", c -> assertNull(c.asMap().compute(1, (k, v) -> null))),
                Named.of("asMap().computeIfPresent to null",
                        c -> assertNull(c.asMap().computeIfPresent(1, (k, v) -> null))),
                Named.of("asMap().merge to null", c -> assertNull(c.asMap().merge(1, 5, (v, w) -> null))),
                Named.of("asMap().remove(k, v)", c -> assertTrue(c.asMap().remove(1, 1))),
                Named.of("asMap().keySet().remove", c -> assertTrue(c.asMap().keySet().remove(1))),
                Named.of("asMap().entrySet().removeIf",
                        c -> assertTrue(c.asMap().entrySet().removeIf(e -> e.getKey() == 1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("removals")
    void aKeyReAddedBeforeTheRemovalCompletesEvictsNothing(Consumer<KvCache<Integer, Integer>> remove) {
        RecordingListener<Integer, Integer> listener = new RecordingListener<>();
        ExpiringCache<Integer, Integer> cache = bounded(listener);
        cache.put(3, 3);
        cache.put(1, 1);
        List<Integer> reAdded = reAddInTheGap(cache, 1);

        remove.accept(cache);

        assertEquals(List.of(1), reAdded, "the re-adding write ran after the removal took effect");
        assertEquals(3, cache.getIfPresent(3), "a live entry was evicted from a cache within its bound");
        assertEquals(11, cache.getIfPresent(1), "re-added after the removal");
        cache.cleanUp();
        assertEquals(2, cache.policy().weightedSize());
        listener.assertExactly(removal(1, 1, RemovalCause.EXPLICIT));
    }

    /** invalidateAll() removes key by key; a key it has passed may be written again before it ends. */
    @Test
    void aKeyReAddedDuringInvalidateAllEvictsNothing() {
        // The key that invalidateAll() reaches first must be the newer one, so that the policy's
        // oldest entry is live when it counts the removed one beside the re-added one.
        List<Integer> order = visitOrder(1, 3);
        int first = order.get(0);
        int second = order.get(1);
        RecordingListener<Integer, Integer> listener = new RecordingListener<>();
        ExpiringCache<Integer, Integer> cache = bounded(listener);
        cache.put(second, second);
        cache.put(first, first);
        List<Integer> reAdded = reAddInTheGap(cache, first);

        cache.invalidateAll();

        assertEquals(List.of(first), reAdded);
        listener.assertExactly(removal(first, first, RemovalCause.EXPLICIT),
                removal(second, second, RemovalCause.EXPLICIT));
        assertEquals(first + 10, cache.getIfPresent(first), "written after invalidateAll() passed its key");
    }

    /**
     * The removal's tombstone, pushed under the lock, now often reaches the policy before the node it
     * removed: that node must still never be admitted, nor count against the bound.
     */
    @Test
    void aTombstoneDrainedBeforeItsNodeLeavesNothingBehind() {
        RecordingListener<Integer, Integer> listener = new RecordingListener<>();
        ExpiringCache<Integer, Integer> cache = bounded(listener);
        cache.put(3, 3);
        cache.writes.afterUnlock = () -> {
            cache.writes.afterUnlock = null;
            assertEquals(1, cache.remove(1)); // before put(1, 1) pushes its node
        };
        cache.put(1, 1);
        cache.cleanUp();
        assertEquals(1, cache.policy().weightedSize());

        cache.put(2, 2);
        cache.cleanUp();
        assertEquals(3, cache.getIfPresent(3));
        assertEquals(2, cache.getIfPresent(2));
        assertEquals(2, cache.policy().weightedSize());
        listener.assertExactly(removal(1, 1, RemovalCause.EXPLICIT));
    }

    private static ExpiringCache<Integer, Integer> bounded(RecordingListener<Integer, Integer> listener) {
        return (ExpiringCache<Integer, Integer>) KvCache.builder()
                .maximumSize(2)
                .ticker(new FakeTicker())
                .removalListener(listener)
                .<Integer, Integer>build();
    }

    /**
     * Makes the next write to finish its locked step run {@code putIfAbsent(key, key + 10)} (and the
     * drain that write does) before it completes, once; returns the keys so re-added.
     */
    private static List<Integer> reAddInTheGap(ExpiringCache<Integer, Integer> cache, int key) {
        List<Integer> reAdded = new ArrayList<>();
        cache.writes.afterUnlock = () -> {
            cache.writes.afterUnlock = null;
            if (cache.putIfAbsent(key, key + 10) == null) {
                reAdded.add(key);
            }
        };
        return reAdded;
    }

    /** The order in which invalidateAll() reaches these keys: table segments in order, each one's chains. */
    private static List<Integer> visitOrder(int a, int b) {
        ExpiringCache<Integer, Integer> cache = bounded(new RecordingListener<>());
        cache.put(a, a);
        cache.put(b, b);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < cache.table.segmentCount(); i++) {
            for (Node<Integer, Integer> node : cache.table.snapshot(i)) {
                order.add(node.key);
            }
        }
        assertEquals(2, order.size(), () -> "nodes found: " + order);
        return order;
    }
}
