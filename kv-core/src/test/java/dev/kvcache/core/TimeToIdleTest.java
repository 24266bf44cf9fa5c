package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Issue 10: expire-after-access ({@link KvCacheBuilder#timeToIdle}), with its documented precision. */
class TimeToIdleTest {
    private static final long IDLE = Duration.ofSeconds(64).toNanos();
    private static final long SLACK = IDLE / 64; // a read moves the deadline only by more than this

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();
    private final KvCache<String, String> cache = KvCache.builder().ticker(ticker).removalListener(listener)
            .timeToIdle(Duration.ofNanos(IDLE)).<String, String>build();

    @Test
    void anEntryUnreadForTheIdleTimeExpiresExactlyThen() {
        cache.put("k", "v");
        ticker.advance(IDLE - 1);
        assertEquals("v", cache.asMap().get("k"));       // a read: the deadline moves to now + idle
        ticker.advance(IDLE - 1);
        assertEquals("v", cache.getIfPresent("k"));
        ticker.advance(IDLE - 1);
        assertEquals("v", cache.getEntryIfPresent("k").getValue());
        assertEquals(IDLE, cache.getEntryIfPresent("k").expiresIn().toNanos());
        ticker.advance(IDLE);
        assertNull(cache.getIfPresent("k"), "idle for exactly the idle time");
        cache.cleanUp();
        listener.assertExactly(removal("k", "v", RemovalCause.EXPIRED));
    }

    @Test
    void aWriteRestartsTheIdleTime() {
        cache.put("k", "v1");
        ticker.advance(IDLE / 2);
        cache.put("k", "v2");
        ticker.advance(IDLE - 1);
        assertEquals("v2", cache.asMap().entrySet().iterator().next().getValue()); // iteration: no refresh
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"), "iteration is not an access");
    }

    /** The documented precision: a read within idle/64 of the last refresh does not move the deadline. */
    @Test
    void aReadCloseToTheLastRefreshMayLeaveTheDeadline() {
        cache.put("k", "v");
        ticker.advance(SLACK);
        assertEquals("v", cache.getIfPresent("k")); // would move it by idle/64: not more, so it stays
        assertEquals(IDLE - SLACK, cache.getEntryIfPresent("k").expiresIn().toNanos(), "deadline left in place");
        ticker.advance(1);
        assertEquals(IDLE, cache.getEntryIfPresent("k").expiresIn().toNanos(), "moved by more: refreshed");
        ticker.advance(IDLE - 1);
        assertEquals("v", cache.getIfPresent("k")); // idle - 1 after the write: still live, and refreshed
        ticker.advance(IDLE - 1);
        assertEquals("v", cache.getIfPresent("k"));
        ticker.advance(IDLE);
        assertNull(cache.getIfPresent("k"));
    }

    /**
     * Every hit refreshes the idle time, whenever it comes: also between two maintenance ticks (the
     * timer wheel's are about 67 ms apart), where a plain hit takes its fast path.
     */
    @Test
    void hitsBetweenMaintenanceTicksRefreshTheIdleTime() {
        KvCache<String, String> fast = KvCache.builder().ticker(ticker)
                .timeToIdle(Duration.ofMillis(20)).<String, String>build();
        fast.put("k", "v");
        for (int i = 1; i <= 20; i++) {
            ticker.advance(Duration.ofMillis(10));
            assertEquals("v", fast.getIfPresent("k"), "read every 10 ms, so never idle for 20 ms; read " + i);
        }
        ticker.advance(Duration.ofMillis(20));
        assertNull(fast.getIfPresent("k"));
    }

    @Test
    void anIdleCacheReadsWithoutAllocating() throws ReflectiveOperationException {
        AllocationTest.AllocationCounter counter = AllocationTest.AllocationCounter.forCurrentThread();
        Assumptions.assumeTrue(counter != null, "needs HotSpot's per-thread allocation counter");
        KvCache<String, String> idle = KvCache.builder().ticker(ticker).executor(task -> {})
                .timeToIdle(Duration.ofNanos(IDLE)).<String, String>build();
        String[] keys = new String[1_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "key-" + i;
            idle.put(keys[i], "v");
        }
        // every read of a round moves its deadline (a CAS)
        AllocationTest.assertExtendingReadsAllocateNothing(counter, idle, keys, ticker, IDLE / 32, "refreshing reads");
    }

    @Test
    void badConfigurationIsRefusedNamingTheValue() {
        assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToIdle(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToIdle(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> KvCache.builder().timeToIdle(KvCache.NEVER));
        assertThrows(NullPointerException.class, () -> KvCache.builder().timeToIdle(null));
        // timeToIdle with timeToLive is supported now (IdleWithTtlTest); with a read hook it is refused.
        Expiry<Object, Object> readHook = new Expiry<>() {
            @Override
            public long afterCreateNanos(Object key, Object value) {
                return 7;
            }

            @Override
            public long afterReadNanos(Object key, Object value, long remainingNanos) {
                return 7;
            }

            @Override
            public String toString() {
                return "ReadHook7";
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KvCache.builder()
                .timeToIdle(Duration.ofSeconds(5)).expiry(readHook).build());
        assertTrue(e.getMessage().contains("PT5S") && e.getMessage().contains("ReadHook7"), e.getMessage());
    }
}
