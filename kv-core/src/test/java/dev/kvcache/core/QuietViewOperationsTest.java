package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.AbstractMap.SimpleEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guava's and Caffeine's contract for expire-after-access: the access time is reset by reads and
 * writes, "but not by containsKey(Object), nor by operations on the collection-views of
 * Cache.asMap()". None of the calls below may restart an idle time, run an {@link Expiry} read hook,
 * count a hit or a miss, or bump the eviction policy's access count. On main, {@code containsKey},
 * {@code keySet().contains}, {@code entrySet().contains} and {@code equals} read through the path
 * that moves an idle deadline and runs the read hook.
 */
class QuietViewOperationsTest {
    private static final Duration IDLE = Duration.ofSeconds(64);

    private final FakeTicker ticker = new FakeTicker();

    static Stream<Named<Consumer<KvCache<String, String>>>> quietCalls() {
        return Stream.of(
                Named.of("asMap().containsKey", c -> assertTrue(c.asMap().containsKey("k"))),
                Named.of("asMap().containsValue", c -> assertTrue(c.asMap().containsValue("v"))),
                Named.of("keySet().contains", c -> assertTrue(c.asMap().keySet().contains("k"))),
                Named.of("keySet().containsAll", c -> assertTrue(c.asMap().keySet().containsAll(List.of("k")))),
                Named.of("values().contains", c -> assertTrue(c.asMap().values().contains("v"))),
                Named.of("entrySet().contains", c -> assertTrue(c.asMap().entrySet().contains(new SimpleEntry<>("k", "v")))),
                Named.of("entrySet().containsAll",
                        c -> assertTrue(c.asMap().entrySet().containsAll(List.of(new SimpleEntry<>("k", "v"))))),
                Named.of("asMap().equals", c -> assertTrue(c.asMap().equals(Map.of("k", "v")))),
                Named.of("asMap().hashCode", c -> assertEquals(Map.of("k", "v").hashCode(), c.asMap().hashCode())),
                Named.of("keySet().equals", c -> assertTrue(c.asMap().keySet().equals(Set.of("k")))),
                Named.of("entrySet().equals", c -> assertTrue(c.asMap().entrySet().equals(Map.of("k", "v").entrySet()))),
                Named.of("entrySet iteration", c -> assertEquals(1, c.asMap().entrySet().stream().count())),
                Named.of("keySet iteration", c -> assertEquals(List.of("k"), List.copyOf(c.asMap().keySet()))),
                Named.of("values iteration", c -> assertEquals(List.of("v"), List.copyOf(c.asMap().values()))),
                Named.of("asMap().forEach", c -> c.asMap().forEach((k, v) -> { })),
                Named.of("asMap().size/isEmpty", c -> assertEquals(1, c.asMap().size() + (c.asMap().isEmpty() ? 1 : 0))),
                Named.of("entrySet().removeIf(false)", c -> c.asMap().entrySet().removeIf(e -> false)),
                Named.of("keySet().removeIf(false)", c -> c.asMap().keySet().removeIf(k -> false)),
                Named.of("values().removeIf(false)", c -> c.asMap().values().removeIf(v -> false)),
                Named.of("keySet().retainAll(all)", c -> c.asMap().keySet().retainAll(Set.of("k"))),
                Named.of("toString", c -> assertEquals("{k=v}", c.asMap().toString())),
                Named.of("policy().getIfPresentQuietly", c -> assertEquals("v", c.policy().getIfPresentQuietly("k"))),
                Named.of("policy().getEntryIfPresentQuietly",
                        c -> assertEquals("v", c.policy().getEntryIfPresentQuietly("k").getValue())),
                Named.of("policy().weightedSize", c -> assertEquals(1, c.policy().weightedSize())),
                Named.of("estimatedSize", c -> assertEquals(1, c.estimatedSize())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quietCalls")
    void doesNotRestartTheIdleTime(Consumer<KvCache<String, String>> call) {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToIdle(IDLE).recordStats()
                .<String, String>build();
        cache.put("k", "v");
        ticker.advance(IDLE.minusSeconds(1));
        call.accept(cache);
        assertEquals(Duration.ofSeconds(1), cache.policy().getEntryIfPresentQuietly("k").expiresIn(),
                "the idle deadline did not move");
        ticker.advance(Duration.ofSeconds(1));
        assertNull(cache.getIfPresent("k"), "idle for the idle time since the write");
        assertEquals(0, cache.stats().hitCount());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quietCalls")
    void doesNotRunTheReadHookNorCountAHit(Consumer<KvCache<String, String>> call) {
        AtomicInteger hookCalls = new AtomicInteger();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).recordStats().maximumSize(100)
                .<String, String>expiry(new Expiry<>() {
                    @Override
                    public long afterCreateNanos(String key, String value) {
                        return Duration.ofMinutes(1).toNanos();
                    }

                    @Override
                    public long afterReadNanos(String key, String value, long remainingNanos) {
                        hookCalls.incrementAndGet();
                        return Duration.ofHours(1).toNanos();
                    }
                }).build();
        cache.put("k", "v");
        call.accept(cache);
        assertEquals(0, hookCalls.get(), "the read hook ran");
        assertEquals(Duration.ofMinutes(1), cache.policy().getEntryIfPresentQuietly("k").expiresIn());
        CacheStats stats = cache.stats();
        assertEquals(0, stats.hitCount());
        assertEquals(0, stats.missCount());
    }

    /**
     * The reads that do count as accesses, as Guava's list says: asMap().get among them (so another
     * map's {@code equals(asMap())}, which calls it, is an access too).
     */
    @Test
    void theMapsGetIsARead() {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToIdle(IDLE).<String, String>build();
        cache.put("k", "v");
        ticker.advance(IDLE.minusSeconds(1));
        assertEquals("v", cache.asMap().get("k"));
        assertEquals("v", cache.asMap().getOrDefault("k", "d"));
        assertEquals(IDLE, cache.policy().getEntryIfPresentQuietly("k").expiresIn());
    }
}
