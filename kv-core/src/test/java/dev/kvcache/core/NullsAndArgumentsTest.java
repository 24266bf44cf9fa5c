package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Null arguments throw {@link NullPointerException}, bad TTLs and bounds {@link IllegalArgumentException}. */
class NullsAndArgumentsTest {
    private static final Duration TTL = Duration.ofSeconds(1);
    private static final Function<String, String> LOADER = key -> "loaded";

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .removalListener(listener)
            .build();

    static Stream<Named<Function<KvCache<String, String>, Object>>> nullCalls() {
        return Stream.of(
                call("getIfPresent(null)", c -> c.getIfPresent(null)),
                call("get(null, loader)", c -> c.get(null, LOADER)),
                call("get(k, null)", c -> c.get("k", null)),
                call("get(live, null)", c -> c.get("live", null)),
                call("getEntryIfPresent(null)", c -> c.getEntryIfPresent(null)),
                call("put(null, v)", c -> run(() -> c.put(null, "v"))),
                call("put(k, null)", c -> run(() -> c.put("k", null))),
                call("put(live, null)", c -> run(() -> c.put("live", null))),
                call("put(null, v, ttl)", c -> run(() -> c.put(null, "v", TTL))),
                call("put(k, null, ttl)", c -> run(() -> c.put("k", null, TTL))),
                call("put(k, v, null)", c -> run(() -> c.put("k", "v", null))),
                call("putIfAbsent(null, v)", c -> c.putIfAbsent(null, "v")),
                call("putIfAbsent(k, null)", c -> c.putIfAbsent("k", null)),
                call("putIfAbsent(live, null)", c -> c.putIfAbsent("live", null)),
                call("putIfAbsent(null, v, ttl)", c -> c.putIfAbsent(null, "v", TTL)),
                call("putIfAbsent(k, null, ttl)", c -> c.putIfAbsent("k", null, TTL)),
                call("putIfAbsent(k, v, null)", c -> c.putIfAbsent("k", "v", null)),
                call("replace(null, v)", c -> c.replace(null, "v")),
                call("replace(live, null)", c -> c.replace("live", null)),
                call("replace(k, null)", c -> c.replace("k", null)),
                call("replace(null, old, v)", c -> c.replace(null, "old", "v")),
                call("replace(live, null, v)", c -> c.replace("live", null, "v")),
                call("replace(live, old, null)", c -> c.replace("live", "old", null)),
                call("replace(k, old, null)", c -> c.replace("k", "old", null)),
                call("replace(null, old, v, ttl)", c -> c.replace(null, "old", "v", TTL)),
                call("replace(live, null, v, ttl)", c -> c.replace("live", null, "v", TTL)),
                call("replace(live, old, null, ttl)", c -> c.replace("live", "old", null, TTL)),
                call("replace(live, old, v, null)", c -> c.replace("live", "old", "v", null)),
                call("replace(k, old, v, null)", c -> c.replace("k", "old", "v", null)),
                call("remove(null)", c -> c.remove(null)),
                call("remove(null, v)", c -> c.remove(null, "v")),
                call("remove(live, null)", c -> c.remove("live", null)),
                call("asMap().get(null)", c -> c.asMap().get(null)),
                call("asMap().containsKey(null)", c -> c.asMap().containsKey(null)),
                call("asMap().containsValue(null)", c -> c.asMap().containsValue(null)),
                call("asMap().put(null, v)", c -> c.asMap().put(null, "v")),
                call("asMap().put(k, null)", c -> c.asMap().put("k", null)),
                call("asMap().putIfAbsent(k, null)", c -> c.asMap().putIfAbsent("k", null)),
                call("asMap().remove(null)", c -> c.asMap().remove(null)),
                call("asMap().replace(live, null)", c -> c.asMap().replace("live", null)),
                call("asMap().putAll(null value)", c -> run(() -> c.asMap().putAll(nullValueMap()))));
    }

    private static Named<Function<KvCache<String, String>, Object>> call(
            String name, Function<KvCache<String, String>, Object> call) {
        return Named.of(name, call);
    }

    private static Object run(Runnable runnable) {
        runnable.run();
        return null;
    }

    private static Map<String, String> nullValueMap() {
        Map<String, String> map = new java.util.HashMap<>();
        map.put("k", null);
        return map;
    }

    @ParameterizedTest
    @MethodSource("nullCalls")
    void nullArgumentThrowsNullPointerExceptionAndChangesNothing(Function<KvCache<String, String>, Object> call) {
        cache.put("live", "old");
        assertThrows(NullPointerException.class, () -> call.apply(cache));
        assertEquals(Map.of("live", "old"), Map.copyOf(cache.asMap()));
        listener.assertExactly();
    }

