package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hostile review of the bounded cache's back-pressure (b95d82a): a writer that finds 32 writes left to
 * the maintenance-lock holder now WAITS for that lock. KvCache.asMap() forbids a compute function to
 * write "this cache" only; writing another cache from it is allowed. A writer of cache B from inside a
 * compute function of cache A (holding A's segment lock) may now wait for B's maintenance lock, whose
 * holder waits for a B segment held by a compute of B whose function writes A's locked segment.
 *
 * <p>Integer keys below 65 536 spread to themselves, so key & 15 is the segment (16 segments on up to
 * 4 processors; the test derives the mask from nothing else, see {@link #SEG}).
 */
class HostileBackPressureDeadlockTest {
    /** Segments on this machine: at least 16, four per processor, a power of two (NodeTable.segmentsFor). */
    static final int SEG;
    static {
        int count = 16;
        while (count < 4 * Runtime.getRuntime().availableProcessors() && count < 256) {
            count <<= 1;
        }
        SEG = count;
    }

    /** The i-th key (i >= 0) of segment s. */
    static int keyIn(int s, int i) {
        return s + SEG * (i + 1);
    }

    /**
     * Waits until {@code t} blocks, or ends: since maintenance no longer waits for a segment held longer
     * than a write (a compute function), an eviction from such a segment leaves its victim for later and
     * the writer returns, which is the fix; the rest of each test then checks that nothing hangs.
     */
    private static void awaitBlocked(Thread t, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.BLOCKED
                && t.getState() != Thread.State.TERMINATED) {
            if (System.nanoTime() > end) {
                throw new AssertionError("setup: " + what + " never blocked, state " + t.getState());
            }
            Thread.sleep(1);
        }
    }

    // Failed on b95d82a (deadlock; passed on b95d82a~1).
    @Test
    void computeOfOneCacheWritingAnotherCannotDeadlockWithItsEviction() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int s = 3; // B's segment held by T3's compute and holding B's eviction victims
            int sa = 5; // A's segment held by T1's compute
            KvCache<Integer, Integer> a = KvCache.<Integer, Integer>builder().maximumSize(1_000).initialCapacity(10_000).build();
            KvCache<Integer, Integer> b = KvCache.<Integer, Integer>builder().maximumSize(8).initialCapacity(10_000).build();
            for (int i = 0; i < 8; i++) {
                b.put(keyIn(s, 100 + i), i); // every entry, hence every victim, in segment s
            }
            CountDownLatch t3In = new CountDownLatch(1);
            CountDownLatch t1In = new CountDownLatch(1);
            Thread t3 = new Thread(() -> b.asMap().compute(keyIn(s, 0), (k, v) -> {
                t3In.countDown();
                try {
                    t1In.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                a.put(keyIn(sa, 1), 1); // another cache: allowed; waits for T1's compute of A to end
                return 0;
            }), "T3-compute-B");
            t3.setDaemon(true);
            t3.start();
            t3In.await();
            // T2: a write of B in another segment whose own maintenance evicts from segment s.
            Thread t2 = new Thread(() -> b.put(keyIn(s + 1, 0), 0), "T2-writer-B");
            t2.setDaemon(true);
            t2.start();
            awaitBlocked(t2, "T2's eviction from the segment T3 holds");
            // 32 writes of B, other segments: each finds the lock taken and leaves itself to T2.
            for (int i = 0; i < 32; i++) {
                b.put(keyIn(s + 2 + (i % 8), 1000 + i), i);
            }
            Thread t1 = new Thread(() -> a.asMap().compute(keyIn(sa, 0), (k, v) -> {
                t1In.countDown();
                b.put(keyIn(s + 1, 5000), 1); // another cache: allowed
                return 1;
            }), "T1-compute-A");
            t1.setDaemon(true);
            t1.start();
            t1.join(5_000);
            if (t1.isAlive()) {
                StringBuilder sb = new StringBuilder("hung: ");
                for (Thread t : new Thread[] {t1, t2, t3}) {
                    sb.append('\n').append(t.getName()).append(' ').append(t.getState());
                    StackTraceElement[] st = t.getStackTrace();
                    for (int i = 0; i < Math.min(st.length, 40); i++) {
                        if (st[i].getClassName().startsWith("dev.kvcache")) {
                            sb.append("\n    at ").append(st[i]);
                        }
                    }
                }
                throw new AssertionError(sb.toString());
            }
            t2.join();
            t3.join();
            assertEquals(1, a.getIfPresent(keyIn(sa, 0)));
            b.cleanUp();
            assertTrue(b.estimatedSize() <= 8);
        }, "three threads deadlocked: T1 (in A's compute, holding A's segment) waits for B's maintenance lock,"
                + " T2 holds it and waits for B's segment held by T3's compute, whose function waits for A's segment");
    }

    /**
     * The two-thread form, without back-pressure: the guard "a thread running a compute function of the
     * cache never runs maintenance" is per cache, so a thread in A's compute function that writes B runs
     * B's maintenance itself, and its eviction waits for a B segment held by a compute of B whose
     * function, writing A, runs A's maintenance and waits for the A segment the first holds.
     */
    // Failed on b95d82a and on b95d82a~1 (deadlock; predates the back-pressure).
    @Test
    void computesOfTwoCachesWritingEachOtherCannotDeadlockInTheirEvictions() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int sa = 5;
            int sb = 3;
            KvCache<Integer, Integer> a = KvCache.<Integer, Integer>builder().maximumSize(4).initialCapacity(10_000).build();
            KvCache<Integer, Integer> b = KvCache.<Integer, Integer>builder().maximumSize(4).initialCapacity(10_000).build();
            for (int i = 0; i < 4; i++) {
                a.put(keyIn(sa, 100 + i), i); // every victim of A in segment sa
                b.put(keyIn(sb, 100 + i), i); // every victim of B in segment sb
            }
            CountDownLatch bothIn = new CountDownLatch(2);
            Thread t0 = new Thread(() -> a.asMap().compute(keyIn(sa, 0), (k, v) -> {
                bothIn.countDown();
                try {
                    bothIn.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                b.put(keyIn(sb + 1, 0), 0); // another cache: allowed; evicts from segment sb
                return 0;
            }), "T0-compute-A");
            Thread t1 = new Thread(() -> b.asMap().compute(keyIn(sb, 0), (k, v) -> {
                bothIn.countDown();
                try {
                    bothIn.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                a.put(keyIn(sa + 1, 0), 0); // another cache: allowed; evicts from segment sa
                return 0;
            }), "T1-compute-B");
            t0.setDaemon(true);
            t1.setDaemon(true);
            t0.start();
            t1.start();
            t0.join(5_000);
            t1.join(5_000);
            if (t0.isAlive() || t1.isAlive()) {
                StringBuilder sb2 = new StringBuilder("hung: ");
                for (Thread t : new Thread[] {t0, t1}) {
                    sb2.append('\n').append(t.getName()).append(' ').append(t.getState());
                    for (StackTraceElement e : t.getStackTrace()) {
                        if (e.getClassName().startsWith("dev.kvcache")) {
                            sb2.append("\n    at ").append(e);
                        }
                    }
                }
                throw new AssertionError(sb2.toString());
            }
        });
    }

    /**
     * The loader form: a compute function of A reads a LoadingCache B (reads are allowed) and so waits for
     * B's load of the key on another thread, whose loader writes A (another cache, allowed) and, with 32
     * writes of A left to the holder of A's maintenance lock, waits for that lock; the holder's eviction
     * waits for the A segment the compute holds.
     */
    // Failed on b95d82a (deadlock; passed on b95d82a~1).
    @Test
    void computeReadingALoadingCacheWhoseLoaderWritesBackCannotDeadlock() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int s = 6;
            KvCache<Integer, Integer> a = KvCache.<Integer, Integer>builder().maximumSize(8).initialCapacity(10_000).build();
            for (int i = 0; i < 8; i++) {
                a.put(keyIn(s, 100 + i), i); // every victim of A in segment s
            }
            CountDownLatch loading = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            dev.kvcache.core.LoadingCache<Integer, Integer> b = KvCache.<Integer, Integer>builder().build(k -> {
                loading.countDown();
                go.await();
                a.put(keyIn(s + 1, 7), k); // another cache: allowed
                return k;
            });
            Thread loader = new Thread(() -> b.get(42), "T2-loads-B");
            loader.setDaemon(true);
            loader.start();
            loading.await();
            CountDownLatch inCompute = new CountDownLatch(1);
            Thread computer = new Thread(() -> a.asMap().compute(keyIn(s, 0), (k, v) -> {
                inCompute.countDown();
                return b.get(42); // a read of another cache: waits for T2's load
            }), "T1-compute-A");
            computer.setDaemon(true);
            computer.start();
            inCompute.await();
            awaitBlocked(computer, "T1's wait for the load");
            Thread evicter = new Thread(() -> a.put(keyIn(s + 2, 0), 0), "T3-writer-A");
            evicter.setDaemon(true);
            evicter.start();
            awaitBlocked(evicter, "T3's eviction from the segment T1 holds");
            for (int i = 0; i < 32; i++) {
                a.put(keyIn(s + 3 + (i % 8), 1000 + i), i); // left to T3
            }
            go.countDown();
            computer.join(5_000);
            if (computer.isAlive()) {
                StringBuilder sb = new StringBuilder("hung: ");
                for (Thread t : new Thread[] {computer, loader, evicter}) {
                    sb.append('\n').append(t.getName()).append(' ').append(t.getState());
                    for (StackTraceElement e : t.getStackTrace()) {
                        if (e.getClassName().startsWith("dev.kvcache")) {
                            sb.append("\n    at ").append(e);
                        }
                    }
                }
                throw new AssertionError(sb.toString());
            }
            assertEquals(42, a.getIfPresent(keyIn(s, 0)));
        });
    }
}
