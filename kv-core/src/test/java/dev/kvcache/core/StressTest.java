package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Four threads run random operations on the keys of a bounded, expiring cache while a fifth
 * advances a fake ticker; then the test checks the accounting of every value ever written.
 *
 * <p>Every write stores a fresh {@link Val} with a unique id, so each value can be followed: it is
 * stored at most once and must then either still be live at the end or have been notified exactly
 * once. The expiry check is sound under concurrency: the cache reads its ticker inside each call, so
 * a read whose call started at ticker time {@code T} judges liveness at {@code T} or later, and a
 * value whose write returned by ticker time {@code W} has a deadline no later than {@code W + ttl}; a
 * read that started at {@code T >= W + ttl} must therefore not return it, whatever was written
 * since. A value whose write has not returned yet is not checked.
 */
class StressTest {
    private static final int WORKERS = 4;
    private static final long DEFAULT_TTL_NANOS = 200_000;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /*
     * Each worker also runs at least this many operations (within a 15 s cap), so that a loaded machine
     * shortens no run below the mix the assertions need: the test counts operations, it does not time them.
     */
    private static final long MIN_OPERATIONS_PER_WORKER = 8_192;
    private static final long CAP_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final long NEVER = Long.MAX_VALUE;

    /** A stored value, unique per write. Identity equality: two writes never store equal values. */
    private static final class Val {
        final long id;
        final int key;
        final long ttlNanos;
        /** Its weight, for the weighted configuration: 0 to 3, zero included. */
        final int weight;
        /** The ticker before the write was called: the deadline is at least this plus the TTL. */
        final long writeStart;
        /** The ticker after the write returned, or {@link Long#MAX_VALUE} until then. */
        volatile long writeEnd = Long.MAX_VALUE;

        Val(long id, int key, long ttlNanos, long writeStart) {
            this.id = id;
            this.key = key;
            this.ttlNanos = ttlNanos;
            this.writeStart = writeStart;
            this.weight = (int) (id % 4);
        }

        @Override
        public String toString() {
            return "Val#" + id + "(key " + key + ", ttl " + ttlNanos + ", written " + writeStart + ".." + writeEnd + ")";
        }
    }