    static Stream<Named<Duration>> badTtls() {
        return Stream.of(
                Named.of("zero", Duration.ZERO),
                Named.of("-1ns", Duration.ofNanos(-1)),
                Named.of("-1s", Duration.ofSeconds(-1)),
                Named.of("most negative", Duration.ofSeconds(Long.MIN_VALUE)));
    }

    @ParameterizedTest
    @MethodSource("badTtls")
    void zeroOrNegativeTtlIsRejectedEverywhere(Duration ttl) {
        cache.put("live", "old");
        assertBadTtl(ttl, () -> cache.put("k", "v", ttl));
        assertBadTtl(ttl, () -> cache.put("live", "v", ttl));
        assertBadTtl(ttl, () -> cache.putIfAbsent("k", "v", ttl));
        assertBadTtl(ttl, () -> cache.replace("live", "old", "v", ttl));
        assertBadTtl(ttl, () -> KvCache.builder().timeToLive(ttl));
        assertNull(cache.getIfPresent("k"));
        assertEquals("old", cache.getIfPresent("live"));
        listener.assertExactly();
    }

    private static void assertBadTtl(Duration ttl, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(ttl.toString()),
                "message should name the bad ttl " + ttl + ": " + e.getMessage());
    }

    @Test
    void builderSettersRejectNulls() {
        KvCacheBuilder<Object, Object> builder = KvCache.builder();
        assertThrows(NullPointerException.class, () -> builder.timeToLive(null));
        assertThrows(NullPointerException.class, () -> builder.ticker(null));
        assertThrows(NullPointerException.class, () -> builder.removalListener(null));
        assertThrows(NullPointerException.class, () -> builder.executor(null));
        assertThrows(NullPointerException.class, () -> builder.scheduler(null));
        assertThrows(NullPointerException.class, () -> builder.maximumWeight(10, null));
        // A rejected weigher does not leave a bound behind.
        builder.maximumSize(10);
    }

    @Test
    void builderRejectsNegativeNumbersNamingTheValue() {
        assertMessageNames("-1", assertThrows(IllegalArgumentException.class,
                () -> KvCache.builder().maximumSize(-1)));
        assertMessageNames("-7", assertThrows(IllegalArgumentException.class,
                () -> KvCache.builder().maximumWeight(-7, (Object k, Object v) -> 1)));
        assertMessageNames("-3", assertThrows(IllegalArgumentException.class,
                () -> KvCache.builder().initialCapacity(-3)));
        assertMessageNames(String.valueOf(Long.MIN_VALUE), assertThrows(IllegalArgumentException.class,
                () -> KvCache.builder().maximumSize(Long.MIN_VALUE)));
    }

    private static void assertMessageNames(String value, Exception e) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(value),
                "message should name " + value + ": " + e.getMessage());
    }

    @Test
    void boundCanBeSetOnlyOnce() {
        assertThrows(IllegalStateException.class,
                () -> KvCache.builder().maximumWeight(10, (Object k, Object v) -> 1).maximumSize(5));
        assertThrows(IllegalStateException.class,
                () -> KvCache.builder().maximumSize(5).maximumWeight(10, (Object k, Object v) -> 1));
        assertThrows(IllegalStateException.class, () -> KvCache.builder().maximumSize(5).maximumSize(6));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KvCache.builder().maximumWeight(10, (Object k, Object v) -> 1)
                        .maximumWeight(11, (Object k, Object v) -> 1));
        assertMessageNames("10", e);
    }

    @Test
    void builderAcceptsBoundaryValues() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            KvCache<String, String> built = KvCache.builder()
                    .timeToLive(Duration.ofNanos(1))
                    .maximumSize(0)
                    .initialCapacity(0)
                    .ticker(ticker)
                    .executor(Runnable::run)
                    .scheduler(scheduler)
                    .removalListener((String k, String v, RemovalCause c) -> { })
                    .recordStats()
                    .build();
            built.close();
            KvCache.builder().maximumSize(Long.MAX_VALUE).timeToLive(KvCache.NEVER).build();
            KvCache.builder().maximumWeight(0, (Object k, Object v) -> 0).build();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void builderMayBeReusedAndBuildsIndependentCaches() {
        KvCacheBuilder<Object, Object> builder = KvCache.builder().ticker(ticker).timeToLive(TTL);
        KvCache<String, String> first = builder.build();
        KvCache<String, String> second = builder.build();
        first.put("k", "1");
        assertNull(second.getIfPresent("k"));
        second.put("k", "2");
        assertEquals("1", first.getIfPresent("k"));
    }
}
