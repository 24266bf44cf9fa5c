package dev.kvcache.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The watches waiting now, by key, and their bound. {@link KeyStore} tells {@link #changed} the key of
 * every change (and, for a cache it built, every removal: expiry and eviction included); each watch of
 * that key then checks the key again. With no watch waiting, a change costs one volatile read.
 */
final class Watches implements Consumer<String> {
    /** One waiting request. */
    interface Watch {
        /** Checks the key again, and answers if it changed; called on any thread, maybe more than once. */
        void wake();

        /** Answers now with the key's current state, whatever it is (shutdown). */
        void finishNow();
    }

    private final ConcurrentHashMap<String, Set<Watch>> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int max;
    private volatile boolean closed;
    /** Completed once {@link #closeAll} ran and every watch's answer completed; renewed by {@link #reopen}. */
    private volatile java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();

    Watches(int max) {
        this.max = max;
    }

    /** @return whether the watch was added; false if {@link #max} watches wait already, or after {@link #closeAll} */
    boolean add(String key, Watch watch) {
        if (closed) {
            return false;
        }
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return false;
        }
        byKey.compute(key, (k, set) -> {
            Set<Watch> watches = set == null ? ConcurrentHashMap.newKeySet() : set;
            watches.add(watch);
            return watches;
        });
        return true;
    }

    /** Stops telling a watch of changes: it is answering. */
    void remove(String key, Watch watch) {
        byKey.computeIfPresent(key, (k, set) -> {
            set.remove(watch);
            return set.isEmpty() ? null : set;
        });
    }

    /** Counts a watch out once its answer completed (or failed); once per watch {@link #add}ed. */
    void answered() {
        if (count.decrementAndGet() == 0 && closed) {
            drained.complete(null);
        }
    }

    @Override
    public void accept(String key) {
        changed(key);
    }

    void changed(String key) {
        if (count.get() == 0) {
            return;
        }
        Set<Watch> watches = byKey.get(key);
        if (watches != null) {
            for (Watch watch : watches) {
                watch.wake();
            }
        }
    }

    /**
     * Answers every watch now, and every later one at once (shutdown).
     *
     * @return completed once every answer completed, so that the server can let them out before it
     *     closes its connections (an HTTP/2 GOAWAY sent first makes some clients drop them)
     */
    java.util.concurrent.CompletableFuture<Void> closeAll() {
        closed = true;
        for (Set<Watch> watches : byKey.values()) {
            for (Watch watch : watches) {
                watch.finishNow();
            }
        }
        if (count.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }

    /** Lets watches wait again after {@link #closeAll}: the handler was started again after a stop. */
    void reopen() {
        drained = new java.util.concurrent.CompletableFuture<>();
        closed = false;
    }

    boolean isClosed() {
        return closed;
    }

    int size() {
        return count.get();
    }

    int max() {
        return max;
    }
}
