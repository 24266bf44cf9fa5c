package dev.kvcache.http.server;

import dev.kvcache.http.KvHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second half of {@code --warm-up}: real HTTP/1.1 traffic, over loopback, through a twin of the server
 * (the same Jetty set-up and handler chain, built from the same configuration, but on 127.0.0.1 and an
 * ephemeral port, in cleartext, with its own throwaway cache and no snapshot), which stops before the real
 * listener opens. Two connections run: one pipelining 10 requests at a time, as the seed's load test does,
 * one sending a request at a time ({@link WarmUpTraffic}).
 *
 * <p>Why: the cache's own paths are warmed by {@link dev.kvcache.http.KvHandler#warmUp} in a fraction of a
 * second, but a request also runs Jetty's parser, generator, connection and handler code, several times
 * more than the cache's. Compiled under served load instead, that kept the JIT busy for about 10 s on a
 * 2-core machine, while the request thread took 12-16 us of CPU per request against 10-11 once compiled
 * (docs/benchmarks-http.md, "Session 13: warm before listening"). The twin runs the same classes, so what
 * the JIT learns from it holds for the real server.
 */
final class LoopbackWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackWarmUp.class);
    /** The twin has no requests left in flight once its clients stop; this bounds a stuck one. */
    private static final long STOP_TIMEOUT_MILLIS = 1_000;
    /** How long past the warm-up's end a connection may wait for its last answers before it is closed. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private LoopbackWarmUp() {}

    /**
     * The longest part of {@code --warm-up} spent on the cache's paths alone ({@link KvHandler#warmUp}); the
     * rest is loopback traffic, which then finds those paths' branches in the profile.
     */
    static final long STORE_WARM_UP_MILLIS = 300;

    /**
     * The whole {@code --warm-up}: {@code handler}'s cache paths, then loopback traffic through the twin
     * {@code twins} builds; logs what it did. Returns early, interrupt kept, if this thread is interrupted.
     */
    static void warmUp(KvHandler handler, long millis, Supplier<KvServer> twins) {
        long storeMillis = Math.min(STORE_WARM_UP_MILLIS, millis / 2);
        handler.warmUp(Duration.ofMillis(storeMillis));
        long loopbackMillis = millis - storeMillis;
        if (loopbackMillis <= 0 || Thread.currentThread().isInterrupted()) {
            return;
        }
        KvServer twin;
        try {
            twin = twins.get();
        } catch (RuntimeException e) { // only an optimisation: the start goes on without it
            LOG.info("Warmed up: {} ms on the cache alone; no loopback traffic, its server could not be built:"
                    + " {} (--warm-up)", storeMillis, e.toString());
            return;
        }
        long beginNanos = System.nanoTime();
        long answers = run(twin, twin.authToken(), TimeUnit.MILLISECONDS.toNanos(loopbackMillis));
        LOG.info("Warmed up: {} ms on the cache alone, then {} requests over loopback in {} ms (--warm-up)",
                storeMillis, answers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos));
    }

    /**
     * Starts {@code twin}, sends it traffic for {@code nanos} or until this thread is interrupted, and
     * stops it. Never throws: a twin that cannot start or a connection that fails ends the warm-up early.
     *
     * @param twin a server built by {@link KvServer#twin}, not started
     * @param token the bearer token its clients send, or {@code null}
     * @param nanos how long to send traffic
     * @return the answers read
     */
    static long run(KvServer twin, String token, long nanos) {
        if (nanos <= 0 || Thread.currentThread().isInterrupted()) {
            return 0;
        }
        Server jetty = twin.jetty();
        jetty.setStopTimeout(STOP_TIMEOUT_MILLIS);
        long answers = 0;
        try {
            jetty.start();
            var options = twin.handler().options();
            answers = traffic(twin.port(), token, System.nanoTime() + nanos, options.maxKeyBytes(),
                    options.maxValueBytes());
        } catch (Exception e) {
            LOG.debug("Loopback warm-up cut short", e);
        } finally {
            // A stop signal's interrupt is kept for Starting, but must not cut the twin's own stop short.
            boolean interrupted = Thread.interrupted();
            try {
                jetty.stop();
            } catch (Exception e) {
                LOG.debug("Loopback warm-up: its server did not stop cleanly", e);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return answers;
    }

    /**
     * Both connections' traffic until {@code deadline}, each on a thread of its own, so that this thread can
     * end them: at a stop (an interrupt of this thread, kept set) at once, and otherwise {@link #GRACE_NANOS}
     * after the deadline, for a connection whose answer never came (a twin that reached
     * {@code --max-connections}, say, leaves the second connection unread).
     */
    static long traffic(int port, String token, long deadline) {
        return traffic(port, token, deadline, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** As {@link #traffic(int, String, long)}, with keys and values within the server's limits. */
    static long traffic(int port, String token, long deadline, long maxKeyBytes, long maxValueBytes) {
        WarmUpTraffic[] connections = {new WarmUpTraffic(port, 10, token, 1, maxKeyBytes, maxValueBytes),
                new WarmUpTraffic(port, 1, token, 2, maxKeyBytes, maxValueBytes)};
        long[] answers = new long[connections.length];
        Thread[] threads = new Thread[connections.length];
        for (int i = 0; i < threads.length; i++) {
            int at = i;
            threads[i] = new Thread(() -> answers[at] = connections[at].run(deadline), "kvcache-warm-up");
            threads[i].setDaemon(true);
            threads[i].start();
        }
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                long left = deadline + GRACE_NANOS - System.nanoTime();
                if (interrupted || left <= 0) {
                    thread.interrupt(); // closes its channel: it returns at once
                }
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.max(left, 0))));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        long total = 0;
        for (int i = 0; i < connections.length; i++) {
            total += answers[i];
            if (connections[i].failure() != null) {
                LOG.debug("A loopback warm-up connection ended early: {}", connections[i].failure());
            }
        }
        return total;
    }
}
