package dev.kvcache.core;

import static dev.kvcache.core.RecordingListener.removal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.core.testing.MutedEngineLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every removal is reported exactly once, with the right cause, key and value. */
@ExtendWith(MutedEngineLog.class) // some listeners here throw on purpose
class RemovalListenerTest {
    private static final Duration TTL = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener<String, String> listener = new RecordingListener<>();
    private final KvCache<String, String> cache = KvCache.builder()
            .ticker(ticker)
            .timeToLive(TTL)
            .executor(Runnable::run)
            .removalListener(listener)
            .build();

    @Test
    void removeIsExplicit() {
        cache.put("k", "v");
        assertEquals("v", cache.remove("k"));
        assertNull(cache.remove("k"));
        cache.cleanUp();
        listener.assertExactly(removal("k", "v", RemovalCause.EXPLICIT));
    }

    @Test
    void conditionalRemoveIsExplicitOnlyWhenItMatches() {
        cache.put("k", "v");
        assertFalse(cache.remove("k", "other"));
        listener.assertExactly();
        assertTrue(cache.remove("k", "v"));
        assertFalse(cache.remove("k", "v"));
        listener.assertExactly(removal("k", "v", RemovalCause.EXPLICIT));
    }

    @Test
    void invalidateAllIsExplicitForLiveEntriesAndExpiredForExpiredOnes() {
        cache.put("short", "s", Duration.ofSeconds(1));
        cache.put("a", "1");
        cache.put("b", "2");
        ticker.advance(Duration.ofSeconds(1));

        cache.invalidateAll();
        assertEquals(0, cache.estimatedSize());
        assertNull(cache.getIfPresent("a"));
        cache.cleanUp();
        listener.assertExactly(
                removal("short", "s", RemovalCause.EXPIRED),
                removal("a", "1", RemovalCause.EXPLICIT),
                removal("b", "2", RemovalCause.EXPLICIT));
    }

    @Test
    void removalThroughTheMapViewIsExplicit() {
        Map<String, String> map = cache.asMap();
        for (String key : List.of("a", "b", "c", "d", "e", "f")) {
            cache.put(key, key.toUpperCase());
        }
        assertEquals("A", map.remove("a"));
        assertTrue(map.remove("b", "B"));
        assertTrue(map.keySet().remove("c"));
        assertTrue(map.values().remove("D"));
        assertTrue(map.entrySet().remove(Map.entry("e", "E")));
        for (Iterator<String> it = map.keySet().iterator(); it.hasNext(); ) {
            if (it.next().equals("f")) {
                it.remove();
            }
        }
        assertTrue(map.isEmpty());
        listener.assertExactly(
                removal("a", "A", RemovalCause.EXPLICIT),
                removal("b", "B", RemovalCause.EXPLICIT),
                removal("c", "C", RemovalCause.EXPLICIT),
                removal("d", "D", RemovalCause.EXPLICIT),
                removal("e", "E", RemovalCause.EXPLICIT),
                removal("f", "F", RemovalCause.EXPLICIT));
    }

    @Test
    void entryIteratorRemoveIsExplicit() {
        cache.put("a", "1");
        cache.put("b", "2");
        Iterator<Map.Entry<String, String>> it = cache.asMap().entrySet().iterator();
        Map.Entry<String, String> first = it.next();
        it.remove();
        assertNull(cache.getIfPresent(first.getKey()));
        assertEquals(1, cache.estimatedSize());
        listener.assertExactly(removal(first.getKey(), first.getValue(), RemovalCause.EXPLICIT));
    }

    @Test
    void mapViewClearIsExplicit() {
        cache.put("a", "1");
        cache.put("b", "2");
        cache.asMap().clear();
        assertTrue(cache.asMap().isEmpty());
        listener.assertExactly(
                removal("a", "1", RemovalCause.EXPLICIT),
                removal("b", "2", RemovalCause.EXPLICIT));
    }

    @Test
    void overwritingALiveValueIsReplaced() {
        cache.put("put", "old");
        cache.put("put", "new");
        cache.put("putTtl", "old");
        cache.put("putTtl", "new", Duration.ofSeconds(1));
        cache.put("replace", "old");
        cache.replace("replace", "new");
        cache.put("cas", "old");
        cache.replace("cas", "old", "new");
        cache.put("casTtl", "old");
        cache.replace("casTtl", "old", "new", Duration.ofSeconds(1));
        cache.put("mapPut", "old");
        assertEquals("old", cache.asMap().put("mapPut", "new"));

        listener.assertExactly(
                removal("put", "old", RemovalCause.REPLACED),
                removal("putTtl", "old", RemovalCause.REPLACED),
                removal("replace", "old", RemovalCause.REPLACED),
                removal("cas", "old", RemovalCause.REPLACED),
                removal("casTtl", "old", RemovalCause.REPLACED),
                removal("mapPut", "old", RemovalCause.REPLACED));
    }

