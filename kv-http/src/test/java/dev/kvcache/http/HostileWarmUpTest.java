package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link KvHandler#warmUp} against its contract: an interrupted caller gets control back promptly with its
 * interrupt kept, the thread run beside it never outlives the call, any {@link Duration} that is not
 * negative is accepted (no {@link ArithmeticException} for one too long to count in nanoseconds), and the
 * handler's cache is left as it was.
 */
class HostileWarmUpTest {
    private static final String WARM_UP_THREAD = "kvcache-warm-up";

    @Test
    void aCallerInterruptedBeforeTheCallReturnsAtOnceWithItsInterruptKept() {
        KvHandler handler = new KvHandler(KvHandlerOptions.defaults());
        // Used to run the whole hour: the loop never looked at the interrupt, only the join after it did.
        boolean interrupted = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Thread.currentThread().interrupt();
            handler.warmUp(Duration.ofHours(1));
            return Thread.interrupted();
        });
        assertTrue(interrupted, "the caller's interrupt status");
        assertNoWarmUpThread();
    }

    @Test
    void anInterruptDuringTheRunStopsItAndItsOtherThreadEvenForTheLongestDuration() throws Exception {
        KvHandler handler = new KvHandler(KvHandlerOptions.defaults());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean interruptKept = new AtomicBoolean();
        // Duration.ofSeconds(Long.MAX_VALUE) is not negative, so the contract accepts it; it used to throw
        // ArithmeticException (Duration.toNanos overflows) before running anything.
        Thread caller = new Thread(() -> {
            try {
                handler.warmUp(Duration.ofSeconds(Long.MAX_VALUE));
                interruptKept.set(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "warm-up-caller");
        caller.setDaemon(true);
        caller.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!WarmUpThreads.alive()) {
                assertTrue(caller.isAlive(), "the warm-up ended before it was interrupted: " + failure.get());
                assertTrue(System.nanoTime() < deadline, "no warm-up thread started");
                Thread.yield();
            }
            caller.interrupt();
            caller.join(10_000);
            assertFalse(caller.isAlive(), "still warming up 10 s after the interrupt");
            assertNull(failure.get(), "what the call threw");
            assertTrue(interruptKept.get(), "the caller's interrupt status after the call");
            assertNoWarmUpThread();
        } finally {
            caller.interrupt();
        }
    }

    @Test
    void aManualTickerThatNeverMovesStillEndsOnTime() {
        // Nothing expires on the throwaway then; the run must still end after about the time asked.
        KvHandlerOptions options = KvHandlerOptions.builder().ticker(new FakeTicker()).build();
        CacheStats stats = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> WarmUp.run(options, Duration.ofMillis(100)));
        assertTrue(stats.putCount() > 0, "writes: " + stats);
        assertNoWarmUpThread();
    }

    @Test
    void aSharedCacheIsLeftAsItWasByTwoRuns() {
        try (KvCache<String, StoredValue> cache = KvCache.builder().timeToLive(Duration.ofMinutes(5))
                .recordStats().<String, StoredValue>build()) {
            StoredValue value = StoredValue.of("v".getBytes(StandardCharsets.UTF_8), "text/plain");
            cache.put("1", value); // one of the warm-up's hot keys
            KvHandler handler = new KvHandler(cache, KvHandlerOptions.defaults());
            CacheStats before = cache.stats();
            handler.warmUp(Duration.ofMillis(50));
            handler.warmUp(Duration.ofMillis(50));
            assertEquals(before, cache.stats());
            assertEquals(1, cache.estimatedSize());
            assertEquals(value, cache.policy().getEntryIfPresentQuietly("1").getValue());
            assertNull(cache.policy().getEntryIfPresentQuietly("2"), "another key the warm-up writes");
        }
        assertNoWarmUpThread();
    }

    private static void assertNoWarmUpThread() {
        // every thread of the JVM, whatever its group
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals(WARM_UP_THREAD) && thread.isAlive()),
                "a " + WARM_UP_THREAD + " thread outlived the call");
    }
}
