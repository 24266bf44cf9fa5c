package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An in-flight load of one key, registered in {@link Loads}' table, that other callers for the key
 * wait on: a {@code get}'s, a key of a bulk {@code getAll}'s, or a {@code refresh}'s.
 */
final class Loading<V> extends CompletableFuture<V> {
    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Loading.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /* The thread running the loader, which must not wait for its own load; null until a refresh is claimed. */
    volatile Thread owner;

    /*
     * A refresh's reload, which claims this load and runs it, or does nothing if another thread
     * claimed it; null for the other loads. Run by the executor's task, and by a caller that would
     * otherwise wait for a refresh the executor has not started (see Loads#awaitOutcome).
     */
    final Runnable refresh;

    /** A load run by the current thread, its owner. */
    Loading() {
        this.owner = Thread.currentThread();
        this.refresh = null;
    }

    /** A refresh, unclaimed until a thread runs {@code refresh}, which must {@link #claim()} it first. */
    Loading(java.util.function.Function<Loading<V>, Runnable> refresh) {
        this.refresh = refresh.apply(this);
    }

    /** Makes the current thread the owner of an unclaimed refresh; false if another thread claimed it. */
    boolean claim() {
        return OWNER.compareAndSet(this, (Thread) null, Thread.currentThread());
    }

    /*
     * Set by a write of the key while the load runs; written and read under the key's segment lock
     * (volatile for invalidateAll, which writes it without that lock and then takes it).
     */
    volatile boolean invalidated;

    /* Whether the owner thread is inside the loader; written and read only by the owner thread. */
    boolean inLoader;

    /*
     * Set by a load that ends without an answer for a get that joined it: a refresh a removal won over
     * (the key is absent, though its loader found a value) or the executor refused, or a bulk load's key
     * whose value a removal made stale (the bulk load reloads it only once its other keys are done).
     * Such a get loads the key itself. Written before the completion, which publishes it.
     */
    boolean dropped;

    /*
     * A getAll call's claim of a key that its loadAll has not loaded yet: a get of the key on the owner
     * thread (from a loader of that call) loads it at once instead of waiting for this load (see
     * Loads#loadClaimed). Written and read only by the owner thread.
     */
    boolean claimedByBulk;

    /* Whether a nested get loaded this claimed key, and its outcome, for the bulk call; owner thread only. */
    boolean loadedEarly;
    V earlyValue;
    Throwable earlyFailure;

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
        if (owner == Thread.currentThread() && !isDone()) { // done: a refresh this thread just ran (see Loads#awaitOutcome)
            throw new IllegalStateException("recursive load: the loader called get() for its own key");
        }
        try {
            return join();
        } catch (CompletionException e) {
            throw Loads.<RuntimeException>rethrow(e.getCause());
        }
    }
}