    @Test
    void failedConditionalWritesNotifyNothing() {
        cache.put("k", "v");
        assertEquals("v", cache.putIfAbsent("k", "other"));
        assertEquals("v", cache.putIfAbsent("k", "other", Duration.ofSeconds(1)));
        assertFalse(cache.replace("k", "wrong", "other"));
        assertFalse(cache.replace("k", "wrong", "other", Duration.ofSeconds(1)));
        assertNull(cache.replace("absent", "other"));
        assertFalse(cache.remove("k", "wrong"));
        cache.cleanUp();
        listener.assertExactly();
        assertEquals("v", cache.getIfPresent("k"));
    }

    @Test
    void expiryIsReportedOnceAfterCleanUp() {
        cache.put("k", "v");
        ticker.advance(TTL);
        assertNull(cache.getIfPresent("k"));
        cache.cleanUp();
        cache.cleanUp();
        assertNull(cache.getIfPresent("k"));
        cache.cleanUp();
        listener.assertExactly(removal("k", "v", RemovalCause.EXPIRED));
        assertEquals(0, cache.estimatedSize());
    }

    @Test
    void writeLandingOnAnExpiredEntryReportsItExpiredNotReplaced() {
        cache.put("put", "old");
        cache.put("putTtl", "old");
        cache.put("mapPut", "old");
        cache.put("load", "old");
        ticker.advance(TTL);

        cache.put("put", "new");
        cache.put("putTtl", "new", Duration.ofSeconds(1));
        assertNull(cache.asMap().put("mapPut", "new"));
        assertEquals("new", cache.get("load", key -> "new"));
        cache.cleanUp();

        listener.assertExactly(
                removal("put", "old", RemovalCause.EXPIRED),
                removal("putTtl", "old", RemovalCause.EXPIRED),
                removal("mapPut", "old", RemovalCause.EXPIRED),
                removal("load", "old", RemovalCause.EXPIRED));
    }

    @Test
    void sizeEvictionIsReportedAsSize() {
        RecordingListener<Integer, Integer> sized = new RecordingListener<>();
        KvCache<Integer, Integer> bounded = KvCache.builder()
                .ticker(ticker)
                .maximumSize(3)
                .removalListener(sized)
                .build();
        for (int i = 0; i < 4; i++) {
            bounded.put(i, i * 10);
        }
        bounded.cleanUp();

        assertEquals(3, bounded.estimatedSize());
        assertEquals(1, sized.size(), () -> "notifications: " + sized.removals());
        RecordingListener.Removal<Integer, Integer> evicted = sized.removals().get(0);
        assertEquals(RemovalCause.SIZE, evicted.cause());
        assertEquals(evicted.key() * 10, evicted.value());
        assertNull(bounded.getIfPresent(evicted.key()));
    }

    @Test
    void weightEvictionIsReportedAsSize() {
        RecordingListener<String, String> weighed = new RecordingListener<>();
        KvCache<String, String> bounded = KvCache.builder()
                .ticker(ticker)
                .maximumWeight(10, (String k, String v) -> v.length())
                .removalListener(weighed)
                .build();
        bounded.put("a", "12345");
        bounded.put("b", "12345");
        bounded.put("c", "1");
        bounded.cleanUp();

        assertEquals(1, weighed.size(), () -> "notifications: " + weighed.removals());
        assertEquals(RemovalCause.SIZE, weighed.removals().get(0).cause());
        assertNull(bounded.getIfPresent(weighed.removals().get(0).key()));
        assertEquals(2, bounded.estimatedSize());
    }

    @Test
    void defaultExecutorNotifiesOnTheThreadThatCausedTheRemoval() {
        List<Thread> threads = new ArrayList<>();
        KvCache<String, String> plain = KvCache.builder()
                .ticker(ticker)
                .removalListener((String k, String v, RemovalCause c) -> {
                    synchronized (threads) {
                        threads.add(Thread.currentThread());
                    }
                })
                .build();
        plain.put("k", "v");
        plain.remove("k");
        assertEquals(List.of(Thread.currentThread()), threads);
    }

    @Test
    void notificationsRunOnTheConfiguredExecutor() {
        AtomicInteger tasks = new AtomicInteger();
        Executor counting = task -> {
            tasks.incrementAndGet();
            task.run();
        };
        RecordingListener<String, String> recorded = new RecordingListener<>();
        KvCache<String, String> withExecutor = KvCache.builder()
                .ticker(ticker)
                .executor(counting)
                .removalListener(recorded)
                .build();
        withExecutor.put("k", "v");
        withExecutor.put("k", "w");
        withExecutor.remove("k");

        recorded.assertExactly(
                removal("k", "v", RemovalCause.REPLACED),
                removal("k", "w", RemovalCause.EXPLICIT));
        assertTrue(tasks.get() >= 1, "the executor ran no task");
    }

