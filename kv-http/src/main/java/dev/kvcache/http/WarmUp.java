package dev.kvcache.http;

import dev.kvcache.core.CacheStats;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a store's hot paths (reads that hit, miss and find an entry expired; writes that insert, overwrite
 * and replace an expired entry; expiry by maintenance and its removal notices) on a throwaway store built
 * like the handler's own, but with a TTL of a few milliseconds, before the first request arrives.
 *
 * <p>Why: the JIT compiles a method with the branches its profile saw taken, and turns the others into
 * traps. Served traffic takes no expiry branch until one TTL after it starts (10 s by default); then the
 * traps fire, and the compiled request path, the handler chain with the cache inlined into it, is thrown
 * away and compiled again while it serves. On the seed workload that kept a C2 thread busy for a quarter of
 * the server's CPU between 10 and 20 s after the start (docs/benchmarks-http.md). Run here, every branch is
 * in the profile before the handler chain is compiled. The store's own cache is not touched.
 */
final class WarmUp {
    /** Keys rewritten often enough to be overwritten live and read back live. */
    private static final int HOT_KEYS = 256;
    /** Keys written seldom enough that most reads and writes find them expired or absent. */
    private static final int COLD_KEYS = 65_536;
    /** Short enough that many entries expire, and the wheel advances, within a fraction of a second. */
    private static final Duration TTL = Duration.ofMillis(5);

    private WarmUp() {}

    /**
     * @param options the options the handler's store was built with (bounds, weights and ticker alike)
     * @param time how long to run; zero or less runs nothing, and a time too long for a {@code long} of
     *     nanoseconds runs until the caller is interrupted
     * @return the throwaway cache's statistics (hits, misses, writes, expirations: what a test checks)
     */
    static CacheStats run(KvHandlerOptions options, Duration time) {
        if (time.isZero() || time.isNegative() || Thread.currentThread().isInterrupted()) {
            return CacheStats.empty(); // an interrupted caller is stopping: the warm-up is only an optimisation
        }
        long nanos = saturatedNanos(time);
        KeyStore store = new KeyStore(options, TTL);
        long start = System.nanoTime();
        AtomicBoolean stop = new AtomicBoolean();
        // Two threads, as a server has at least a request thread and the Reclaimer: their contention (a
        // segment lock or the maintenance lock found held, a LongAdder that grows its cells) is a branch too,
        // and one first taken under load throws away the compiled request path as surely as an expiry.
        Thread other = new Thread(() -> mix(store, new SplittableRandom(2), start, nanos, stop), "kvcache-warm-up");
        other.setDaemon(true);
        boolean interrupted = false;
        try {
            other.start();
            // Returns early if the caller is interrupted (a stop during the start): the warm-up is only an
            // optimisation, and the interrupt stays set for the caller to act on.
            mix(store, new SplittableRandom(1), start, nanos, stop);
        } finally {
            stop.set(true); // the other thread stops within one round: it must not outlive this call
            for (;;) {
                try {
                    other.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            store.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return store.stats();
    }

    /** @return {@code time} in nanoseconds, {@link Long#MAX_VALUE} (about 292 years) if more */
    private static long saturatedNanos(Duration time) {
        try {
            return time.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Rounds of reads and writes until {@code nanos} after {@code start}, a stop, or an interrupt of this thread. */
    private static void mix(KeyStore store, SplittableRandom random, long start, long nanos, AtomicBoolean stop) {
        byte[] value = {'1'};
        while (System.nanoTime() - start < nanos && !stop.get() && !Thread.currentThread().isInterrupted()) {
            for (int i = 0; i < 1_000; i++) {
                // New strings each time, as requests give: the table compares them by equals.
                String key = random.nextBoolean()
                        ? Integer.toString(random.nextInt(HOT_KEYS))
                        : Integer.toString(HOT_KEYS + random.nextInt(COLD_KEYS));
                if (random.nextInt(5) == 0) { // the seed workload's 80/20 mix
                    store.write(key, store.newValue(value, ContentTypes.of(null)), null, Conditions.NONE);
                } else {
                    store.read(key);
                }
            }
            store.cleanUp(); // what the Reclaimer runs on an idle server
        }
    }
}
