package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 10: {@code timeToIdle} with {@code timeToLive} (or an expiry function): idle out, or at the TTL at the latest. */
class IdleWithTtlTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private static final long IDLE = 64 * SECOND;
    private static final long TTL = 200 * SECOND;

    private final FakeTicker ticker = new FakeTicker();

    private KvCache<String, String> cache(boolean bounded, boolean byFunction) {
        KvCacheBuilder<Object, Object> b = KvCache.builder().ticker(ticker).timeToIdle(Duration.ofNanos(IDLE));
        if (bounded) {
            b.maximumSize(100);
        }
        return byFunction ? b.<String, String>expiry((k, v) -> TTL).build() : b.timeToLive(Duration.ofNanos(TTL)).build();
    }


    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unbounded ttl", "unbounded expiry", "bounded ttl", "bounded expiry"})
    void readsKeepItUntilTheTtlAtTheLatest(String variant) {
        KvCache<String, String> cache = cache(variant.startsWith("bounded"), variant.endsWith("expiry"));
        cache.put("k", "v");
        for (int i = 0; i < 3; i++) { // reads at 60 s, 120 s, 180 s: each within the idle time
            ticker.advance(60 * SECOND);
            assertEquals("v", cache.getIfPresent("k"));
        }
        assertEquals(20 * SECOND, cache.getEntryIfPresent("k").expiresIn().toNanos(), "capped by the TTL");
        ticker.advance(20 * SECOND - 1);
        assertEquals("v", cache.getIfPresent("k"), "at the TTL - 1 ns");
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"), "at the TTL, though read within the idle time");
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unbounded ttl", "bounded expiry"})
    void anUnreadEntryIdlesOutExactly(String variant) {
        KvCache<String, String> cache = cache(variant.startsWith("bounded"), variant.endsWith("expiry"));
        cache.put("k", "v");
        ticker.advance(10 * SECOND);
        assertEquals("v", cache.getIfPresent("k")); // deadline: 74 s
        ticker.advance(IDLE - 1);
        assertEquals("v", cache.asMap().entrySet().iterator().next().getValue()); // iteration: no refresh
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"), "idle for exactly the idle time");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unbounded ttl", "bounded ttl"})
    void aWriteRestartsBothAndSetTimeToLiveMovesTheCap(String variant) {
        KvCache<String, String> cache = cache(variant.startsWith("bounded"), false);
        cache.put("k", "v1");
        for (long step : new long[] {60, 60, 30}) {
            ticker.advance(step * SECOND);
            assertEquals("v1", cache.getIfPresent("k")); // at 150 s, idle deadline 200 s: the cap
        }
        assertEquals(50 * SECOND, cache.getEntryIfPresent("k").expiresIn().toNanos());
        cache.put("k", "v2");                       // 150 s: idle deadline 214 s, cap 350 s
        assertEquals(IDLE, cache.getEntryIfPresent("k").expiresIn().toNanos());
        assertTrue(cache.setTimeToLive("k", Duration.ofSeconds(10))); // cap 160 s: lower, so a new node
        ticker.advance(5 * SECOND);
        assertEquals("v2", cache.getIfPresent("k"));
        assertEquals(5 * SECOND, cache.getEntryIfPresent("k").expiresIn().toNanos(), "the new cap holds");
        assertTrue(cache.setTimeToLive("k", Duration.ofSeconds(100))); // cap 255 s, raised in place
        ticker.advance(50 * SECOND);
        assertEquals("v2", cache.getIfPresent("k"));
        ticker.advance(50 * SECOND - 1);
        assertEquals("v2", cache.getIfPresent("k"), "at the raised cap - 1 ns");
        ticker.advance(1);
        assertNull(cache.getIfPresent("k"), "at the raised cap");
        assertFalse(cache.touch("k"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unbounded ttl", "bounded ttl"})
    void touchRestartsTheTtl(String variant) {
        KvCache<String, String> cache = cache(variant.startsWith("bounded"), false);
        cache.put("k", "v");
        ticker.advance(60 * SECOND);
        assertTrue(cache.touch("k"));             // cap 260 s, idle deadline 124 s
        for (int i = 0; i < 4; i++) {
            ticker.advance(50 * SECOND);          // reads at 110 .. 260 s
            if (i < 3) {
                assertEquals("v", cache.getIfPresent("k"));
            }
        }
        assertNull(cache.getIfPresent("k"), "at the touched TTL's end (260 s)");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(booleans = {false, true})
    void onlyCappedCachesPayForTheHardDeadline(boolean bounded) {
        KvCacheBuilder<Object, Object> plain = KvCache.builder().ticker(ticker).timeToIdle(Duration.ofNanos(IDLE));
        if (bounded) {
            plain.maximumSize(100);
        }
        ExpiringCache<String, String> idleOnly = (ExpiringCache<String, String>) plain.<String, String>build();
        idleOnly.put("k", "v");
        Node<String, String> node = idleOnly.table.get("k", NodeTable.hash("k"));
        assertEquals(bounded ? BoundedNode.class : Node.class, node.getClass());
        ExpiringCache<String, String> capped = (ExpiringCache<String, String>) cache(bounded, false);
        capped.put("k", "v");
        Node<String, String> cappedNode = capped.table.get("k", NodeTable.hash("k"));
        assertEquals(bounded ? BoundedNode.Capped.class : CappedNode.class, cappedNode.getClass());
    }
}
