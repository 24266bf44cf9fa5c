package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The documented "reads ... on a hit, allocate nothing" ({@link KvCache}: getIfPresent,
 * getEntryIfPresent, the reads of asMap()), measured with the JVM's per-thread allocation counter
 * (HotSpot's {@code com.sun.management.ThreadMXBean}).
 */
class AllocationTest {
    private static final int KEYS = 1_000;
    private static final int HITS = 200_000;

    @ParameterizedTest(name = "getIfPresent, {0}")
    @ValueSource(strings = {"unbounded", "bounded", "bounded with stats"})
    void hitsAllocateNothing(String configuration) throws ReflectiveOperationException {
        assertHitsAllocateNothing(configuration, (cache, key) -> cache.getIfPresent(key) != null);
    }

    /**
     * Where the result escapes, as it does in real callers: what a read returns is published to a
     * field, so the JIT cannot remove an allocation that a read makes for its result.
     */
    static Stream<Named<BiPredicate<KvCache<String, String>, String>>> reads() {
        return Stream.of(
                Named.of("getIfPresent", (c, k) -> (sink = c.getIfPresent(k)) != null),
                Named.of("asMap().get", (c, k) -> (sink = c.asMap().get(k)) != null),
                Named.of("asMap().containsKey", (c, k) -> c.asMap().containsKey(k)));
    }

    /** Where reads publish their results (see {@link #reads()}). */
    static volatile Object sink;

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void otherReadsAllocateNothingOnAHit(BiPredicate<KvCache<String, String>, String> read)
            throws ReflectiveOperationException {
        assertHitsAllocateNothing("bounded", read);
    }

    /** getEntryIfPresent returns a fresh snapshot, as documented, and allocates nothing else. */
    @Test
    void getEntryIfPresentAllocatesOnlyItsSnapshot() throws ReflectiveOperationException {
        long perHit = 32; // CacheEntry: header, key, value, long (compressed oops); 40 without them
        long allocated = allocatedByHits("bounded", (c, k) -> (sink = c.getEntryIfPresent(k)) != null);
        assertTrue(allocated <= HITS * 40L + 64 * 1024, allocated + " bytes allocated by " + HITS + " hits");
        assertTrue(allocated >= HITS * perHit / 2, "the snapshot escapes, so it must be allocated: " + allocated);
    }

    private static void assertHitsAllocateNothing(String configuration, BiPredicate<KvCache<String, String>, String> hit)
            throws ReflectiveOperationException {
        long allocated = allocatedByHits(configuration, hit);
        // A few hundred bytes of slack for the measurement itself; one object per hit would be >= 3 MB.
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated by " + HITS + " hits");
    }

    private static long allocatedByHits(String configuration, BiPredicate<KvCache<String, String>, String> hit)
            throws ReflectiveOperationException {
        AllocationCounter counter = AllocationCounter.forCurrentThread();
        Assumptions.assumeTrue(counter != null, "needs HotSpot's per-thread allocation counter");

        KvCacheBuilder<Object, Object> builder = KvCache.builder()
                .ticker(new FakeTicker())
                .timeToLive(Duration.ofHours(1));
        if (!configuration.equals("unbounded")) {
            builder.maximumSize(10 * KEYS);
        }
        if (configuration.endsWith("stats")) {
            builder.recordStats();
        }
        KvCache<String, String> cache = builder.build();
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i;
            cache.put(keys[i], "value");
        }
        for (int i = 0; i < HITS; i++) {
            assertTrue(hit.test(cache, keys[i % KEYS])); // warm up: interpreter, then compiled code
        }

        long before = counter.allocatedBytes();
        int found = 0;
        for (int i = 0; i < HITS; i++) {
            if (hit.test(cache, keys[i % KEYS])) {
                found++;
            }
        }
        long allocated = counter.allocatedBytes() - before;

        assertTrue(found == HITS);
        return allocated;
    }

    /**
     * Reads every key once per round, 400 rounds, advancing the ticker by {@code step} before each round
     * (so that, with a time-to-idle or a read hook, every read moves its deadline), and asserts that the
     * last round, after warm-up, allocated less than 16 KiB for its reads of the {@code keys}.
     */
    static void assertExtendingReadsAllocateNothing(AllocationCounter counter, KvCache<String, String> cache,
            String[] keys, FakeTicker ticker, long step, String what) throws ReflectiveOperationException {
        for (int round = 0; round < 400; round++) {
            long before = counter.allocatedBytes();
            ticker.advance(step);
            for (String key : keys) {
                org.junit.jupiter.api.Assertions.assertEquals("v", cache.getIfPresent(key));
            }
            if (round == 399) {
                long allocated = counter.allocatedBytes() - before;
                assertTrue(allocated < 16 * 1024, allocated + " bytes allocated by " + keys.length + " " + what);
            }
        }
    }

    /**
     * HotSpot's {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, reached reflectively:
     * the tests compile inside the zero-dependency module, which does not read {@code jdk.management}.
     */
    record AllocationCounter(Object bean, Method counter, long threadId) {
        static AllocationCounter forCurrentThread() {
            try {
                Object bean = Class.forName("java.lang.management.ManagementFactory")
                        .getMethod("getThreadMXBean").invoke(null);
                Class<?> hotspot = Class.forName("com.sun.management.ThreadMXBean");
                if (!hotspot.isInstance(bean)
                        || !(boolean) hotspot.getMethod("isThreadAllocatedMemoryEnabled").invoke(bean)) {
                    return null;
                }
                @SuppressWarnings("deprecation") // getId(): Thread.threadId() is Java 19+
                long id = Thread.currentThread().getId();
                return new AllocationCounter(bean, hotspot.getMethod("getThreadAllocatedBytes", long.class), id);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        long allocatedBytes() throws ReflectiveOperationException {
            return (long) counter.invoke(bean, threadId);
        }
    }
}