    @Test
    void asynchronousExecutorDeliversEveryNotificationOnce() throws InterruptedException {
        ExecutorService async = Executors.newFixedThreadPool(2);
        RecordingListener<String, String> recorded = new RecordingListener<>();
        KvCache<String, String> withPool = KvCache.builder()
                .ticker(ticker)
                .timeToLive(TTL)
                .maximumSize(2)
                .executor(async)
                .removalListener(recorded)
                .build();
        withPool.put("a", "1");
        withPool.put("a", "2");
        withPool.remove("a");
        withPool.put("b", "1", Duration.ofSeconds(1));
        withPool.put("c", "1");
        withPool.put("d", "1");
        withPool.put("e", "1");
        ticker.advance(Duration.ofSeconds(1));
        withPool.cleanUp();
        async.shutdown();
        assertTrue(async.awaitTermination(10, TimeUnit.SECONDS));

        assertEquals(1, recorded.count(RemovalCause.REPLACED), () -> recorded.removals().toString());
        assertEquals(1, recorded.count(RemovalCause.EXPLICIT), () -> recorded.removals().toString());
        assertEquals(2, recorded.count(RemovalCause.SIZE) + recorded.count(RemovalCause.EXPIRED),
                () -> recorded.removals().toString());
        assertEquals(2, withPool.estimatedSize());
    }

    @Test
    void executorThatRejectsStillLosesNoNotification() {
        RecordingListener<String, String> recorded = new RecordingListener<>();
        KvCache<String, String> rejecting = KvCache.builder()
                .ticker(ticker)
                .executor(task -> {
                    throw new RejectedExecutionException("saturated");
                })
                .removalListener(recorded)
                .build();
        rejecting.put("k", "v");
        assertEquals("v", rejecting.remove("k"));
        recorded.assertExactly(removal("k", "v", RemovalCause.EXPLICIT));
    }

    @Test
    void listenerSeesTheRemovalAlreadyVisibleAndMayReadTheCache() {
        List<String> seen = new ArrayList<>();
        AtomicReference<KvCache<String, String>> self = new AtomicReference<>();
        KvCache<String, String> reading = KvCache.builder()
                .ticker(ticker)
                .timeToLive(TTL)
                .removalListener((String k, String v, RemovalCause c) -> {
                    synchronized (seen) {
                        seen.add(c + " " + k + "=" + v + " now " + self.get().getIfPresent(k));
                    }
                })
                .build();
        self.set(reading);
        reading.put("k", "v1");
        reading.put("k", "v2");
        reading.remove("k");
        reading.put("e", "x");
        ticker.advance(TTL);
        reading.cleanUp();

        assertEquals(List.of(
                "REPLACED k=v1 now v2",
                "EXPLICIT k=v2 now null",
                "EXPIRED e=x now null"), seen);
    }

    /** "An exception thrown by the listener is caught and dropped": checked ones too (Kotlin, Lombok). */
    @Test
    void listenerThrowingACheckedExceptionDoesNotReachTheCaller() {
        KvCache<String, String> fragile = KvCache.builder()
                .ticker(ticker)
                .removalListener((String k, String v, RemovalCause c) -> sneakyThrow(new java.io.IOException(k)))
                .build();
        fragile.put("k", "1");
        fragile.put("k", "2");
        assertEquals("2", fragile.remove("k"));
        assertNull(fragile.getIfPresent("k"));
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable e) throws E {
        throw (E) e;
    }

    @Test
    void throwingListenerDoesNotBreakTheCache() {
        AtomicInteger calls = new AtomicInteger();
        KvCache<String, String> fragile = KvCache.builder()
                .ticker(ticker)
                .timeToLive(TTL)
                .maximumSize(2)
                .removalListener((String k, String v, RemovalCause c) -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("listener failure for " + k);
                })
                .build();

        fragile.put("a", "1");
        fragile.put("a", "2");                       // REPLACED
        assertEquals("2", fragile.replace("a", "3")); // REPLACED
        assertEquals("3", fragile.remove("a"));       // EXPLICIT
        fragile.put("b", "1");
        fragile.put("c", "1");
        fragile.put("d", "1");                        // SIZE
        fragile.cleanUp();
        ticker.advance(TTL);
        fragile.cleanUp();                            // EXPIRED x2
        fragile.put("e", "1");
        fragile.invalidateAll();                      // EXPLICIT

        assertEquals(7, calls.get());
        assertEquals(0, fragile.estimatedSize());
        fragile.put("f", "1");
        assertEquals("1", fragile.getIfPresent("f"));
    }
}
