package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.RemovalCause;
import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Policy.getIfPresentQuietly / getEntryIfPresentQuietly: "the value of the key's live entry without counting
 * as an access", "with the entry's remaining time-to-live as the cache holds it at the read".
 */
class HostileQuietReadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void aPeekAtTheDeadlineAgreesWithARead() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).<String, String>build();
        cache.put("k", "v", Duration.ofNanos(100));
        ticker.advance(99);
        CacheEntry<String, String> entry = cache.policy().getEntryIfPresentQuietly("k");
        assertEquals(1, entry.expiresInNanos(), "one nanosecond before the deadline");
        ticker.advance(1);
        assertNull(cache.policy().getEntryIfPresentQuietly("k"), "a peek at the deadline found the entry live");
        assertNull(cache.getIfPresent("k"), "a read at the deadline found it live");
    }

    @Test
    void aPeekOfANeverEntryReportsNever() {
        KvCache<String, String> cache = KvCache.builder().timeToLive(Duration.ofMinutes(1)).<String, String>build();
        cache.put("k", "v", KvCache.NEVER);
        CacheEntry<String, String> entry = cache.policy().getEntryIfPresentQuietly("k");
        assertFalse(entry.expires());
        assertEquals(KvCache.NEVER, entry.expiresIn());
    }

    /** TTL 10 s with a longer idle time (60 s): the remaining TTL is the smaller, before and after reads. */
    @Test
    void aPeekOfACappedEntryReportsTheMinOfTtlAndIdle() {
        FakeTicker ticker = new FakeTicker();
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(10))
                .timeToIdle(Duration.ofSeconds(60)).<String, String>build();
        cache.put("k", "v");
        assertEquals(Duration.ofSeconds(10), cache.policy().getEntryIfPresentQuietly("k").expiresIn());
        ticker.advance(Duration.ofSeconds(4));
        cache.getIfPresent("k");
        assertEquals(Duration.ofSeconds(6), cache.policy().getEntryIfPresentQuietly("k").expiresIn(),
                "a read moved the deadline past the TTL's cap");
        cache.setTimeToLive("k", Duration.ofSeconds(2));
        ticker.advance(Duration.ofSeconds(1));
        cache.getIfPresent("k");
        assertEquals(Duration.ofSeconds(1), cache.policy().getEntryIfPresentQuietly("k").expiresIn(),
                "a read after setTimeToLive(2 s) moved the deadline past the new TTL");
        ticker.advance(Duration.ofSeconds(1));
        assertNull(cache.policy().getEntryIfPresentQuietly("k"));
    }

    @Test
    void aPeekDuringALoadReturnsNothingAndDoesNotWait() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LoadingCache<String, String> cache = KvCache.builder().<String, String>build(key -> {
            loading.countDown();
            release.await();
            return "loaded";
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> load = pool.submit(() -> cache.get("k"));
            assertTrue(loading.await(10, TimeUnit.SECONDS));
            assertTimeoutPreemptively(TIMEOUT, () -> {
                assertNull(cache.policy().getIfPresentQuietly("k"), "a peek returned an in-flight load");
                assertNull(cache.policy().getEntryIfPresentQuietly("k"));
            });
            release.countDown();
            assertEquals("loaded", load.get(10, TimeUnit.SECONDS));
            assertEquals("loaded", cache.policy().getIfPresentQuietly("k"));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aPeekDuringAComputeSeesTheOldValueAndDoesNotWait() throws Exception {
        KvCache<String, String> cache = KvCache.builder().<String, String>build();
        cache.put("k", "old", Duration.ofMinutes(5));
        CountDownLatch computing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> compute = pool.submit(() -> cache.asMap().compute("k", (k, v) -> {
                computing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return "new";
            }));
            Future<?> absent = pool.submit(() -> { });
            assertTrue(computing.await(10, TimeUnit.SECONDS));
            assertTimeoutPreemptively(TIMEOUT, () -> {
                assertEquals("old", cache.policy().getIfPresentQuietly("k"));
                assertNull(cache.policy().getIfPresentQuietly("absent"));
            });
            release.countDown();
            compute.get(10, TimeUnit.SECONDS);
            absent.get(10, TimeUnit.SECONDS);
            assertEquals("new", cache.policy().getIfPresentQuietly("k"));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aPeekInsideAComputeOfTheSameKeyDoesNotDeadlock() {
        KvCache<String, String> cache = KvCache.builder().maximumSize(10).<String, String>build();
        cache.put("k", "old");
        List<String> seen = new ArrayList<>();
        assertTimeoutPreemptively(TIMEOUT, () -> cache.asMap().compute("k", (k, v) -> {
            seen.add(cache.policy().getIfPresentQuietly("k"));
            return "new";
        }));
        assertEquals(List.of("old"), seen);
    }

    @Test
    void aListenerThatPeeksSeesTheKeyAsTheCacheHoldsIt() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        KvCache<String, String>[] holder = new KvCache[1];
        KvCache<String, String> cache = KvCache.builder().<String, String>removalListener((k, v, cause) -> {
            seen.add(cause + ":" + v + "->" + holder[0].policy().getIfPresentQuietly(k));
        }).build();
        holder[0] = cache;
        cache.put("k", "1");
        cache.put("k", "2");
        cache.remove("k");
        cache.cleanUp();
        assertTimeoutPreemptively(TIMEOUT, () -> cache.cleanUp());
        assertEquals(List.of(RemovalCause.REPLACED + ":1->2", RemovalCause.EXPLICIT + ":2->null"), seen);
    }

    /** A peek of a bounded cache's key changes neither its weight nor which key eviction takes. */
    @Test
    void aPeekOfAWeightedCacheIsNoAccess() {
        KvCache<String, String> cache = KvCache.builder().maximumWeight(3, (String k, String v) -> v.length())
                .<String, String>build();
        cache.put("a", "x");
        cache.put("b", "x");
        cache.put("c", "x");
        cache.cleanUp();
        long weight = cache.policy().weightedSize();
        List<String> coldest = cache.policy().coldest(3);
        for (int i = 0; i < 100; i++) {
            cache.policy().getEntryIfPresentQuietly(coldest.get(0));
        }
        cache.cleanUp();
        assertEquals(weight, cache.policy().weightedSize());
        assertEquals(coldest, cache.policy().coldest(3), "peeks moved the coldest key");
    }

    /** Writers switch the key between two (value, TTL) pairs; a peek never pairs one's value with the other's TTL. */
    @Test
    void aPeekNeverTearsAValueFromItsTtl() throws Exception {
        for (boolean capped : new boolean[] {false, true}) {
            FakeTicker ticker = new FakeTicker();
            var builder = KvCache.builder().ticker(ticker).timeToLive(Duration.ofHours(1));
            if (capped) {
                builder.timeToIdle(Duration.ofHours(2));
            }
            KvCache<String, String> cache = builder.<String, String>build();
            cache.put("k", "A", Duration.ofSeconds(10));
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(1);
            try {
                Future<?> writer = pool.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        switch (i % 4) {
                            case 0 -> cache.put("k", "B", Duration.ofSeconds(20));
                            case 1 -> cache.replace("k", "B", "A", Duration.ofSeconds(10));
                            case 2 -> cache.asMap().put("k", "B"); // default TTL: re-set below
                            default -> cache.put("k", "A", Duration.ofSeconds(10));
                        }
                        if (i % 4 == 2) {
                            cache.setTimeToLive("k", Duration.ofSeconds(20));
                        }
                    }
                });
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(700);
                long peeks = 0;
                while (System.nanoTime() < end) {
                    CacheEntry<String, String> e = cache.policy().getEntryIfPresentQuietly("k");
                    if (e == null) {
                        continue;
                    }
                    peeks++;
                    Duration left = e.expiresIn();
                    if (e.getValue().equals("A")) {
                        assertEquals(Duration.ofSeconds(10), left, "capped=" + capped + ": A with " + left);
                    } else if (!left.equals(Duration.ofSeconds(20)) && !left.equals(Duration.ofHours(1))) {
                        throw new AssertionError("capped=" + capped + ": B with " + left);
                    }
                }
                stop.set(true);
                writer.get(10, TimeUnit.SECONDS);
                assertTrue(peeks > 0);
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aPeekOfAnExpiredEntryNotifiesAsAReadWould() {
        FakeTicker ticker = new FakeTicker();
        List<RemovalCause> causes = Collections.synchronizedList(new ArrayList<>());
        KvCache<String, String> cache = KvCache.builder().ticker(ticker).recordStats()
                .<String, String>removalListener((k, v, cause) -> causes.add(cause)).build();
        cache.put("k", "v", Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1));
        assertNull(cache.policy().getIfPresentQuietly("k"));
        cache.cleanUp();
        assertEquals(List.of(RemovalCause.EXPIRED), causes);
        assertEquals(0, cache.stats().missCount(), "a peek counted a miss");
    }
}
