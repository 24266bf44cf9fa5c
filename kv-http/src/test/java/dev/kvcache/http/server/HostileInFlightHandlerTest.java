package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * Hostile review of {@link InFlightHandler} against the contract of the Jetty {@code GracefulHandler} it
 * replaces (docs/http.md "Shutdown": a stop gives requests in flight time to finish): a request counts
 * until its response is complete, and a request that is let through is one the stop waits for. The
 * handler is driven directly (no connector), so each interleaving is chosen, not hoped for; the request
 * and response are never touched by the handlers here (null), except by the 503 path, which then throws.
 */
class HostileInFlightHandlerTest {

    /** A handler that keeps each callback it is given, for the test to complete. */
    private static final class Holding extends Handler.Abstract.NonBlocking {
        final AtomicReference<Callback> held = new AtomicReference<>();

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            held.set(callback);
            return true;
        }
    }

    /**
     * Jetty's GracefulHandler counts a request out after the callback it wraps has completed
     * (Callback.Nested: {@code callback.succeeded()}, then {@code completed()}): completing the request's
     * callback is what commits and sends a response the handler did not write itself (a 204 whose
     * handler only set the status), so until it has run the request is not finished. InFlightHandler
     * counts out first, so the stop's future completes, and Server.stop goes on to close the connectors,
     * while the response is still to be sent.
     */
    @Test
    void theStopDoesNotEndBeforeTheLastRequestsCallbackHasRun() throws Exception {
        Holding next = new Holding();
        InFlightHandler inFlight = new InFlightHandler(next);
        inFlight.start();
        try {
            AtomicReference<CompletableFuture<Void>> stop = new AtomicReference<>();
            AtomicBoolean stopDoneWhileCompleting = new AtomicBoolean();
            AtomicInteger completions = new AtomicInteger();
            Callback connection = new Callback() {
                @Override
                public void succeeded() {
                    completions.incrementAndGet();
                    stopDoneWhileCompleting.set(stop.get().isDone());
                }

                @Override
                public void failed(Throwable x) {
                    completions.incrementAndGet();
                    stopDoneWhileCompleting.set(stop.get().isDone());
                }
            };
            assertTrue(inFlight.handle(null, null, connection));
            assertEquals(1, inFlight.requestsInFlight());
            stop.set(inFlight.shutdown());
            assertFalse(stop.get().isDone(), "one request is in flight");
            next.held.get().succeeded();
            assertEquals(1, completions.get());
            assertFalse(stopDoneWhileCompleting.get(),
                    "the graceful stop completed before the in-flight request's own callback ran (it sends the response)");
            assertTrue(stop.get().isDone(), "once the callback has run, the stop is done");
        } finally {
            inFlight.stop();
        }
    }

    /** The same for a request that fails: the failure's own handling (an error response, a reset) is part of it. */
    @Test
    void theStopDoesNotEndBeforeAFailedRequestsCallbackHasRun() throws Exception {
        Holding next = new Holding();
        InFlightHandler inFlight = new InFlightHandler(next);
        inFlight.start();
        try {
            AtomicReference<CompletableFuture<Void>> stop = new AtomicReference<>();
            AtomicBoolean stopDoneWhileFailing = new AtomicBoolean();
            Callback connection = new Callback() {
                @Override
                public void failed(Throwable x) {
                    stopDoneWhileFailing.set(stop.get().isDone());
                }
            };
            assertTrue(inFlight.handle(null, null, connection));
            stop.set(inFlight.shutdown());
            next.held.get().failed(new java.io.IOException("client went away"));
            assertFalse(stopDoneWhileFailing.get(),
                    "the graceful stop completed before the failed request's own callback ran");
            assertTrue(stop.get().isDone());
        } finally {
            inFlight.stop();
        }
    }

    /**
     * A request that {@code handle} lets through (not answered 503) must be one the stop waits for.
     * InFlightHandler checks {@code isShutdown()} and only then counts the request in; Jetty's
     * GracefulHandler counts first and checks after. With check-then-count, a stop that begins between
     * the two finds nothing in flight and completes at once, while the request goes on to run inside
     * the handler of a server that is stopping. Bounded: at most 3 s or 200 000 races.
     */
    @Test
    void aRequestLetThroughIsAlwaysOneTheStopWaitsFor() throws Exception {
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger letThrough = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int races = 0;
        while (races < 200_000 && System.nanoTime() < end && violations.get() == 0) {
            races++;
            AtomicReference<CompletableFuture<Void>> stop = new AtomicReference<>();
            InFlightHandler[] self = new InFlightHandler[1];
            Handler next = new Handler.Abstract.NonBlocking() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    letThrough.incrementAndGet();
                    if (self[0].isShutdown()) {
                        CompletableFuture<Void> f;
                        while ((f = stop.get()) == null) {
                            Thread.onSpinWait(); // the stopping thread publishes it as shutdown() returns
                        }
                        if (f.isDone()) {
                            violations.incrementAndGet();
                        }
                    }
                    callback.succeeded();
                    return true;
                }
            };
            InFlightHandler inFlight = new InFlightHandler(next);
            self[0] = inFlight;
            inFlight.start();
            AtomicInteger ready = new AtomicInteger();
            Thread stopper = new Thread(() -> {
                ready.incrementAndGet();
                while (ready.get() < 2) {
                    Thread.onSpinWait();
                }
                stop.set(inFlight.shutdown());
            });
            stopper.start();
            ready.incrementAndGet();
            while (ready.get() < 2) {
                Thread.onSpinWait();
            }
            try {
                inFlight.handle(null, null, Callback.NOOP);
            } catch (NullPointerException refused) {
                // The 503 path writes to the (null) response: the request was refused, which is correct.
            }
            stopper.join();
            inFlight.stop();
        }
        assertEquals(0, violations.get(), "a request ran inside the handler after the stop had found nothing in flight"
                + " and completed (" + races + " races, " + letThrough.get() + " let through)");
    }
}
