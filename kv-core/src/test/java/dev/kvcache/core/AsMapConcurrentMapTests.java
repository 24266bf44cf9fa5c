package dev.kvcache.core;

import com.google.common.collect.testing.ConcurrentMapTestSuiteBuilder;
import com.google.common.collect.testing.TestStringMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.MapFeature;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import junit.framework.Test;
import junit.framework.TestSuite;

/**
 * Guava testlib's {@link java.util.concurrent.ConcurrentMap} conformance suite over {@link KvCache#asMap()},
 * for every configuration that changes the map's code paths. Run by JUnit's vintage engine.
 *
 * <p>The features declared are exactly those the view has: it supports every write and iterator
 * removal, and, like {@link java.util.concurrent.ConcurrentHashMap}, rejects null keys, values and
 * queries. No configuration here lets an entry expire or be evicted while a test case runs.
 */
public final class AsMapConcurrentMapTests {
    private AsMapConcurrentMapTests() {}

    public static Test suite() {
        TestSuite suite = new TestSuite("KvCache.asMap() as a ConcurrentMap");
        suite.addTest(suiteFor("no TTL, no bound", () -> KvCache.builder().build()));
        suite.addTest(suiteFor("TTL, fake ticker never advanced", () -> KvCache.builder()
                .ticker(new FakeTicker())
                .timeToLive(Duration.ofNanos(1))
                .build()));
        suite.addTest(suiteFor("TTL, coarse ticker", () -> KvCache.builder()
                .ticker(Ticker.coarse())
                .timeToLive(Duration.ofHours(1))
                .build()));
        suite.addTest(suiteFor("maximumSize", () -> KvCache.builder()
                .maximumSize(1_000)
                .build()));
        suite.addTest(suiteFor("maximumWeight", () -> KvCache.builder()
                .maximumWeight(10_000, (Object k, Object v) -> 10)
                .build()));
        suite.addTest(suiteFor("TTL and maximumSize, with listener and stats", () -> KvCache.builder()
                .ticker(new FakeTicker())
                .timeToLive(Duration.ofMinutes(1))
                .maximumSize(1_000)
                .removalListener((Object k, Object v, RemovalCause c) -> { })
                .recordStats()
                .build()));
        suite.addTest(suiteFor("LoadingCache, its loader never called by the map", () -> KvCache.builder()
                .ticker(new FakeTicker())
                .timeToLive(Duration.ofMinutes(1))
                .maximumSize(1_000)
                .recordStats()
                .<String, String>build(key -> {
                    throw new AssertionError("the map view never loads: " + key);
                })));
        // Each map below also holds 20 entries that expired (a nanosecond after they were written) and
        // that no maintenance reclaimed: estimatedSize() counts them, every answer of the map must not.
        suite.addTest(suiteFor("expired entries not yet reclaimed, TTL and maximumSize", () -> withExpiredEntries(
                KvCache.builder().timeToLive(Duration.ofMinutes(1)).maximumSize(1_000).recordStats())));
        suite.addTest(suiteFor("expired entries not yet reclaimed, timeToIdle with a TTL", () -> withExpiredEntries(
                KvCache.builder().timeToLive(Duration.ofMinutes(10)).timeToIdle(Duration.ofMinutes(1)))));
        suite.addTest(suiteFor("expired entries not yet reclaimed, expiry function with a read hook",
                () -> withExpiredEntries(KvCache.builder().expiry(new Expiry<Object, Object>() {
                    @Override
                    public long afterCreateNanos(Object key, Object value) {
                        return Duration.ofMinutes(1).toNanos();
                    }

                    @Override
                    public long afterReadNanos(Object key, Object value, long remainingNanos) {
                        return Duration.ofMinutes(2).toNanos();
                    }
                }))));
        return suite;
    }

    /** A cache from {@code builder} on a fake ticker, holding 20 expired, unreclaimed entries. */
    private static KvCache<String, String> withExpiredEntries(KvCacheBuilder<Object, Object> builder) {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = builder.ticker(ticker).build();
        for (int i = 0; i < 20; i++) {
            cache.put("expired " + i, "expired value " + i, Duration.ofNanos(1));
        }
        ticker.advance(1); // far less than a wheel tick: nothing reclaims them
        if (cache.estimatedSize() != 20) {
            throw new AssertionError("the expired entries were reclaimed: " + cache.estimatedSize());
        }
        return cache;
    }

    private static Test suiteFor(String name, Supplier<KvCache<String, String>> caches) {
        return ConcurrentMapTestSuiteBuilder
                .using(new TestStringMapGenerator() {
                    @Override
                    protected Map<String, String> create(Map.Entry<String, String>[] entries) {
                        KvCache<String, String> cache = caches.get();
                        for (Map.Entry<String, String> entry : entries) {
                            cache.put(entry.getKey(), entry.getValue());
                        }
                        return cache.asMap();
                    }
                })
                .named(name)
                .withFeatures(
                        MapFeature.GENERAL_PURPOSE,
                        CollectionSize.ANY,
                        CollectionFeature.SUPPORTS_ITERATOR_REMOVE)
                .createTestSuite();
    }
}
