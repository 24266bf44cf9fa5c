package dev.kvcache.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Counts every removal in the statistics and tells the {@link RemovalListener}, outside every lock the
 * cache holds, with failures contained.
 *
 * <p>Writes notify directly, after their segment lock is released. Maintenance finds removals while
 * it holds the maintenance lock, so it {@link #pend pends} them and {@link #deliver delivers} the
 * batch once the lock is released. Whatever the listener throws, an {@link Error} included, is
 * logged through {@link System.Logger} (the JDK's platform logger, so kv-core needs no logging
 * dependency and follows whatever logging the application routes it to) and goes no further: the
 * caller never sees it, the rest of a batch is still delivered, and the cache's bookkeeping, done
 * before any notification, is complete. If the executor refuses or fails a notification, it runs
 * on the calling thread instead, so none is lost.
 */
final class RemovalNotifier<K, V> {
    private static final System.Logger LOGGER = System.getLogger("dev.kvcache.core");

    private final StatsCounter stats;
    private final RemovalListener<? super K, ? super V> listener;
    private final Executor executor;

    /** Removals found by maintenance, delivered after the lock is released; maintenance-owned. */
    private List<Removal<K, V>> pending = new ArrayList<>();

    RemovalNotifier(StatsCounter stats, RemovalListener<? super K, ? super V> listener, Executor executor) {
        this.stats = stats;
        this.listener = listener;
        this.executor = executor;
    }

    /** Counts and reports a removal of an entry of {@code weight} now. No cache lock may be held. */
    void notify(K key, V value, RemovalCause cause, int weight) {
        stats.recordRemoval(cause, weight);
        if (listener != null) {
            dispatch(key, value, cause);
        }
    }

    /** Counts a removal and keeps it for {@link #deliver}. Maintenance lock held. */
    void pend(K key, V value, RemovalCause cause, int weight) {
        stats.recordRemoval(cause, weight);
        if (listener != null) {
            pending.add(new Removal<>(key, value, cause));
        }
    }

    /**
     * Takes the removals pended so far, or {@code null} if there are none. Maintenance lock held.
     *
     * <p>{@code null} rather than {@code List.of()}: {@link #deliver} then sees only one list class. With
     * two, its compiled code, profiled while nothing was removed, met the second list at the first
     * expiries (a {@code class_check} deoptimization in the served cache's maintenance, about a TTL
     * after the start).
     */
    List<Removal<K, V>> takePending() {
        if (pending.isEmpty()) {
            return null;
        }
        List<Removal<K, V>> taken = pending;
        pending = new ArrayList<>();
        return taken;
    }

    /** Reports a batch taken by {@link #takePending} ({@code null}: none). No cache lock may be held. */
    void deliver(List<Removal<K, V>> removals) {
        if (removals == null) {
            return; // the common case, without an iterator
        }
        for (Removal<K, V> r : removals) {
            dispatch(r.key, r.value, r.cause);
        }
    }

    private void dispatch(K key, V value, RemovalCause cause) {
        if (executor == null) {
            callListener(key, value, cause);
            return;
        }
        try {
            executor.execute(() -> callListener(key, value, cause));
        } catch (RejectedExecutionException e) {
            callListener(key, value, cause); // never lose a notification
        } catch (Throwable t) {
            LOGGER.log(System.Logger.Level.WARNING, "removal executor failed; notifying on the caller's thread", t);
            callListener(key, value, cause);
        }
    }

    private void callListener(K key, V value, RemovalCause cause) {
        try {
            listener.onRemoval(key, value, cause);
        } catch (Throwable t) {
            // Documented (RemovalListener): a listener's failure never reaches the cache's caller.
            LOGGER.log(System.Logger.Level.WARNING, "removal listener threw for key " + key + " (" + cause + ")", t);
        }
    }

    record Removal<K, V>(K key, V value, RemovalCause cause) {}
}
