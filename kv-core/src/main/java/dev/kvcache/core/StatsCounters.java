package dev.kvcache.core;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's {@link StatsCounter}s: {@link #DISABLED}, for caches built without statistics;
 * {@link Striped}, the default counter; and {@link Guarded}, which contains a user counter's failures.
 */
final class StatsCounters {
    private static final System.Logger LOGGER = System.getLogger("dev.kvcache.core");

    /** Counts nothing; {@code snapshot()} is {@link CacheStats#empty()}. */
    static final StatsCounter DISABLED = new StatsCounter() {};

    private StatsCounters() {}

    /** The counter of a cache built from {@code builder}. */
    static StatsCounter of(KvCacheBuilder<?, ?> builder) {
        if (builder.statsCounters == null) {
            return DISABLED;
        }
        StatsCounter counter = builder.statsCounters.get();
        Objects.requireNonNull(counter, "the recordStats supplier returned null");
        return counter instanceof Striped ? counter : new Guarded(counter);
    }

    static void recordLoad(StatsCounter stats, boolean success, long nanos) {
        long elapsed = Math.max(0, nanos); // a ticker may step back (a user's, or across a clock change)
        if (success) {
            stats.recordLoadSuccess(elapsed);
        } else {
            stats.recordLoadFailure(elapsed);
        }
    }

    static void recordRefresh(StatsCounter stats, boolean success) {
        if (success) {
            stats.recordRefreshSuccess();
        } else {
            stats.recordRefreshFailure();
        }
    }

    /** Striped adders: {@link StatsCounter#striped()}. */
    static final class Striped implements StatsCounter {
        private final LongAdder hits = new LongAdder();
        private final LongAdder misses = new LongAdder();
        private final LongAdder puts = new LongAdder();
        private final LongAdder evictions = new LongAdder();
        private final LongAdder evictionWeight = new LongAdder();
        private final LongAdder expirations = new LongAdder();
        private final LongAdder removals = new LongAdder();
        private final LongAdder loadSuccesses = new LongAdder();
        private final LongAdder loadFailures = new LongAdder();
        private final LongAdder loadNanos = new LongAdder();
        private final LongAdder refreshSuccesses = new LongAdder();
        private final LongAdder refreshFailures = new LongAdder();

        @Override public void recordHit() {
            hits.increment();
        }

        @Override public void recordMiss() {
            misses.increment();
        }

        @Override public void recordPut() {
            puts.increment();
        }

        @Override public void recordRemoval(RemovalCause cause, long weight) {
            switch (cause) {
                case SIZE -> {
                    evictions.increment();
                    evictionWeight.add(weight);
                }
                case EXPIRED -> expirations.increment();
                case EXPLICIT -> removals.increment();
                case REPLACED -> { }
            }
        }

        @Override public void recordLoadSuccess(long loadTimeNanos) {
            loadSuccesses.increment();
            loadNanos.add(loadTimeNanos);
        }

        @Override public void recordLoadFailure(long loadTimeNanos) {
            loadFailures.increment();
            loadNanos.add(loadTimeNanos);
        }

        @Override public void recordRefreshSuccess() {
            refreshSuccesses.increment();
        }

        @Override public void recordRefreshFailure() {
            refreshFailures.increment();
        }

        @Override public CacheStats snapshot() {
            return new CacheStats(hits.sum(), misses.sum(), puts.sum(), evictions.sum(), expirations.sum(),
                    removals.sum(), loadSuccesses.sum(), loadFailures.sum(), loadNanos.sum(),
                    evictionWeight.sum(), refreshSuccesses.sum(), refreshFailures.sum());
        }
    }

    /**
     * A user's counter, whose failures are logged (the first one only, so a broken counter cannot
     * flood the log) and go no further. {@code snapshot()} is the user's {@code stats()} call, so its
     * failures propagate.
     */
    static final class Guarded implements StatsCounter {
        private final StatsCounter delegate;
        private volatile boolean failed;

        Guarded(StatsCounter delegate) {
            this.delegate = delegate;
        }

        private void failed(Throwable t) {
            if (!failed) {
                failed = true;
                LOGGER.log(System.Logger.Level.WARNING, "the StatsCounter " + delegate.getClass().getName()
                        + " threw; its further failures are not logged", t);
            }
        }

        @Override public void recordHit() {
            try {
                delegate.recordHit();
            } catch (Throwable t) {
                failed(t);
            }
        }

        @Override public void recordMiss() {
            try {
                delegate.recordMiss();
            } catch (Throwable t) {
                failed(t);
            }
        }

        @Override public void recordPut() {
            try {
                delegate.recordPut();
            } catch (Throwable t) {
                failed(t);
            }
        }

        @Override public void recordRemoval(RemovalCause cause, long weight) {
            try {
                delegate.recordRemoval(cause, weight);
            } catch (Throwable t) {
                failed(t);
            }
        }

        @Override public void recordLoadSuccess(long loadTimeNanos) {
            try {
                delegate.recordLoadSuccess(loadTimeNanos);
            } catch (Throwable t) {
                failed(t);
            }
        }

        @Override public void recordLoadFailure(long loadTimeNanos) {
            try {
                delegate.recordLoadFailure(loadTimeNanos);
            } catch (Throwable t) {
                failed(t);
            }
        }

        @Override public void recordRefreshSuccess() {
            try {
                delegate.recordRefreshSuccess();
            } catch (Throwable t) {
                failed(t);
            }
        }

        @Override public void recordRefreshFailure() {
            try {
                delegate.recordRefreshFailure();
            } catch (Throwable t) {
                failed(t);
            }
        }

        @Override public CacheStats snapshot() {
            return Objects.requireNonNull(delegate.snapshot(),
                    () -> "StatsCounter.snapshot() of " + delegate.getClass().getName() + " returned null");
        }
    }
}
