package dev.kvcache.core;

import dev.kvcache.core.testing.FakeTicker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, item 8 (the clock thread): the coarse ticker's thread runs only while a cache built with
 * that ticker is open and reachable, and starts again when another is built. Each test uses its own
 * {@link CoarseTicker}, so caches of other tests in this JVM do not interfere.
 */
class ClockThreadTest {

    @Test
    void aCoarseTickerStartsNoThreadUntilACacheUsesIt() {
        CoarseTicker coarse = new CoarseTicker();
        assertFalse(coarse.isTicking());
        long before = System.nanoTime();
        assertTrue(coarse.read() >= before, "without its thread it reads the system clock");
        KvCache<String, String> cache = KvCache.builder().ticker(coarse).build();
        assertTrue(coarse.isTicking());
        cache.close();
    }

    @Test
    void closingTheLastCacheStopsTheThreadAndANewCacheRestartsIt() {
        CoarseTicker coarse = new CoarseTicker();
        KvCache<String, String> first = KvCache.builder().ticker(coarse).build();
        KvCache<String, String> second = KvCache.builder().ticker(coarse).build();
        assertTrue(coarse.isTicking());
        first.close();
        assertEquals(1, coarse.users());
        assertTrue(coarse.isTicking(), "a cache still uses it");
        second.close();
        second.close(); // idempotent
        assertEquals(0, coarse.users());
        awaitCondition(() -> !coarse.isTicking(), "the clock thread did not stop");

        KvCache<String, String> third = KvCache.builder().ticker(coarse).build();
        assertTrue(coarse.isTicking(), "restarted on demand");
        long before = coarse.read();
        awaitCondition(() -> coarse.read() > before, "the restarted clock does not advance");
        third.close();
    }

    @Test
    void aCacheDroppedWithoutCloseStopsTheThreadOnceCollected() {
        CoarseTicker coarse = new CoarseTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(coarse).build();
        cache.put("k", "v");
        assertTrue(coarse.isTicking());
        cache = null;
        awaitCondition(() -> {
            System.gc();
            return !coarse.isTicking();
        }, "a collected cache still pins the clock thread");
    }

    @Test
    void timeReadWhileStoppedNeverGoesBackwards() {
        CoarseTicker coarse = new CoarseTicker();
        long previous = coarse.read();
        for (int round = 0; round < 3; round++) {
            KvCache<String, String> cache = KvCache.builder().ticker(coarse).build();
            for (int i = 0; i < 1_000; i++) {
                long now = coarse.read();
                assertTrue(now >= previous, now + " after " + previous);
                previous = now;
            }
            cache.close();
        }
    }

    /** The builder's default is the shared coarse ticker, but only a cache built with it uses it. */
    @Test
    void cachesWithOtherTickersDoNotUseTheSharedClock() {
        int before = CoarseTicker.INSTANCE.users();
        KvCache<String, String> system = KvCache.builder().ticker(Ticker.system()).build();
        KvCache<String, String> fake = KvCache.builder().ticker(new FakeTicker()).build();
        assertEquals(before, CoarseTicker.INSTANCE.users());
        KvCache<String, String> coarse = KvCache.builder().build();
        assertEquals(before + 1, CoarseTicker.INSTANCE.users());
        assertTrue(CoarseTicker.INSTANCE.isTicking());
        coarse.close();
        assertEquals(before, CoarseTicker.INSTANCE.users());
        system.close();
        fake.close();
    }

    private static void awaitCondition(BooleanSupplier condition, String message) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, message + " within 30 s");
            try {
                Thread.sleep(Duration.ofMillis(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
