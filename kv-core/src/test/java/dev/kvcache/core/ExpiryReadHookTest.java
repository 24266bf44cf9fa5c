package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Issue 10: the {@link Expiry#afterReadNanos} read hook. */
class ExpiryReadHookTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private static final long TTL = 64 * SECOND;

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicLong lastRemaining = new AtomicLong(-42);

    /** Creates and updates get 1 s; a read gives whatever {@code onRead} holds (0: keep the remaining TTL). */
    private final AtomicLong onRead = new AtomicLong(TTL);

    private final Expiry<String, String> hook = new Expiry<>() {
        @Override
        public long afterCreateNanos(String key, String value) {
            return SECOND;
        }

        @Override
        public long afterReadNanos(String key, String value, long remainingNanos) {
            reads.incrementAndGet();
            lastRemaining.set(remainingNanos);
            if (value.equals("throws")) {
                throw new IllegalStateException("hook failed for " + key);
            }
            long ttl = onRead.get();
            return ttl == 0 ? remainingNanos : ttl;
        }
    };

    private final KvCache<String, String> cache = KvCache.builder().ticker(ticker).<String, String>expiry(hook).build();

    @Test
    void aReadExtendedTtlEndsExactlyAtItsDeadline() {
        cache.put("k", "v");
        ticker.advance(SECOND / 2);
        assertEquals("v", cache.getIfPresent("k"));         // deadline: now + 64 s
        assertEquals(SECOND / 2, lastRemaining.get(), "the hook is told the remaining TTL");
        onRead.set(0); // later reads keep the deadline
        ticker.advance(TTL - 1);
        assertEquals("v", cache.getIfPresent("k"), "at deadline - 1 ns");
        assertEquals(1, lastRemaining.get());
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"), "at the deadline");
    }

    @Test
    void everyHitKindConsultsTheHookButContainsKeyIterationAndMissesDoNot() {
        cache.put("k", "v");
        cache.getIfPresent("k");
        cache.getEntryIfPresent("k");
        cache.get("k", key -> "loaded");
        cache.getAllPresent(java.util.List.of("k", "absent"));
        cache.asMap().get("k");
        assertEquals(5, reads.get());
        // Not accesses, as Guava and Caffeine specify (QuietViewOperationsTest covers every view call).
        assertTrue(cache.asMap().containsKey("k"));
        cache.asMap().entrySet().iterator().next();
        cache.getIfPresent("absent");
        assertEquals(5, reads.get());
    }

    @Test
    void getEntryIfPresentReportsTheExtendedTtl() {
        cache.put("k", "v");
        assertEquals(TTL, cache.getEntryIfPresent("k").expiresIn().toNanos());
    }

    @Test
    void aShorterTtlLeavesTheDeadlineAndSoDoesASmallMove() {
        cache.put("k", "v");
        onRead.set(SECOND / 4);
        assertEquals("v", cache.getIfPresent("k"));
        assertEquals(SECOND, cache.getEntryIfPresent("k").expiresIn().toNanos(), "a read never shortens");
        onRead.set(SECOND + SECOND / 64); // moves it by exactly ttl/64, rounded down: not more
        assertEquals(SECOND, cache.getEntryIfPresent("k").expiresIn().toNanos(), "moves of ttl/64 or less are skipped");
        onRead.set(2 * SECOND);
        assertEquals(2 * SECOND, cache.getEntryIfPresent("k").expiresIn().toNanos());
    }

    @Test
    void aThrowingHookFailsTheReadAndLeavesTheEntry() {
        cache.put("k", "throws");
        ticker.advance(SECOND / 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.getIfPresent("k"));
        assertEquals("hook failed for k", e.getMessage());
        assertThrows(IllegalStateException.class, () -> cache.getEntryIfPresent("k"));
        ticker.advance(SECOND / 2 - 1);
        assertEquals("throws", cache.asMap().entrySet().iterator().next().getValue(), "value and deadline kept");
        ticker.advance(1);
        assertFalse(cache.asMap().entrySet().iterator().hasNext(), "expired at its original deadline");
    }

    @Test
    void aHookReturningZeroOrLessFailsTheReadAndLeavesTheEntry() {
        cache.put("k", "v");
        for (long bad : new long[] {-1, Long.MIN_VALUE}) {
            onRead.set(bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.getIfPresent("k"));
            assertTrue(e.getMessage().contains("returned a TTL of " + bad + " ns for key k"), e.getMessage());
        }
        onRead.set(0); // the hook returns remainingNanos
        ticker.advance(SECOND - 1);
        assertEquals("v", cache.getIfPresent("k"), "deadline unchanged by the failed reads");
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
    }

    @Test
    void setTimeToLiveAndTheReadHookEachMoveTheDeadline() {
        cache.put("k", "v");
        assertTrue(cache.setTimeToLive("k", Duration.ofSeconds(10)));
        onRead.set(0);
        ticker.advance(5 * SECOND);
        assertEquals("v", cache.getIfPresent("k"));
        assertEquals(5 * SECOND, lastRemaining.get(), "the hook sees setTimeToLive's deadline");
        onRead.set(TTL);
        assertEquals("v", cache.getIfPresent("k"));        // read: now + 64 s
        assertTrue(cache.setTimeToLive("k", Duration.ofSeconds(2))); // shortens again: a new node
        onRead.set(0);
        ticker.advance(2 * SECOND - 1);
        assertEquals("v", cache.getIfPresent("k"), "setTimeToLive's shorter deadline - 1 ns");
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"), "at setTimeToLive's deadline, despite the earlier read");
        assertFalse(cache.setTimeToLive("k", Duration.ofSeconds(2)), "expired");
    }

    @Test
    void aReadExtendedEntryIsReclaimedAtItsNewDeadline() {
        cache.put("k", "v");
        cache.getIfPresent("k"); // 64 s
        ticker.advance(2 * SECOND);
        cache.cleanUp();
        assertEquals(1, cache.estimatedSize(), "kept past its write's deadline");
        ticker.advance(TTL);
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
    }

    @Test
    void theReadHookIsDetectedOnlyWhenOverridden() {
        assertFalse(ExpiringCache.hasReadHook((Expiry<String, String>) (k, v) -> SECOND));
        assertFalse(ExpiringCache.hasReadHook(null));
        assertTrue(ExpiringCache.hasReadHook(hook));
    }

    @Test
    void aFunctionWithoutAReadHookIsNeverCalledOnARead() {
        AtomicInteger calls = new AtomicInteger();
        KvCache<String, String> plain = KvCache.builder().ticker(ticker)
                .<String, String>expiry((k, v) -> { calls.incrementAndGet(); return SECOND; }).build();
        plain.put("k", "v");
        assertSame("v", plain.getIfPresent("k"));
        plain.getEntryIfPresent("k");
        assertEquals(1, calls.get());
        ticker.advance(SECOND);
        assertNull(plain.getIfPresent("k"), "reads did not extend it");
    }

    @Test
    void readsWithAHookDoNotAllocate() throws ReflectiveOperationException {
        AllocationTest.AllocationCounter counter = AllocationTest.AllocationCounter.forCurrentThread();
        Assumptions.assumeTrue(counter != null, "needs HotSpot's per-thread allocation counter");
        KvCache<String, String> hooked = KvCache.builder().ticker(ticker).executor(task -> {})
                .<String, String>expiry(hook).build();
        String[] keys = new String[1_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "key-" + i;
            hooked.put(keys[i], "v");
            hooked.getIfPresent(keys[i]); // 1 s to 64 s
        }
        // every read of a round moves its deadline (a CAS)
        AllocationTest.assertExtendingReadsAllocateNothing(counter, hooked, keys, ticker, TTL / 32, "extending reads");
    }

    /** Regression: build(loader) skipped build()'s checks, so a loading cache took a TTL and an expiry function. */
    @Test
    void aLoadingCacheRefusesTheSameConfigurationsAsAPlainOne() {
        IllegalStateException both = assertThrows(IllegalStateException.class, () -> KvCache.builder()
                .timeToLive(Duration.ofSeconds(7)).<String, String>expiry(hook).build(k -> "v"));
        assertTrue(both.getMessage().contains("PT7S"), both.getMessage());
        IllegalStateException idle = assertThrows(IllegalStateException.class, () -> KvCache.builder()
                .timeToIdle(Duration.ofSeconds(5)).<String, String>expiry(hook).build(k -> "v"));
        assertTrue(idle.getMessage().contains("PT5S") && idle.getMessage().contains("read hook"), idle.getMessage());
    }
}
