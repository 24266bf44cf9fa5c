package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A write whose thread is preempted between reading the clock and changing the entry must still act
 * on the entry as it is when the change happens. Here the entry expires, and a read sees it absent,
 * while the writer is held; the write takes effect after that read (its effect is not visible to
 * it), so by the contract ("linearizable per key"; an expired entry "behaves as absent for every
 * operation") it must find the entry expired: conditional writes fail, and an overwrite reports the
 * old value as {@link RemovalCause#EXPIRED}, not {@link RemovalCause#REPLACED}.
 */
class PreemptedWriterTest {
    /** Short, so that (with a short pause) no maintenance reclaims the entry before the writer goes on. */
    private static final Duration TTL = Duration.ofMillis(1);

    static Stream<Arguments> writes() {
        return Stream.of(
                Arguments.of("replace(k, v)", (Function<KvCache<String, String>, Object>) c -> c.replace("k", "new"),
                        null, null),
                Arguments.of("replace(k, old, v)",
                        (Function<KvCache<String, String>, Object>) c -> c.replace("k", "old", "new"), false, null),
                Arguments.of("replace(k, old, v, ttl)",
                        (Function<KvCache<String, String>, Object>) c -> c.replace("k", "old", "new", TTL), false, null),
                Arguments.of("remove(k, old)",
                        (Function<KvCache<String, String>, Object>) c -> c.remove("k", "old"), false, null),
                Arguments.of("asMap().put(k, v)",
                        (Function<KvCache<String, String>, Object>) c -> c.asMap().put("k", "new"), null, "new"),
                Arguments.of("put(k, v)", (Function<KvCache<String, String>, Object>) c -> {
                    c.put("k", "new");
                    return "void";
                }, "void", "new"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void writeTakingEffectAfterTheDeadlineFindsTheEntryExpired(String name,
            Function<KvCache<String, String>, Object> write, Object expectedResult, String expectedValue)
            throws InterruptedException {
        FakeTicker time = new FakeTicker();
        PausingTicker ticker = new PausingTicker(time);
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .timeToLive(Duration.ofMinutes(1))
                .removalListener(listener)
                .build();
        cache.put("k", "old", TTL);

        AtomicReference<Object> result = new AtomicReference<>();
        Thread writer = new Thread(() -> result.set(write.apply(cache)));
        ticker.pauseNextReadBy(writer);
        writer.start();
        assertTrue(ticker.awaitPaused(), "the write did not read the clock");
        time.advance(TTL.multipliedBy(2));
        assertNull(cache.getIfPresent("k"), "expired while the writer was held");
        ticker.resume();
        writer.join(10_000);

        assertEquals(expectedResult, result.get(), name + " acted on an entry a completed read had seen expired");
        assertEquals(expectedValue, cache.getIfPresent("k"));
        cache.cleanUp();
        assertEquals(RemovalCause.EXPIRED, listener.removals().stream()
                .filter(r -> r.value().equals("old")).findFirst().map(RecordingListener.Removal::cause).orElse(null),
                () -> "notifications: " + listener.removals());
        assertTrue(listener.removals().contains(removal("k", "old", RemovalCause.EXPIRED)));
    }
}
