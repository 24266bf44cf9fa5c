package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Ticker#coarse()}: {@link System#nanoTime()} sampled by one daemon thread about every
 * millisecond, so that a cache hit costs a volatile load instead of a clock call.
 *
 * <p>The thread runs only while the ticker has users: caches built with it {@link #register} when
 * built (held weakly, so a cache dropped without {@code close()} does not keep the thread alive once
 * collected) and {@link #deregister} on {@code close()}. With no user left, the thread exits (within
 * about {@link #USER_CHECK_TICKS} ms, or at once after the last {@code close()}); the next registration
 * starts a new one. The thread has no context class loader, so it pins no application's loader. While
 * no thread runs, {@link #read} reads {@link System#nanoTime()} itself.
 *
 * <p>All readings go through one field that only moves forward (the thread and stopped-mode readers
 * advance it with a CAS), so the ticker never goes backwards across stops and restarts.
 */
final class CoarseTicker implements Ticker {
    static final CoarseTicker INSTANCE = new CoarseTicker();

    /** How often the clock thread refreshes {@link #now}. */
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Ticks between two checks for users collected without {@code close()}. */
    static final int USER_CHECK_TICKS = 256;

    private static final VarHandle NOW;

    static {
        try {
            NOW = MethodHandles.lookup().findVarHandle(CoarseTicker.class, "now", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /*
     * Volatile: readers on other threads must see each refresh promptly (a plain field could be hoisted
     * out of a reader's loop by the JIT and never change). On x86 the volatile load is a plain MOV.
     */
    private volatile long now = System.nanoTime();

    /* Whether a clock thread is refreshing now; when false, readers sample the clock themselves. */
    private volatile boolean ticking;

    /* Set by deregister so the thread checks its users at once. */
    private volatile boolean checkUsers;

    private final List<WeakReference<Object>> users = new ArrayList<>(); // guarded by itself
    private Thread thread; // guarded by users

    CoarseTicker() {}

    @Override
    public long read() {
        return ticking ? now : advance(System.nanoTime());
    }

    /** Moves {@link #now} forward to {@code time} unless it is already later; returns its new value. */
    private long advance(long time) {
        for (;;) {
            long current = now;
            if (time <= current) {
                return current;
            }
            if (NOW.compareAndSet(this, current, time)) {
                return time;
            }
        }
    }

    /** Adds a user; starts the clock thread if none runs. */
    void register(Object user) {
        synchronized (users) {
            users.add(new WeakReference<>(user));
            if (thread == null) {
                advance(System.nanoTime()); // before ticking: readers switch to a fresh reading
                ticking = true;
                Thread clock = new Thread(this::run, "kvcache-clock");
                clock.setDaemon(true);
                clock.setContextClassLoader(null);
                thread = clock;
                clock.start();
            }
        }
    }

    /** Removes a user (idempotent); the thread exits if it was the last. */
    void deregister(Object user) {
        synchronized (users) {
            users.removeIf(ref -> ref.get() == user);
        }
        checkUsers = true;
    }

    /** The users not yet deregistered or collected. */
    int users() {
        synchronized (users) {
            users.removeIf(ref -> ref.get() == null);
            return users.size();
        }
    }

    /** Whether a clock thread is running (for tests). */
    boolean isTicking() {
        synchronized (users) {
            return thread != null && thread.isAlive();
        }
    }

    private void run() {
        for (int tick = 1; ; tick++) {
            LockSupport.parkNanos(PERIOD_NANOS);
            advance(System.nanoTime());
            if (tick % USER_CHECK_TICKS == 0 || checkUsers) {
                checkUsers = false;
                synchronized (users) {
                    users.removeIf(ref -> ref.get() == null);
                    if (users.isEmpty()) {
                        ticking = false; // readers now sample the clock themselves
                        thread = null;
                        return;
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Ticker.coarse()";
    }
}
