package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Issue 10, per-entry expiry: the {@link Expiry} function, {@code setTimeToLive} and {@code touch}. */
class PerEntryTtlTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    /** A TTL of as many seconds as the value has characters. */
    private static final Expiry<String, String> BY_LENGTH = (key, value) -> value.length() * SECOND;

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();

    private KvCache<String, String> withExpiry(Expiry<String, String> expiry) {
        return KvCache.builder().ticker(ticker).removalListener(listener).<String, String>expiry(expiry).build();
    }

    @Test
    void everyWriteWithoutItsOwnTtlGetsTheFunctionsTtlExactly() {
        KvCache<String, String> cache = withExpiry(BY_LENGTH);
        cache.put("put", "xx");                                   // 2 s
        cache.asMap().put("map", "xxx");                          // 3 s
        cache.asMap().computeIfAbsent("computed", k -> "x");      // 1 s
        cache.get("loaded", k -> "xxxx");                         // 4 s
        cache.put("own", "x", Duration.ofSeconds(10));            // its own TTL wins
        ticker.advance(SECOND - 1);
        assertEquals("x", cache.getIfPresent("computed"), "at deadline - 1 ns");
        ticker.advance(1);
        assertNull(cache.getIfPresent("computed"), "at the deadline");
        ticker.advance(SECOND - 1);
        assertEquals("xx", cache.getIfPresent("put"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("put"));
        ticker.advance(SECOND - 1);
        assertEquals("xxx", cache.asMap().get("map"));
        ticker.advance(1);
        assertNull(cache.asMap().get("map"));
        assertEquals("xxxx", cache.getIfPresent("loaded"));
        ticker.advance(SECOND);
        assertNull(cache.getIfPresent("loaded"));
        assertEquals("x", cache.getIfPresent("own"));
    }

    @Test
    void anUpdateIsToldTheRemainingTtlAndMayKeepIt() {
        KvCache<String, String> cache = withExpiry(new Expiry<>() {
            @Override
            public long afterCreateNanos(String key, String value) {
                return 10 * SECOND;
            }

            @Override
            public long afterUpdateNanos(String key, String value, long remainingNanos) {
                assertEquals(7 * SECOND, remainingNanos);
                return remainingNanos; // the deadline stays where it was
            }
        });
        cache.put("k", "v1");
        ticker.advance(3 * SECOND);
        cache.put("k", "v2");
        assertEquals(7 * SECOND, cache.getEntryIfPresent("k").expiresIn().toNanos());
        ticker.advance(7 * SECOND - 1);
        assertEquals("v2", cache.getIfPresent("k"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
    }

    @Test
    void aThrowingFunctionFailsTheWriteAndLeavesTheEntryUnchanged() {
        AtomicBoolean fail = new AtomicBoolean();
        KvCache<String, String> cache = withExpiry((key, value) -> {
            if (fail.get()) {
                throw new IllegalStateException("boom");
            }
            return 5 * SECOND;
        });
        cache.put("k", "v1");
        fail.set(true);
        assertEquals("boom", assertThrows(IllegalStateException.class, () -> cache.put("k", "v2")).getMessage());
        assertThrows(IllegalStateException.class, () -> cache.put("new", "v"));
        assertThrows(IllegalStateException.class, () -> cache.asMap().compute("k", (k, v) -> "v3"));
        assertEquals("v1", cache.getIfPresent("k"));
        assertEquals(5 * SECOND, cache.getEntryIfPresent("k").expiresIn().toNanos());
        assertNull(cache.getIfPresent("new"));
        listener.assertExactly();
        ticker.advance(5 * SECOND);
        assertNull(cache.getIfPresent("k"), "its deadline is the one from before the failed writes");
    }

    @Test
    void aNonPositiveTtlFailsTheWriteNamingTheValue() {
        long[] ttl = {SECOND};
        KvCache<String, String> cache = withExpiry((key, value) -> ttl[0]);
        cache.put("k", "v1");
        for (long bad : new long[] {0, -1, Long.MIN_VALUE}) {
            ttl[0] = bad;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.put("k", "v2"));
            assertTrue(e.getMessage().contains(Long.toString(bad)), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cache.putIfAbsent("other", "v"));
        }
        assertEquals("v1", cache.getIfPresent("k"));
        assertNull(cache.getIfPresent("other"));
        ttl[0] = Long.MAX_VALUE; // never
        cache.put("k", "v3");
        ticker.advance(Long.MAX_VALUE / 2);
        assertEquals("v3", cache.getIfPresent("k"));
    }

    @Test
    void aFunctionThatWritesToTheCacheIsRefused() {
        KvCache<String, String>[] self = new KvCache[1];
        self[0] = withExpiry((key, value) -> {
            self[0].put("other", "v");
            return SECOND;
        });
        assertThrows(IllegalStateException.class, () -> self[0].put("k", "v"));
        assertNull(self[0].getIfPresent("k"));
        assertNull(self[0].getIfPresent("other"));
    }

    @Test
    void anExpiryAndATimeToLiveCannotBothBeSet() {
        KvCacheBuilder<String, String> builder = KvCache.builder().timeToLive(Duration.ofSeconds(3)).expiry(BY_LENGTH);
        IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);
        assertTrue(e.getMessage().contains("PT3S"), e.getMessage());
        assertThrows(NullPointerException.class, () -> KvCache.builder().expiry(null));
    }

    @Test
    void setTimeToLiveExtendsOrShortensALiveEntryWithoutRewritingIt() {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10))
                .removalListener(listener).recordStats().<String, String>build();
        cache.put("k", "v");
        long puts = cache.stats().putCount();
        assertTrue(cache.setTimeToLive("k", Duration.ofSeconds(20)));
        ticker.advance(20 * SECOND - 1);
        assertEquals("v", cache.getIfPresent("k"));
        assertTrue(cache.setTimeToLive("k", Duration.ofSeconds(1))); // shorter: from now
        ticker.advance(SECOND - 1);
        assertEquals("v", cache.getIfPresent("k"));
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"));
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize(), "reclaimed at the shortened deadline");
        assertEquals(puts, cache.stats().putCount(), "a TTL change is not a put");
        listener.assertExactly(removal("k", "v", RemovalCause.EXPIRED));
    }

    @Test
    void setTimeToLiveAndTouchLeaveAbsentAndExpiredKeysAbsent() {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(1))
                .<String, String>build();
        assertFalse(cache.setTimeToLive("absent", Duration.ofSeconds(5)));
        assertFalse(cache.touch("absent"));
        cache.put("k", "v");
        ticker.advance(SECOND);
        assertFalse(cache.setTimeToLive("k", Duration.ofSeconds(5)), "expired at its deadline");
        assertFalse(cache.touch("k"));
        assertNull(cache.getIfPresent("k"), "no resurrection");
        assertNull(cache.getIfPresent("absent"));
        assertThrows(IllegalArgumentException.class, () -> cache.setTimeToLive("k", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> cache.setTimeToLive("k", Duration.ofNanos(-1)));
        assertThrows(NullPointerException.class, () -> cache.setTimeToLive("k", null));
        assertThrows(NullPointerException.class, () -> cache.setTimeToLive(null, Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class, () -> cache.touch(null));
    }

    @Test
    void touchRestartsTheDefaultTtlOrTheFunctionsUpdateTtl() {
        KvCache<String, String> plain = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(2))
                .<String, String>build();
        plain.put("k", "v");
        ticker.advance(SECOND);
        assertTrue(plain.touch("k"));
        ticker.advance(2 * SECOND - 1);
        assertEquals("v", plain.getIfPresent("k"));
        ticker.advance(1);
        assertNull(plain.getIfPresent("k"));

        KvCache<String, String> cache = withExpiry(BY_LENGTH);
        cache.put("k", "xxx");
        ticker.advance(2 * SECOND);
        assertTrue(cache.touch("k"));
        assertEquals(3 * SECOND, cache.getEntryIfPresent("k").expiresIn().toNanos());
        listener.assertExactly();
    }

    /**
     * touch() racing the entry's expiry: the toucher reads the clock just before the deadline and is
     * held; meanwhile the deadline passes and a reader sees the entry expired. The touch must then
     * fail (the reader's observation stands) and the entry stay absent.
     */
    @Test
    void aTouchThatReadTheClockBeforeAnObservedExpiryFails() throws InterruptedException {
        PausingTicker pausing = new PausingTicker(ticker);
        KvCache<String, String> cache = KvCache.builder().ticker(pausing).timeToLive(Duration.ofSeconds(1))
                .<String, String>build();
        cache.put("k", "v");
        ticker.advance(SECOND - 1);
        boolean[] touched = {true};
        Thread toucher = new Thread(() -> touched[0] = cache.touch("k"));
        pausing.pauseNextReadBy(toucher);
        toucher.start();
        assertTrue(pausing.awaitPaused(), "the touch did not read the clock");
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"), "expired at its deadline");
        pausing.resume();
        toucher.join(10_000);
        assertFalse(touched[0], "the touch took effect after a read saw the entry expire");
        assertNull(cache.getIfPresent("k"));
    }

    /** The same race without the read: the touch then comes first and extends the entry. */
    @Test
    void aTouchBeforeTheDeadlineExtendsTheEntry() {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(1))
                .<String, String>build();
        cache.put("k", "v");
        ExpiringCache<String, String> engine = (ExpiringCache<String, String>) cache;
        Node<String, String> node = engine.table.get("k", NodeTable.hash("k"));
        ticker.advance(SECOND - 1);
        assertTrue(cache.touch("k"));
        assertSame(node, engine.table.get("k", NodeTable.hash("k")), "a later deadline is set in place");
        ticker.advance(1);
        assertEquals("v", cache.getIfPresent("k"));
    }

    /**
     * A shortened TTL moves the entry to a new node; the bounded policy must count that node's weight
     * (the QuickTheories model found it counted 0, so the next insert went over the bound).
     */
    @Test
    void aShortenedTtlKeepsTheEntryCountedAgainstTheBound() {
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).maximumSize(2).<String, String>build();
        cache.put("a", "1");
        cache.put("b", "2");
        assertTrue(cache.setTimeToLive("a", Duration.ofMillis(1)));
        cache.put("c", "3");
        cache.cleanUp();
        assertEquals(2, cache.asMap().size(), "bound of 2 exceeded: " + cache.asMap());
        assertEquals(2, cache.policy().weightedSize());
    }
}
