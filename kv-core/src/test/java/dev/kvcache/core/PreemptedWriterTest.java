package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A write that is delayed while the entry it acts on expires, and while a read sees that entry
 * absent, takes effect after that read: by the contract ("linearizable per key"; an expired entry
 * "behaves as absent for every operation") it must find the entry expired. Conditional writes fail,
 * and an overwrite reports the old value as {@link RemovalCause#EXPIRED}, not
 * {@link RemovalCause#REPLACED}. Two delays: waiting for the key (another write of it is in progress),
 * and being descheduled right after reading the clock, both arranged with a {@link PausingTicker}.
 */
class PreemptedWriterTest {
    /** Short, and time moves by little, so that no maintenance reclaims the entry meanwhile. */
    private static final Duration TTL = Duration.ofMillis(1);

    static Stream<Arguments> writes() {
        return Stream.of(
                Arguments.of("replace(k, v)", write(c -> c.replace("k", "new")), null, null),
                Arguments.of("replace(k, old, v)", write(c -> c.replace("k", "old", "new")), false, null),
                Arguments.of("replace(k, old, v, ttl)", write(c -> c.replace("k", "old", "new", TTL)), false, null),
                Arguments.of("remove(k, old)", write(c -> c.remove("k", "old")), false, null),
                Arguments.of("asMap().put(k, v)", write(c -> c.asMap().put("k", "new")), null, "new"),
                Arguments.of("put(k, v)", write(c -> {
                    c.put("k", "new");
                    return "void";
                }), "void", "new"));
    }

    private static Function<KvCache<String, String>, Object> write(Function<KvCache<String, String>, Object> write) {
        return write;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void writeThatWaitedPastTheDeadlineFindsTheEntryExpired(String name,
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

        // Keeps the key busy without ever changing it: its expected value never matches.
        Thread busy = new Thread(() -> cache.replace("k", "no such value", "unused"));
        ticker.pauseNextReadBy(busy);
        busy.start();
        assertTrue(ticker.awaitPaused(), "the first write did not read the clock");
        AtomicReference<Object> result = new AtomicReference<>();
        Thread writer = new Thread(() -> result.set(write.apply(cache)));
        writer.start();
        awaitParkedOrDone(writer);
        Assumptions.assumeTrue(writer.isAlive(), "this engine let the write through while another write of its"
                + " key was in progress, so it took effect before the deadline: no waiting to test");

        time.advance(TTL.multipliedBy(2));
        Assumptions.assumeTrue(cache.getIfPresent("k") == null,
                "the write took effect before the read, so before the deadline: no waiting to test");
        ticker.resume();
        busy.join(10_000);
        writer.join(10_000);

        assertEquals(expectedResult, result.get(), name + " acted on an entry a completed read had seen expired");
        assertEquals(expectedValue, cache.getIfPresent("k"));
        cache.cleanUp();
        assertTrue(listener.removals().contains(removal("k", "old", RemovalCause.EXPIRED)),
                () -> "notifications: " + listener.removals());
        assertEquals(1, listener.size(), () -> "notifications: " + listener.removals());
    }

    /**
     * The writer is held right after its own clock reading, wherever the engine takes it (inside the
     * key's lock, say): a lock-free read that sees the entry expired meanwhile must still win.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void writeHeldRightAfterReadingTheClockFindsTheEntryExpired(String name,
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
        Assumptions.assumeTrue(cache.getIfPresent("k") == null,
                "the write took effect before the read, so before the deadline");
        ticker.resume();
        writer.join(10_000);

        assertEquals(expectedResult, result.get(), name + " acted on an entry a completed read had seen expired");
        assertEquals(expectedValue, cache.getIfPresent("k"));
        cache.cleanUp();
        assertTrue(listener.removals().contains(removal("k", "old", RemovalCause.EXPIRED)),
                () -> "notifications: " + listener.removals());
        assertEquals(1, listener.size(), () -> "notifications: " + listener.removals());
    }

    private static void awaitParkedOrDone(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Thread.State state = thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED || state == Thread.State.TERMINATED) {
                return;
            }
            Thread.sleep(1);
        }
    }
}
