package dev.kvcache.http.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.Graceful;

/**
 * Counts the requests in flight and lets a graceful stop wait for them, as Jetty's {@code GracefulHandler}
 * does, for one object per request instead of four: no request wrapper (which also put a virtual call
 * in front of every request accessor the handler uses), no counting callback with its own atomic.
 * Once the server's graceful stop has begun ({@link #shutdown()}), new requests are answered 503.
 *
 * <p>A request counts from the start of {@link #handle} until the callback it was given has run (a 503
 * answered once stopping included), or until
 * {@code handle} returns {@code false} or throws without having completed it (Jetty then answers
 * through its own callback). Request stream wrappers are not tracked: nothing behind this handler adds
 * one, as HTTP/2's customizers run before the handlers.
 *
 * <p>In the standalone server it is the outermost handler and also applies the {@link Http2BodyDrain}
 * to each request's callback (outside the count's own), so that the drain costs no handler level.
 */
final class InFlightHandler extends Handler.Wrapper implements Graceful {
    private final LongAdder inFlight = new LongAdder();
    /** The drain applied to each request's callback; {@code null} for none. */
    private final Http2BodyDrain drain;
    private final Graceful.Shutdown shutdown = new Graceful.Shutdown(this) {
        @Override
        public boolean isShutdownDone() {
            return inFlight.sum() == 0;
        }
    };

    /** A handler that counts the requests {@code handler} serves, and drains none. */
    InFlightHandler(Handler handler) {
        this(handler, null);
    }

    /**
     * @param handler the handler whose requests are counted
     * @param drain the drain to apply to every request's callback, or {@code null} for none
     */
    InFlightHandler(Handler handler, Http2BodyDrain drain) {
        super(handler);
        this.drain = drain;
    }

    /** @return the requests in flight now */
    long requestsInFlight() {
        return inFlight.sum();
    }

    @Override
    protected void doStart() throws Exception {
        shutdown.cancel();
        super.doStart();
    }

    @Override
    public CompletableFuture<Void> shutdown() {
        return shutdown.shutdown();
    }

    @Override
    public boolean isShutdown() {
        return shutdown.isShutdown();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Handler next = getHandler();
        if (next == null || !isStarted()) {
            return false;
        }
        // Counted before the check, as GracefulHandler does: a stop that begins after the check then
        // finds this request in flight. A 503 counts until it is written.
        Tracked tracked = new Tracked(drain == null ? callback : drain.wrap(request, response, callback));
        if (shutdown.isShutdown()) {
            try {
                Response.writeError(request, response, tracked, HttpStatus.SERVICE_UNAVAILABLE_503);
            } catch (Throwable e) {
                tracked.finish();
                throw e;
            }
            return true;
        }
        boolean handled;
        try {
            handled = next.handle(request, response, tracked);
        } catch (Throwable e) {
            tracked.finish();
            throw e;
        }
        if (!handled) {
            tracked.finish();
        }
        return handled;
    }

    /** The callback handed on; counts its request out exactly once. */
    private final class Tracked implements Callback {
        private static final VarHandle FINISHED;

        static {
            try {
                FINISHED = MethodHandles.lookup().findVarHandle(Tracked.class, "finished", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Callback callback;
        @SuppressWarnings("unused") // through FINISHED
        private volatile boolean finished;

        Tracked(Callback callback) {
            this.callback = callback;
            inFlight.increment();
        }

        /** Counts the request out unless that was done already; a stop waiting for it may now end. */
        void finish() {
            // CAS: the callback may complete on another thread while handle() is returning or throwing.
            if (FINISHED.compareAndSet(this, false, true)) {
                inFlight.decrement();
                if (shutdown.isShutdown()) {
                    shutdown.check();
                }
            }
        }

        // Counted out after the wrapped callback has run: completing it is what sends a response the
        // handler did not write itself, so until then the request is not finished.
        @Override
        public void succeeded() {
            try {
                callback.succeeded();
            } finally {
                finish();
            }
        }

        @Override
        public void failed(Throwable failure) {
            try {
                callback.failed(failure);
            } finally {
                finish();
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return callback.getInvocationType();
        }
    }
}
