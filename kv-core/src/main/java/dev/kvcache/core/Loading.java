package dev.kvcache.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An in-flight load of one key, registered in {@link Loads}' table, that other callers for the key
 * wait on: a {@code get}'s, a key of a bulk {@code getAll}'s, or a {@code refresh}'s.
 */
final class Loading<V> extends CompletableFuture<V> {
    /* The thread running the loader, which must not wait for its own load; null until a refresh's task starts. */
    volatile Thread owner = Thread.currentThread();

    /*
     * Set by a write of the key while the load runs; written and read under the key's segment lock
     * (volatile for invalidateAll, which writes it without that lock and then takes it).
     */
    volatile boolean invalidated;

    /* Whether the owner thread is inside the loader; written and read only by the owner thread. */
    boolean inLoader;

    /*
     * Set by a refresh that ends without an answer for a get that joined it: a removal won over it
     * (the key is absent, though its loader found a value) or the executor refused it. Such a get
     * loads the key itself. Written before the completion, which publishes it.
     */
    boolean dropped;

    /** Whether a write on the current thread is this load's loader's own (see {@link Loads#invalidate}). */
    boolean isOwnWrite() {
        return owner == Thread.currentThread() && inLoader;
    }

    /**
     * The caller's own future of this load's outcome: completing or cancelling it leaves the load
     * alone, and it fails with the load's throwable itself, where {@link #copy()} would wrap it in
     * a {@link CompletionException}.
     */
    CompletableFuture<V> view() {
        CompletableFuture<V> view = new CompletableFuture<>();
        whenComplete((value, failure) -> {
            if (failure == null) {
                view.complete(value);
            } else {
                view.completeExceptionally(failure);
            }
        });
        return view;
    }

    V await() {
        if (owner == Thread.currentThread()) {
            throw new IllegalStateException("recursive load: the loader called get() for its own key");
        }
        try {
            return join();
        } catch (CompletionException e) {
            throw Loads.<RuntimeException>rethrow(e.getCause());
        }
    }
}
