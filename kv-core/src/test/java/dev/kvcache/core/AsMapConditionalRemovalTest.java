package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every removal a view makes after looking at an entry is conditional on what it looked at
 * ({@code remove(k, v)}), as {@link java.util.concurrent.ConcurrentHashMap}'s {@code removeIf} is: a
 * value written between the look and the removal survives. Each case overwrites the entry while the
 * view is deciding (from the deciding callback itself, or from another thread it waits for) and then
 * lets the view remove; the new value must still be there, and the call must not claim a removal.
 */
class AsMapConditionalRemovalTest {
    private final KvCache<String, String> cache = KvCache.builder().build();
    private final ConcurrentMap<String, String> map = cache.asMap();

    /** A removal by a view, given a callback that runs while the view decides about an entry. */
    interface Removal {
        /** Runs the removal; returns its boolean result (or true for void ones). */
        boolean run(ConcurrentMap<String, String> map, Runnable whileDeciding);
    }

    static Stream<Named<Removal>> removals() {
        return Stream.of(
                Named.of("entrySet().removeIf", (m, during) -> m.entrySet().removeIf(e -> decide(during))),
                Named.of("values().removeIf", (m, during) -> m.values().removeIf(v -> decide(during))),
                Named.of("keySet().removeIf", (m, during) -> m.keySet().removeIf(k -> decide(during))),
                Named.of("entrySet().iterator().remove", (m, during) -> removeNext(m.entrySet().iterator(), during)),
                Named.of("values().iterator().remove", (m, during) -> removeNext(m.values().iterator(), during)),
                Named.of("keySet().iterator().remove", (m, during) -> removeNext(m.keySet().iterator(), during)),
                Named.of("values().remove", (m, during) -> m.values().remove(new Hostile(during))),
                Named.of("entrySet().retainAll", (m, during) -> m.entrySet().retainAll(containing(false, during))),
                Named.of("entrySet().removeAll", (m, during) -> m.entrySet().removeAll(containing(true, during))),
                Named.of("values().retainAll", (m, during) -> m.values().retainAll(containing(false, during))),
                Named.of("values().removeAll", (m, during) -> m.values().removeAll(containing(true, during))),
                Named.of("keySet().retainAll", (m, during) -> m.keySet().retainAll(containing(false, during))),
                Named.of("keySet().removeAll", (m, during) -> m.keySet().removeAll(containing(true, during))));
    }

    @ParameterizedTest(name = "{0}, overwritten by the deciding thread")
    @MethodSource("removals")
    void aValueWrittenWhileTheViewDecidesSurvives(Removal removal) {
        cache.put("k", "old");
        boolean result = removal.run(map, () -> cache.put("k", "new"));
        assertEquals(Map.of("k", "new"), Map.copyOf(map));
        assertFalse(result, "claimed a removal that did not happen");
    }

    @ParameterizedTest(name = "{0}, overwritten by another thread")
    @MethodSource("removals")
    void aValueWrittenByAnotherThreadWhileTheViewDecidesSurvives(Removal removal) {
        cache.put("k", "old");
        removal.run(map, () -> {
            Thread writer = new Thread(() -> map.put("k", "new"));
            writer.start();
            try {
                writer.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(Map.of("k", "new"), Map.copyOf(map));
    }

    @ParameterizedTest(name = "{0}, nothing written meanwhile")
    @MethodSource("removals")
    void withoutAConcurrentWriteTheEntryIsRemoved(Removal removal) {
        cache.put("k", "old");
        removal.run(map, () -> { });
        assertEquals(Map.of(), Map.copyOf(map));
    }

    @Test
    void removeIfReportsOnlyRemovalsThatHappened() {
        cache.put("a", "1");
        cache.put("b", "2");
        assertFalse(map.entrySet().removeIf(e -> false));
        assertTrue(map.values().removeIf(v -> v.equals("1")));
        assertFalse(map.values().removeIf(v -> v.equals("1")));
        assertEquals(Map.of("b", "2"), Map.copyOf(map));
    }

    private static boolean decide(Runnable during) {
        during.run();
        return true;
    }

    private static boolean removeNext(Iterator<?> it, Runnable during) {
        it.next();
        during.run();
        it.remove();
        return false; // Iterator.remove has no result; the assertion on the map is what counts
    }

    /**
     * A collection whose {@code contains} runs the callback, then answers {@code answer}: retainAll
     * with false, and removeAll with true, then remove what they were shown. It claims a large size
     * so that removeAll iterates the view rather than itself.
     */
    private static Set<Object> containing(boolean answer, Runnable during) {
        return new AbstractSet<>() {
            @Override
            public boolean contains(Object o) {
                during.run();
                return answer;
            }

            @Override
            public Iterator<Object> iterator() {
                return List.<Object>of().iterator();
            }

            @Override
            public int size() {
                return Integer.MAX_VALUE;
            }
        };
    }

    /** Equal to every value, after running the callback: values().remove(it) decides through it. */
    private static final class Hostile {
        private final Runnable during;

        Hostile(Runnable during) {
            this.during = during;
        }

        @Override
        public boolean equals(Object o) {
            during.run();
            return true;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
