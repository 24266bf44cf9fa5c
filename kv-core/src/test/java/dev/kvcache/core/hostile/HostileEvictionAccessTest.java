package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The eviction side of "which reads are accesses". The builder's S3-FIFO doc: entries "read again"
 * while in the small queue move to the main queue; {@code ExpiringCache.peekQuietly} (containsKey,
 * the views' contains/equals) promises "no eviction access count", and the timeToIdle/Expiry Javadoc
 * list {@code asMap().get}, {@code getOrDefault} and a live {@code computeIfAbsent} as accesses.
 *
 * <p>Fixture: ten entries fill a cache of ten (all in the small queue, unread), then an eleventh
 * overflows it. Which entries S3-FIFO then keeps, and in which order {@code coldest} lists them,
 * tells whether the call made between filling and overflowing counted as a read of each key.
 */
class HostileEvictionAccessTest {
    private static final int N = 10;

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            keys.add("k" + i);
        }
        return keys;
    }

    private static Map<String, String> contents() {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < N; i++) {
            m.put("k" + i, "v" + i);
        }
        return m;
    }

    private static KvCache<String, String> filled() {
        KvCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).maximumSize(N)
                .<String, String>build();
        for (int i = 0; i < N; i++) {
            cache.put("k" + i, "v" + i);
        }
        cache.cleanUp();
        return cache;
    }

    /** The eviction order after the overflow, coldest first (coldest is documented as no access). */
    private static List<String> orderAfterOverflow(Consumer<KvCache<String, String>> between) {
        KvCache<String, String> cache = filled();
        between.accept(cache);
        cache.put("k" + N, "v" + N);
        cache.cleanUp();
        return cache.policy().coldest(N + 1);
    }

    private static final List<String> UNREAD = orderAfterOverflow(c -> { });
    private static final List<String> READ = orderAfterOverflow(c -> keys().forEach(c::getIfPresent));

    /**
     * Unread, the oldest (k0) is evicted from the small queue and the rest stay there in order. Read,
     * every entry moves to the main queue as the small one drains; the main queue overflows and gives
     * up its oldest, and the newcomer k10 is left alone in the small queue, the coldest.
     */
    @Test
    void theFixtureTellsReadFromUnread() {
        assertEquals(List.of("k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10"), UNREAD);
        assertEquals(List.of("k10", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"), READ);
        assertEquals(List.of("k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k0"),
                orderAfterOverflow(c -> c.getIfPresent("k0")), "one read of k0 alone saves it: k1 goes instead");
    }

    /** The brief's case: an entry only "seen" by containsKey is evicted as if never looked at. */
    @Test
    void anEntryOnlySeenByContainsKeyIsNotProtected() {
        List<String> order = orderAfterOverflow(c -> {
            for (int i = 0; i < 5; i++) {
                assertTrue(c.asMap().containsKey("k0"));
                assertTrue(c.asMap().keySet().contains("k0"));
            }
        });
        assertTrue(!order.contains("k0") && order.contains("k1"), "k0 was evicted first: " + order);
    }

    static Stream<Named<Consumer<KvCache<String, String>>>> quietCalls() {
        Map<String, String> contents = contents();
        return Stream.of(
                Named.of("asMap().containsKey", c -> keys().forEach(k -> assertTrue(c.asMap().containsKey(k)))),
                Named.of("asMap().containsValue", c -> contents.values().forEach(v -> assertTrue(c.asMap().containsValue(v)))),
                Named.of("keySet().contains", c -> keys().forEach(k -> assertTrue(c.asMap().keySet().contains(k)))),
                Named.of("keySet().containsAll", c -> assertTrue(c.asMap().keySet().containsAll(keys()))),
                Named.of("values().contains", c -> contents.values().forEach(v -> assertTrue(c.asMap().values().contains(v)))),
                Named.of("values().containsAll", c -> assertTrue(c.asMap().values().containsAll(contents.values()))),
                Named.of("entrySet().contains", c -> contents.forEach(
                        (k, v) -> assertTrue(c.asMap().entrySet().contains(new SimpleEntry<>(k, v))))),
                Named.of("entrySet().containsAll", c -> assertTrue(c.asMap().entrySet().containsAll(contents.entrySet()))),
                Named.of("asMap().equals", c -> assertTrue(c.asMap().equals(contents))),
                Named.of("asMap().hashCode", c -> assertEquals(contents.hashCode(), c.asMap().hashCode())),
                Named.of("keySet().equals/hashCode", c -> {
                    assertTrue(c.asMap().keySet().equals(contents.keySet()));
                    assertEquals(contents.keySet().hashCode(), c.asMap().keySet().hashCode());
                }),
                Named.of("entrySet().equals/hashCode", c -> {
                    assertTrue(c.asMap().entrySet().equals(contents.entrySet()));
                    assertEquals(contents.entrySet().hashCode(), c.asMap().entrySet().hashCode());
                }),
                Named.of("a HashMap's entrySet().equals(entrySet())", c -> assertTrue(contents.entrySet().equals(c.asMap().entrySet()))),
                Named.of("iteration and streams", c -> {
                    assertEquals(N, c.asMap().entrySet().stream().count());
                    assertEquals(N, List.copyOf(c.asMap().keySet()).size());
                    assertEquals(N, c.asMap().values().toArray().length);
                    assertEquals(contents, new HashMap<>(c.asMap()));
                }),
                Named.of("asMap().forEach", c -> c.asMap().forEach((k, v) -> { })),
                Named.of("size/isEmpty/toString", c -> assertTrue(c.asMap().size() == N && !c.asMap().isEmpty()
                        && c.asMap().toString().contains("k0=v0"))),
                Named.of("removeIf(false) on every view", c -> {
                    c.asMap().entrySet().removeIf(e -> false);
                    c.asMap().keySet().removeIf(k -> false);
                    c.asMap().values().removeIf(v -> false);
                }),
                Named.of("retainAll(everything)", c -> {
                    c.asMap().keySet().retainAll(Set.copyOf(keys()));
                    c.asMap().values().retainAll(Set.copyOf(contents.values()));
                }),
                Named.of("policy quiet reads", c -> keys().forEach(k -> {
                    assertEquals(contents.get(k), c.policy().getIfPresentQuietly(k));
                    assertEquals(contents.get(k), c.policy().getEntryIfPresentQuietly(k).getValue());
                })),
                Named.of("policy listings and sizes", c -> {
                    assertEquals(N, c.policy().hottest(N).size());
                    assertEquals(N, c.policy().weightedSize());
                    assertEquals(N, c.estimatedSize());
                }));
    }

    /** None of these may protect an entry as recently used. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("quietCalls")
    void aQuietCallLeavesTheEvictionOrderAsIfUnread(Consumer<KvCache<String, String>> call) {
        assertEquals(UNREAD, orderAfterOverflow(call));
    }

    static Stream<Named<Consumer<KvCache<String, String>>>> accesses() {
        return Stream.of(
                Named.of("getIfPresent", c -> keys().forEach(c::getIfPresent)),
                Named.of("getEntryIfPresent", c -> keys().forEach(c::getEntryIfPresent)),
                Named.of("get(k, loader) hit", c -> keys().forEach(k -> c.get(k, x -> "loaded"))),
                Named.of("getAllPresent", c -> assertEquals(N, c.getAllPresent(keys()).size())),
                Named.of("asMap().get", c -> keys().forEach(k -> assertEquals("v" + k.substring(1), c.asMap().get(k)))),
                Named.of("asMap().getOrDefault", c -> keys().forEach(k -> c.asMap().getOrDefault(k, "d"))),
                Named.of("asMap().computeIfAbsent of a live key", c -> keys().forEach(k -> c.asMap().computeIfAbsent(k, x -> "new"))));
    }

    /**
     * Reads documented as accesses protect the entries they read exactly as getIfPresent does. On
     * main {@code asMap().get}, {@code getOrDefault} and a live {@code computeIfAbsent} read with
     * {@code record == false}, which skipped the eviction access count along with the hit.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("accesses")
    void aReadThatIsAnAccessProtectsLikeGetIfPresent(Consumer<KvCache<String, String>> call) {
        assertEquals(READ, orderAfterOverflow(call));
    }
}
