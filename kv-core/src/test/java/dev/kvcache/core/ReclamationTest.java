package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expired entries are reclaimed, not just hidden: by {@link KvCache#cleanUp()} exactly, and by ordinary
 * use of the cache within about 70 ms of their deadline, for TTLs from nanoseconds to years.
 */
class ReclamationTest {

    static Stream<Named<Duration>> ttls() {
        return Stream.of(
                Named.of("1 ns", Duration.ofNanos(1)),
                Named.of("1 ms", Duration.ofMillis(1)),
                Named.of("1 s", Duration.ofSeconds(1)),
                Named.of("10 s", Duration.ofSeconds(10)),
                Named.of("10 min", Duration.ofMinutes(10)),
                Named.of("10 h", Duration.ofHours(10)),
                Named.of("30 days", Duration.ofDays(30)),
                Named.of("3 years", Duration.ofDays(3 * 365)));
    }

    /** The KvCache contract: reclaimed no later than about 70 ms after the deadline while the cache is used. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ttls")
    void readsOfOtherKeysReclaimAnExpiredEntrySoonAfterItsDeadline(Duration ttl) {
        FakeTicker ticker = new FakeTicker();
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .removalListener(listener)
                .build();
        cache.put("other", "x");
        cache.put("k", "v", ttl);

        ticker.advance(ttl.plusMillis(150));
        for (int i = 0; i < 3; i++) {
            assertEquals("x", cache.getIfPresent("other"));
        }
        listener.assertExactly(RecordingListener.removal("k", "v", RemovalCause.EXPIRED));
        assertEquals(1, cache.estimatedSize());
    }

    static Stream<Named<Consumer<KvCache<String, String>>>> reads() {
        return Stream.of(
                Named.of("getIfPresent, hit", c -> assertEquals("x", c.getIfPresent("other"))),
                Named.of("getIfPresent, miss", c -> assertNull(c.getIfPresent("absent"))),
                Named.of("getEntryIfPresent, hit", c -> assertEquals("x", c.getEntryIfPresent("other").getValue())),
                Named.of("getEntryIfPresent, miss", c -> assertNull(c.getEntryIfPresent("absent"))),
                Named.of("get with loader, hit", c -> assertEquals("x", c.get("other", k -> "loaded"))));
    }

    /**
     * "Reclaimed no later than about 70 ms after its deadline whenever the cache is being used": by
     * any read, hit or miss, of any key.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void everyKindOfReadDrivesReclamation(Consumer<KvCache<String, String>> read) {
        FakeTicker ticker = new FakeTicker();
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .removalListener(listener)
                .build();
        cache.put("other", "x");
        cache.put("k", "v", Duration.ofSeconds(10));

        ticker.advance(Duration.ofSeconds(10).plusMillis(150));
        for (int i = 0; i < 3; i++) {
            read.accept(cache);
        }
        listener.assertExactly(RecordingListener.removal("k", "v", RemovalCause.EXPIRED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ttls")
    void readsReclaimAfterTimePassesInSmallSteps(Duration ttl) {
        FakeTicker ticker = new FakeTicker();
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .removalListener(listener)
                .build();
        cache.put("other", "x");
        cache.put("k", "v", ttl);

        // Reach the deadline in steps with reads in between, so the wheel cascades level by level.
        long step = Math.max(Duration.ofMillis(10).toNanos(), ttl.toNanos() / 40);
        long target = ticker.read() + ttl.toNanos() + Duration.ofMillis(150).toNanos();
        while (ticker.read() < target) {
            ticker.advance(Math.min(step, target - ticker.read()));
            cache.getIfPresent("other");
        }
        cache.getIfPresent("other");
        listener.assertExactly(RecordingListener.removal("k", "v", RemovalCause.EXPIRED));
    }

    /**
     * A model check of the timer wheel: entries with TTLs spread over every level of the wheel, written
     * at random times, with time moving in random jumps; after each {@code cleanUp()} exactly the
     * entries whose deadline has not come are held, and each other one was reported once.
     */
    @Test
    void cleanUpReclaimsExactlyTheExpiredEntries() {
        Random random = new Random(2026);
        FakeTicker ticker = new FakeTicker();
        RecordingListener<Integer, Long> listener = new RecordingListener<>();
        KvCache<Integer, Long> cache = KvCache.builder()
                .ticker(ticker)
                .removalListener(listener)
                .build();
        Map<Integer, Long> deadlines = new HashMap<>();
        long[] scales = {1L, 1_000L, 1_000_000L, 67_108_864L, 1_000_000_000L, 4_294_967_296L,
                60_000_000_000L, 274_877_906_944L, 3_600_000_000_000L, 17_592_186_044_416L,
                86_400_000_000_000L, 1_125_899_906_842_624L, 31_536_000_000_000_000L};
        int nextKey = 0;
        for (int step = 0; step < 300; step++) {
            for (int i = 0; i < 20; i++) {
                long scale = scales[random.nextInt(scales.length)];
                long ttl = 1 + (long) (random.nextDouble() * scale * 4);
                int key = nextKey++;
                // The deadline as the contract defines it, by this ticker; stored as the value.
                long deadline = ticker.read() + ttl;
                cache.put(key, deadline, Duration.ofNanos(ttl));
                deadlines.put(key, deadline);
            }
            long scale = scales[random.nextInt(scales.length)];
            ticker.advance((long) (random.nextDouble() * scale));
            cache.cleanUp();

            long now = ticker.read();
            List<Integer> shouldLive = new ArrayList<>();
            deadlines.forEach((key, deadline) -> {
                if (now < deadline) {
                    shouldLive.add(key);
                }
            });
            assertEquals(shouldLive.size(), cache.estimatedSize(), "held entries after cleanUp, step " + step);
            for (int key : shouldLive) {
                assertEquals(deadlines.get(key), cache.getIfPresent(key), "live key " + key);
            }
            deadlines.keySet().retainAll(shouldLive);
        }
        assertEquals(nextKey - deadlines.size(), listener.size());
        for (RecordingListener.Removal<Integer, Long> r : listener.removals()) {
            assertEquals(RemovalCause.EXPIRED, r.cause());
            assertTrue(r.value() <= ticker.read());
        }
        assertEquals(nextKey - deadlines.size(), listener.removals().stream().map(r -> r.key()).distinct().count());
    }

    /**
     * Heavy overwriting under long TTLs leaves many superseded nodes behind for the reclamation
     * machinery to discard; none of that may lose the live entries: each is still reclaimed once, at
     * its own deadline, by use of the cache and by {@code cleanUp()}.
     */
    @Test
    void everyLiveEntryIsReclaimedAfterHeavyOverwriting() {
        FakeTicker ticker = new FakeTicker();
        RecordingListener<Integer, Integer> listener = new RecordingListener<>();
        KvCache<Integer, Integer> cache = KvCache.builder()
                .ticker(ticker)
                .timeToLive(Duration.ofHours(1))
                .removalListener(listener)
                .build();
        cache.put(-1, -1, KvCache.NEVER); // read below: a hit
        int keys = 100;
        int writesPerKey = 200;
        for (int round = 0; round < writesPerKey; round++) {
            for (int key = 0; key < keys; key++) {
                // Odd keys end on a short TTL, even keys on the default hour; some rounds never expire.
                Duration ttl = round == writesPerKey - 1 && key % 2 == 1 ? Duration.ofMinutes(1)
                        : round % 7 == 0 ? KvCache.NEVER : Duration.ofHours(1);
                cache.put(key, round, ttl);
            }
            ticker.advance(Duration.ofMillis(1));
        }
        assertEquals(keys * (writesPerKey - 1), listener.count(RemovalCause.REPLACED));

        ticker.advance(Duration.ofMinutes(1).plusMillis(150));
        for (int i = 0; i < 3; i++) {
            assertEquals(-1, cache.getIfPresent(-1)); // use, not cleanUp: reclaims within a wheel tick
        }
        assertEquals(keys / 2, listener.count(RemovalCause.EXPIRED), "short-TTL keys reclaimed by use");
        ticker.advance(Duration.ofHours(1));
        cache.cleanUp();
        assertEquals(1, cache.estimatedSize());
        assertEquals(keys, listener.count(RemovalCause.EXPIRED));
        assertEquals(keys * writesPerKey, listener.size());
        for (RecordingListener.Removal<Integer, Integer> r : listener.removals()) {
            if (r.cause() == RemovalCause.EXPIRED) {
                assertEquals(writesPerKey - 1, r.value(), "only the last write of a key expires");
            }
        }
    }

    /**
     * A writer may be descheduled between reading the clock and finishing its write, while another
     * thread's maintenance moves time past the new entry's deadline. Once the write has returned and
     * nothing else is running, {@code cleanUp()} must still reclaim the entry ("reclaims every
     * expired entry"; {@code estimatedSize()} is then exact).
     */
    @Test
    void cleanUpReclaimsAnEntryWhoseWriterWasPreemptedAfterReadingTheClock() throws InterruptedException {
        FakeTicker time = new FakeTicker();
        PausingTicker ticker = new PausingTicker(time);
        RecordingListener<String, String> listener = new RecordingListener<>();
        KvCache<String, String> cache = KvCache.builder()
                .ticker(ticker)
                .timeToLive(Duration.ofSeconds(1))
                .removalListener(listener)
                .build();
        Thread writer = new Thread(() -> cache.put("k", "v"));
        ticker.pauseNextReadBy(writer);
        writer.start();
        assertTrue(ticker.awaitPaused(), "the write did not read the clock");

        time.advance(Duration.ofSeconds(10));
        cache.cleanUp();              // maintenance moves on while the writer is descheduled
        ticker.resume();
        writer.join(10_000);

        assertNull(cache.getIfPresent("k"), "written with a deadline 9 s in the past");
        cache.cleanUp();
        assertEquals(0, cache.estimatedSize(), "an expired entry survived cleanUp()");
        listener.assertExactly(RecordingListener.removal("k", "v", RemovalCause.EXPIRED));
    }
}
