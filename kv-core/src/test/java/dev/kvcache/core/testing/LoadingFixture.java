package dev.kvcache.core.testing;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the loading tests share: latches awaited with a deadline, caller threads whose outcome a test
 * asserts, the wait until a caller is parked on another thread's load, and a cache whose loader
 * calls that cache. Every wait is bounded ({@link #TIMEOUT_SECONDS}), so a regression that deadlocks
 * fails its test instead of hanging the build. Failures are {@link AssertionError}s, so the fixture
 * needs no test framework.
 */
public final class LoadingFixture {
    /** How long any wait of the fixture lasts at most. */
    public static final long TIMEOUT_SECONDS = 10;

    private LoadingFixture() {
    }

    /**
     * Waits until {@code latch} is released.
     *
     * @throws AssertionError if it is not within {@link #TIMEOUT_SECONDS}, or the thread is
     *     interrupted (its interrupt status is kept)
     */
    public static void await(CountDownLatch latch) {
        try {
            if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("latch timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Whether {@code thread} waits inside the cache for another thread's load (parked in {@code Loading.await}). */
    public static boolean isWaitingForALoad(Thread thread) {
        if (thread.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals("dev.kvcache.core.Loading") && frame.getMethodName().equals("await")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until {@code thread} waits for another thread's load.
     *
     * @throws AssertionError if it does not within {@link #TIMEOUT_SECONDS}, naming where it is
     */
    public static void awaitALoadWaiter(Thread thread) throws InterruptedException {
        awaitUntil(() -> isWaitingForALoad(thread), () -> thread.getName() + " never waited for a load: "
                + thread.getState() + " in " + List.of(thread.getStackTrace()));
    }

    /**
     * Waits until the caller submitted as {@code call} waits for another thread's load. Its pool thread
     * is unknown here, so any thread waiting for a load counts: the tests have only that one.
     *
     * @throws AssertionError if {@code call} ends first (it did not wait), or nothing waits within
     *     {@link #TIMEOUT_SECONDS}
     */
    public static void awaitALoadWaiter(Future<?> call) throws InterruptedException {
        awaitUntil(() -> {
            if (Thread.getAllStackTraces().keySet().stream().anyMatch(LoadingFixture::isWaitingForALoad)) {
                return true;
            }
            if (call.isDone()) {
                throw new AssertionError("the caller did not wait for the load in flight");
            }
            return false;
        }, () -> "no thread joined the load in flight");
    }

    private static void awaitUntil(BooleanSupplier condition, Supplier<String> failure) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            Thread.sleep(1);
        }
    }

    /**
     * A loading cache on a {@link FakeTicker} whose loader is given the cache itself, for loaders that
     * get other keys.
     */
    public static <K, V> LoadingCache<K, V> selfLoading(BiFunction<LoadingCache<K, V>, K, V> loader) {
        AtomicReference<LoadingCache<K, V>> self = new AtomicReference<>();
        LoadingCache<K, V> cache = KvCache.builder().ticker(new FakeTicker())
                .<K, V>build(key -> loader.apply(self.get(), key));
        self.set(cache);
        return cache;
    }

    /** A daemon thread running one call; {@link #outcome()} is its result or the throwable it threw. */
    public static final class Caller extends Thread {
        private final AtomicReference<Object> outcome = new AtomicReference<>();
        private final Supplier<Object> call;

        /** Starts {@code call} at once. */
        public Caller(Supplier<Object> call) {
            this("caller", call);
        }

        /** Starts {@code call} at once, on a thread named {@code name}. */
        public Caller(String name, Supplier<Object> call) {
            super(name);
            this.call = call;
            setDaemon(true); // on a regression it stays parked: it must not keep the test JVM alive
            start();
        }

        @Override
        public void run() {
            try {
                outcome.set(call.get());
            } catch (Throwable t) {
                outcome.set(t);
            }
        }

        /**
         * The call's result or throwable, once it ended.
         *
         * @throws AssertionError if it has not ended within {@link #TIMEOUT_SECONDS} (deadlocked), naming where it waits
         */
        public Object outcome() throws InterruptedException {
            join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            if (isAlive()) {
                throw new AssertionError("deadlocked: " + getName() + " still waits in " + List.of(getStackTrace()));
            }
            return outcome.get();
        }

        /** Waits until this thread waits for another thread's load; an AssertionError after {@link #TIMEOUT_SECONDS}. */
        public void awaitWaitingForALoad() throws InterruptedException {
            awaitALoadWaiter(this);
        }

        /** Waits until this thread ended or waits for another thread's load; an AssertionError after {@link #TIMEOUT_SECONDS}. */
        public void awaitDoneOrWaitingForALoad() throws InterruptedException {
            awaitUntil(() -> !isAlive() || isWaitingForALoad(this), () -> getName()
                    + " neither ended nor waited for a load: " + getState() + " in " + List.of(getStackTrace()));
        }
    }
}