    private record Notice(RemovalCause cause, int key, long tickerAtNotice) {}

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicLong ids = new AtomicLong();
    private final Queue<String> errors = new ConcurrentLinkedQueue<>();
    private final Map<Long, Notice> notified = new ConcurrentHashMap<>();
    private final Map<Long, Val> stored = new ConcurrentHashMap<>();
    private final Map<Long, RemovalCause> expectedCause = new ConcurrentHashMap<>();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);

    private int keys;
    private int maximumSize;
    private KvCache<Integer, Val> cache;

    private void onRemoval(Integer key, Val value, RemovalCause cause) {
        long now = ticker.read();
        Notice previous = notified.putIfAbsent(value.id, new Notice(cause, key, now));
        if (previous != null) {
            error("notified twice: " + value + " as " + previous.cause() + " then " + cause);
        }
        if (key != value.key) {
            error("notified " + value + " under key " + key);
        }
        if (cause == RemovalCause.EXPIRED
                && (value.ttlNanos == NEVER || value.writeStart + value.ttlNanos > now)) {
            error("expired too early at " + now + ": " + value);
        }
    }

    /**
     * A small key space (contention on every key), a large one (the table grows while it runs), and a
     * weighted bound (weights 0 to 3, so the bound is on total weight, not on the count).
     */
    @ParameterizedTest(name = "{0} keys, bound {1}, weighted {2}")
    @CsvSource({"64, 32, false", "4096, 1024, false", "256, 300, true"})
    void randomOperationsKeepEveryValueAccountedFor(int keys, int maximumSize, boolean weighted)
            throws InterruptedException {
        this.keys = keys;
        this.maximumSize = maximumSize;
        KvCacheBuilder<Object, Object> builder = KvCache.builder()
                .ticker(ticker)
                .timeToLive(Duration.ofNanos(DEFAULT_TTL_NANOS))
                .initialCapacity(0);
        if (weighted) {
            this.cache = builder.maximumWeight(maximumSize, (Integer k, Val v) -> v.weight)
                    .removalListener(this::onRemoval)
                    .build();
        } else {
            this.cache = builder.maximumSize(maximumSize).removalListener(this::onRemoval).build();
        }
        List<Thread> threads = new ArrayList<>();
        long endAt = System.nanoTime() + RUN_NANOS;
        for (int w = 0; w < WORKERS; w++) {
            long seed = 1_000 + w;
            threads.add(new Thread(() -> work(new SplittableRandom(seed), endAt), "stress-worker-" + w));
        }
        Thread clock = new Thread(this::advanceTicker, "stress-ticker");
        threads.forEach(Thread::start);
        clock.start();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(20));
            assertTrue(!t.isAlive(), t.getName() + " is stuck");
        }
        running.set(false);
        clock.join();

        cache.cleanUp();
        Map<Long, Val> live = new ConcurrentHashMap<>();
        for (int key = 0; key < keys; key++) {
            Val v = cache.getIfPresent(key);
            if (v != null) {
                live.put(v.id, v);
            }
        }
        Set<Long> iterated = new HashSet<>();
        cache.asMap().values().forEach(v -> iterated.add(v.id));

        assertNoErrors();
        assertEquals(live.keySet(), iterated, "getIfPresent and iteration disagree on the live values");
        assertEquals(live.size(), cache.estimatedSize(), "estimatedSize after cleanUp, without writers");
        long held = weighted ? live.values().stream().mapToLong(v -> v.weight).sum() : live.size();
        assertTrue(held <= maximumSize, (weighted ? "live weight " : "live entries ") + held);
        for (Long id : live.keySet()) {
            assertTrue(stored.containsKey(id), "live value never stored: " + live.get(id));
            assertTrue(!notified.containsKey(id), "live value was notified: " + live.get(id) + " " + notified.get(id));
        }
        for (Long id : notified.keySet()) {
            assertTrue(stored.containsKey(id), "notified value never stored: #" + id + " " + notified.get(id));
        }
        List<Val> lost = new ArrayList<>();
        for (Val v : stored.values()) {
            if (!live.containsKey(v.id) && !notified.containsKey(v.id)) {
                lost.add(v);
            }
        }
        assertTrue(lost.isEmpty(), lost.size() + " values left the cache without a notification, e.g. "
                + lost.subList(0, Math.min(5, lost.size())));
        assertEquals(stored.size() - notified.size(), live.size(), "stored - notified == live");
        for (Map.Entry<Long, RemovalCause> expected : expectedCause.entrySet()) {
            Notice notice = notified.get(expected.getKey());
            assertTrue(notice != null, () -> "#" + expected.getKey() + " removed as " + expected.getValue()
                    + " but never notified");
            assertEquals(expected.getValue(), notice.cause(), () -> "cause of #" + expected.getKey());
        }

        Map<RemovalCause, Integer> byCause = new EnumMap<>(RemovalCause.class);
        notified.values().forEach(n -> byCause.merge(n.cause(), 1, Integer::sum));
        for (RemovalCause cause : RemovalCause.values()) {
            assertTrue(byCause.getOrDefault(cause, 0) > 0, "the run exercised no " + cause + ": " + byCause);
        }
        assertTrue(operations.get() > 20_000, "only " + operations.get() + " operations ran");
    }

    private void advanceTicker() {
        SplittableRandom random = new SplittableRandom(7);
        while (running.get()) {
            ticker.advance(1 + random.nextInt(40_000));
            LockSupport.parkNanos(50_000);
        }
    }

    private void work(SplittableRandom random, long endAt) {
        Val[] observed = new Val[keys];
        try {
            long n = 0;
            long capAt = endAt - RUN_NANOS + CAP_NANOS;
            while ((n & 255) != 0 || System.nanoTime() < endAt
                    || n < MIN_OPERATIONS_PER_WORKER && System.nanoTime() < capAt) {
                n++;
                int key = random.nextInt(keys);
                operate(random, key, observed);
                if ((n & 63) == 0 && cache.estimatedSize() < 0) {
                    error("negative estimatedSize " + cache.estimatedSize());
                }
            }
            operations.addAndGet(n);
        } catch (Throwable t) {
            error("worker failed: " + t);
            t.printStackTrace();
        }
    }

    private void operate(SplittableRandom random, int key, Val[] observed) {
        long start = ticker.read();
        int op = random.nextInt(1_000);
        if (op < 200) {
            Val v = newVal(key, DEFAULT_TTL_NANOS, start);
            cache.put(key, v);
            wrote(v);
        } else if (op < 300) {
            long ttl = randomTtl(random);
            Val v = newVal(key, ttl, start);
            cache.put(key, v, ttl == NEVER ? KvCache.NEVER : Duration.ofNanos(ttl));
            wrote(v);
        } else if (op < 310) {
            Val v = newVal(key, DEFAULT_TTL_NANOS, start);
            Val previous = cache.asMap().put(key, v);
            wrote(v);
            if (previous != null) {
                checkLive(previous, key, start, "asMap().put previous");
                expect(previous, RemovalCause.REPLACED);
            }
        } else if (op < 550) {
            observed[key] = checkLive(cache.getIfPresent(key), key, start, "getIfPresent");
        } else if (op < 600) {
            CacheEntry<Integer, Val> entry = cache.getEntryIfPresent(key);
            if (entry != null) {
                Val v = checkLive(entry.getValue(), key, start, "getEntryIfPresent");
                boolean ok = v.ttlNanos == NEVER ? !entry.expires()
                        : entry.expires() && entry.expiresInNanos() > 0;
                if (!ok) {
                    error("getEntryIfPresent remaining " + entry.expiresInNanos() + " for " + v);
                }
                observed[key] = v;
            }
        } else if (op < 650) {
            Val[] loaded = new Val[1];
            Val v = cache.get(key, k -> loaded[0] = newVal(k, DEFAULT_TTL_NANOS, start));
            if (v != null && v == loaded[0]) {
                wrote(v);
            } else {
                checkLive(v, key, start, "get with loader");
            }
            observed[key] = v;
        } else if (op < 730) {
            Val removed = checkLive(cache.remove(key), key, start, "remove");
            if (removed != null) {
                expect(removed, RemovalCause.EXPLICIT);
            }
        } else if (op < 770) {
            Val expected = observed[key];
            if (expected != null && cache.remove(key, expected)) {
                expect(expected, RemovalCause.EXPLICIT);
            }
        } else if (op < 850) {
            boolean ownTtl = random.nextBoolean();
            long ttl = ownTtl ? randomTtl(random) : DEFAULT_TTL_NANOS;
            Val v = newVal(key, ttl, start);
            Val existing = ownTtl
                    ? cache.putIfAbsent(key, v, ttl == NEVER ? KvCache.NEVER : Duration.ofNanos(ttl))
                    : cache.putIfAbsent(key, v);
            if (existing == null) {
                wrote(v);
            } else {
                observed[key] = checkLive(existing, key, start, "putIfAbsent existing");
            }
        } else if (op < 920) {
            Val v = newVal(key, DEFAULT_TTL_NANOS, start);
            Val previous = checkLive(cache.replace(key, v), key, start, "replace previous");
            if (previous != null) {
                wrote(v);
                expect(previous, RemovalCause.REPLACED);
            }
        } else if (op < 999) {
            Val expected = observed[key];
            if (expected == null) {
                return;
            }
            boolean ownTtl = random.nextBoolean();
            long ttl = ownTtl ? randomTtl(random) : DEFAULT_TTL_NANOS;
            Val v = newVal(key, ttl, start);
            boolean replaced = ownTtl
                    ? cache.replace(key, expected, v, ttl == NEVER ? KvCache.NEVER : Duration.ofNanos(ttl))
                    : cache.replace(key, expected, v);
            if (replaced) {
                wrote(v);
                expect(expected, RemovalCause.REPLACED);
            }
        } else if (random.nextInt(20) == 0) {
            cache.invalidateAll();
        }
    }

    private Val newVal(int key, long ttlNanos, long writeStart) {
        return new Val(ids.incrementAndGet(), key, ttlNanos, writeStart);
    }

    private static long randomTtl(SplittableRandom random) {
        return random.nextInt(20) == 0 ? NEVER : 1 + random.nextInt(400_000);
    }

    private void wrote(Val v) {
        v.writeEnd = ticker.read();
        if (stored.putIfAbsent(v.id, v) != null) {
            error("stored twice: " + v);
        }
    }

    private void expect(Val v, RemovalCause cause) {
        RemovalCause previous = expectedCause.putIfAbsent(v.id, cause);
        if (previous != null) {
            error(v + " removed twice by this test's operations: " + previous + " and " + cause);
        }
    }

    /** Checks a value a call that started at ticker time {@code start} returned as live. */
    private Val checkLive(Val v, int key, long start, String op) {
        if (v == null) {
            return null;
        }
        if (v.key != key) {
            error(op + " of key " + key + " returned " + v);
        }
        long writeEnd = v.writeEnd;
        if (v.ttlNanos != NEVER && writeEnd != Long.MAX_VALUE && writeEnd + v.ttlNanos <= start) {
            error(op + " started at " + start + " returned an expired " + v);
        }
        return v;
    }

    private void error(String message) {
        if (errors.size() < 1_000) {
            errors.add(message);
        }
    }

    private void assertNoErrors() {
        List<String> first = new ArrayList<>(errors).subList(0, Math.min(20, errors.size()));
        assertTrue(errors.isEmpty(), errors.size() + " violations, first: " + String.join("\n", first));
    }
}
