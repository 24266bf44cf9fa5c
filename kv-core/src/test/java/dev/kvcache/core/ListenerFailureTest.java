package dev.kvcache.core;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.core.testing.MutedEngineLog;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, item 4: a removal listener that throws, even an {@link Error}, never reaches the caller,
 * never loses another notification of the same batch, and never skips the cache's own bookkeeping.
 */
@ExtendWith(MutedEngineLog.class) // the engine logs each failure, as it must
class ListenerFailureTest {
    static Stream<Named<Supplier<Throwable>>> failures() {
        return Stream.of(
                Named.of("AssertionError", () -> new AssertionError("listener bug")),
                Named.of("StackOverflowError", StackOverflowError::new),
                Named.of("RuntimeException", () -> new IllegalStateException("listener bug")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void everyNotificationOfAnExpiryBatchIsDeliveredAndCleanUpDoesNotThrow(Supplier<Throwable> failure) {
        FakeTicker ticker = new FakeTicker();
        AtomicInteger calls = new AtomicInteger();
        KvCache<Integer, Integer> cache = KvCache.builder()
                .ticker(ticker)
                .timeToLive(Duration.ofSeconds(1))
                .removalListener((Integer k, Integer v, RemovalCause cause) -> {
                    calls.incrementAndGet();
                    throw sneaky(failure.get());
                })
                .build();
        for (int i = 0; i < 5; i++) {
            cache.put(i, i);
        }
        ticker.advance(Duration.ofSeconds(2));
        assertDoesNotThrow(cache::cleanUp);
        assertEquals(5, calls.get(), "one call per expired entry");
        assertEquals(0, cache.estimatedSize());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void writesAndRemovesDoNotThrowAndTheBoundHolds(Supplier<Throwable> failure) {
        AtomicInteger calls = new AtomicInteger();
        KvCache<Integer, Integer> cache = KvCache.builder()
                .ticker(new FakeTicker())
                .timeToLive(Duration.ofMinutes(1))
                .maximumSize(10)
                .removalListener((Integer k, Integer v, RemovalCause cause) -> {
                    calls.incrementAndGet();
                    throw sneaky(failure.get());
                })
                .build();
        int keys = 1_010;
        for (int i = 0; i < keys; i++) {
            int key = i;
            assertDoesNotThrow(() -> cache.put(key, 1));
            assertDoesNotThrow(() -> cache.put(key, 2)); // REPLACED: the listener throws mid-write
        }
        assertDoesNotThrow(cache::cleanUp);
        assertTrue(cache.estimatedSize() <= 10, "a maximumSize(10) cache holds " + cache.estimatedSize());
        // Each key: one REPLACED, then one SIZE, except those still held.
        assertEquals(2L * keys - cache.estimatedSize(), calls.get());
        assertDoesNotThrow(() -> cache.remove(keys - 1));
        assertNull(cache.getIfPresent(keys - 1));
        assertDoesNotThrow(() -> cache.invalidateAll()); // a lambda: invalidateAll is overloaded
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void aThrowingExecutorLosesNoNotification(Supplier<Throwable> failure) {
        AtomicInteger calls = new AtomicInteger();
        KvCache<Integer, Integer> cache = KvCache.builder()
                .ticker(new FakeTicker())
                .executor(task -> {
                    throw sneaky(failure.get());
                })
                .removalListener((Integer k, Integer v, RemovalCause cause) -> calls.incrementAndGet())
                .build();
        cache.put(1, 1);
        assertDoesNotThrow(() -> cache.put(1, 2));
        assertDoesNotThrow(() -> cache.remove(1));
        assertEquals(2, calls.get(), "run on the caller's thread when the executor fails");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
