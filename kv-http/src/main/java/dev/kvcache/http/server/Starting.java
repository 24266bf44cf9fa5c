package dev.kvcache.http.server;

/**
 * What a stop signal tells a start in progress: a warm-up then running on the starting thread is
 * interrupted (it returns within a round of its loop), and a warm-up not yet begun is skipped; either way
 * the listener is not opened, so that a SIGTERM during a long {@code --warm-up} stops the server at once,
 * without it ever accepting a connection. The interrupt reaches the starting thread only while it warms up,
 * never during a snapshot's restore (whose file channel an interrupt would close).
 */
final class Starting {
    private Thread warmingUp; // guarded by this
    private boolean stopRequested; // guarded by this
    private boolean interruptedByStop; // guarded by this

    /**
     * Runs {@code warmUp} on this thread unless a stop was requested; an interrupt of this thread is how a
     * stop reaches it, and it is to return soon after one.
     *
     * @return whether the start is to go on and open the listener (false: a stop was requested)
     */
    boolean warmUp(Runnable warmUp) {
        synchronized (this) {
            if (stopRequested) {
                return false;
            }
            warmingUp = Thread.currentThread();
        }
        try {
            warmUp.run();
        } finally {
            synchronized (this) {
                warmingUp = null;
                if (interruptedByStop) {
                    Thread.interrupted(); // the stop's own interrupt, meant for the warm-up only
                }
            }
        }
        synchronized (this) {
            return !stopRequested;
        }
    }

    /** A stop signal: ends a warm-up in progress, and keeps the listener from opening. Idempotent. */
    synchronized void requestStop() {
        stopRequested = true;
        if (warmingUp != null && !interruptedByStop) {
            interruptedByStop = true;
            warmingUp.interrupt();
        }
    }
}
