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
 * advance it with a CAS), so the ticker never goes backwards across stops and restarts. Its lowest bit
 * says whether a thread is ticking (1) or readers must sample the clock themselves (0), so that a read
 * is one volatile load; readings are therefore odd while ticking, a nanosecond of the millisecond
 * precision.
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
     * The latest reading; its lowest bit is 1 while a clock thread refreshes it. Volatile: readers on
     * other threads must see each refresh promptly (a plain field could be hoisted out of a reader's
     * loop by the JIT and never change). On x86 the volatile load is a plain MOV.
     */
    private volatile long now = System.nanoTime() & ~1L;

    /* Set by deregister so the thread checks its users at once. */
    private volatile boolean checkUsers;

    private final List<WeakReference<Object>> users = new ArrayList<>(); // guarded by itself
    private Thread thread; // guarded by users

    CoarseTicker() {}

    @Override
    public long read() {
        long n = now;
        return (n & 1) != 0 ? n : sample();
    }

    /** A read while no thread ticks: moves {@link #now} forward to the clock (even) unless it is later. */
    private long sample() {
        for (;;) {
            long current = now;
            long time = System.nanoTime() & ~1L;
            if ((current & 1) != 0 || time <= current) {
                return current; // a thread started meanwhile, or another reader got further
            }
            if (NOW.compareAndSet(this, current, time)) {
                return time;
            }
        }
    }

    /** The clock thread's refresh (and its start): moves {@link #now} forward to the clock, odd. */
    private void tick() {
        for (;;) {
            long current = now;
            long time = Math.max(current, System.nanoTime()) | 1L; // odd, and never behind
            if (time == current || NOW.compareAndSet(this, current, time)) {
                return;
            }
        }
    }

    /** The clock thread's exit: makes {@link #now} even (one nanosecond later), so readers sample. */
    private void stopTicking() {
        for (;;) {
            long current = now;
            if ((current & 1) == 0 || NOW.compareAndSet(this, current, current + 1)) {
                return;
            }
        }
    }

    /** Adds a user; starts the clock thread if none runs. */
    void register(Object user) {
        synchronized (users) {
            users.add(new WeakReference<>(user));
            if (thread == null) {
                tick(); // readers now take the thread's readings
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
            tick();
            if (tick % USER_CHECK_TICKS == 0 || checkUsers) {
                checkUsers = false;
                synchronized (users) {
                    users.removeIf(ref -> ref.get() == null);
                    if (users.isEmpty()) {
                        stopTicking(); // readers now sample the clock themselves
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
