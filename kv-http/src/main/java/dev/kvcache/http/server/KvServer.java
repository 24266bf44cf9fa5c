package dev.kvcache.http.server;

import dev.kvcache.core.Ticker;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.server.snapshot.SnapshotFile;
import dev.kvcache.http.server.snapshot.Snapshots;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone kvcache server: a Jetty {@link Server} whose only handler is a {@link KvHandler}.
 * Run it with {@code java -jar kv-http/target/kvcache-server.jar [flags]}; {@code --help} lists the
 * flags and their environment variables.
 *
 * <p>It logs through SLF4J (slf4j-simple in the server jar; to stderr, one line per event, INFO and up,
 * Jetty's own loggers at WARN), nothing per request unless {@code --access-log} is given. On SIGTERM or
 * SIGINT it shuts down gracefully: {@code /health} turns 503, the listener closes, requests in flight
 * get up to {@code --shutdown-timeout} to finish, and it logs what it did.
 *
 * <p>Security: with {@code --auth-token} every request but {@code /health} needs
 * {@code Authorization: Bearer <token>} ({@link BearerAuth}); without one, the server refuses to
 * listen on a non-loopback address unless {@code --insecure}. With {@code --tls-keystore} it serves
 * HTTPS (h2 and HTTP/1.1 by ALPN), otherwise cleartext HTTP/1.1 and h2c ({@link Connectors}).
 *
 * <p>Persistence: with {@code --snapshot FILE} it restores the entries from FILE before it listens,
 * and writes them back after it stopped serving on SIGTERM/SIGINT, and every
 * {@code --snapshot-interval} ({@link Snapshots}).
 *
 * <p>Exit status: 0 after a clean stop, SIGTERM or SIGINT included (not 143 or 130: the shutdown hook
 * halts with the stop's status once the stop completed), and for {@code --help}, {@code --version}
 * and {@code --print-config}; 1 if the server cannot start with a valid configuration (for example,
 * the port is taken, the keystore cannot be read, or the snapshot is corrupt); 2 for an invalid
 * configuration (a flag, variable or config-file line, a non-loopback address without a token or
 * {@code --insecure}); 3 if the stop's {@code --shutdown-timeout} cut requests off; 4 if the final
 * snapshot could not be written.
 */
public final class KvServer implements AutoCloseable {
    /** Exit status: stopped cleanly (also after SIGTERM or SIGINT), or --help, --version, --print-config. */
    static final int EXIT_OK = 0;
    /** Exit status: the server could not start with a valid configuration. */
    static final int EXIT_CANNOT_START = 1;
    /** Exit status: the configuration is invalid. */
    static final int EXIT_INVALID_CONFIG = 2;
    /** Exit status: stopped, but the shutdown timeout cut requests in flight off. */
    static final int EXIT_SHUTDOWN_TIMEOUT = 3;
    /** Exit status: stopped, but the final snapshot could not be written (the previous one is intact). */
    static final int EXIT_SNAPSHOT_FAILED = 4;

    private final ServerConfig config;
    private final Logger log = LoggerFactory.getLogger(KvServer.class);
    private final Server server;
    private final ServerConnector connector;
    private final InFlightHandler graceful;
    private final Http2BodyDrain drain;
    private final KvHandler handler;
    private final String authToken;
    private final Snapshots snapshots;
    private final Keystores.ServerCertificate certificate;
    /** The exit status of the stop, once {@link #stop()} ran; {@code -1} before. */
    private int stopStatus = -1;

    /**
     * Characters of the header lines each HTTP/1.1 connection's parser keeps, so that a client's repeated
     * lines (its {@code Host}, say) are not parsed again on every request. Jetty's default (1 024) builds a
     * trie of about 100 KB per connection, whose lookups miss the CPU caches once there are a thousand
     * connections (2.2 us a request against 0.8 at 100) and which 4 000 connections hold as about 400 MB;
     * none at all costs the pipelined seed workload a parse of its {@code Host} line and of its authority
     * on every request. This fits a few short lines in a few KB, and {@link HeaderCacheBudget} gives one to
     * at most {@value HeaderCacheBudget#CONNECTIONS} connections at once. Case-sensitive
     * ({@code setHeaderCacheCaseSensitive}): Jetty's cache otherwise matches a line in any case and hands the
     * request the cached line's value, so an {@code Authorization} line (one it caches) that differed from
     * an earlier one on the connection only in case would carry the earlier token.
     */
    static final int HEADER_CACHE_SIZE = 64;

    private KvServer(ServerConfig config, Ticker ticker, Clock clock) {
        this(config, ticker, clock, "kv-http");
    }

    private KvServer(ServerConfig config, Ticker ticker, Clock clock, String threadsName) {
        this.config = config;
        this.authToken = Secrets.authToken(config);
        String refusal = Secrets.protectedModeRefusal(config, authToken);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        // Flushes need the token, unless the operator says the network is trusted.
        this.handler = new KvHandler(config.handlerOptions().ticker(ticker)
                .allowFlush(authToken != null || config.allowFlush).build());

        QueuedThreadPool threads = new QueuedThreadPool(config.poolThreads, Math.min(8, config.poolThreads));
        threads.setReservedThreads(config.reservedThreads());
        threads.setName(threadsName);
        this.server = new Server(threads);
        server.setErrorHandler(new PlainErrorHandler(handler::countRefused));
        handler.addMetrics(JvmMetricsFamilies.shared());
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize((int) config.maxHeaderBytes);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setUriCompliance(Connectors.URI_COMPLIANCE); // copied into the HTTP/2 and TLS configurations
        http.addCustomizer(new SendHeldFirst(SendHeldFirst::mayTakeLong)); // copied into the TLS configuration
        http.setHeaderCacheSize(HEADER_CACHE_SIZE);
        http.setHeaderCacheCaseSensitive(true); // see HEADER_CACHE_SIZE: a cached value never stands for another
        this.certificate = config.tlsKeystore == null
                ? null
                : Keystores.open(Path.of(config.tlsKeystore), Secrets.tlsPassword(config));
        this.connector = certificate == null
                ? Connectors.cleartext(server, http, config.acceptors, config.selectors, (int) config.pipelineBatch)
                : Connectors.tls(server, http, config.acceptors, config.selectors, config.tlsKeystore,
                        certificate.password(), (int) config.pipelineBatch);
        connector.setHost(config.listenAddress().bindHost()); // "*": no host, every interface
        connector.setPort(config.port);
        connector.setIdleTimeout(config.idleTimeoutMillis);
        // The JDK's default listen backlog (50) overflows when hundreds of clients connect at once: the
        // kernel then drops their handshakes, and they retry after a second or more (wrk timeouts).
        connector.setAcceptQueueSize(config.acceptQueue);
        server.addConnector(connector);
        // Past the limit Jetty stops accepting, so new connections wait in the accept queue, rather
        // than the process running out of file descriptors.
        server.addBean(new NetworkConnectionLimit(config.maxConnections, connector));

        // Counts requests in flight, and answers 503 to new ones once a graceful stop has begun.
        Handler served = authToken == null ? handler : new BearerAuth(handler, authToken, config.protectMetrics,
                handler::countRefused);
        // The drain wraps the callback outside the count's, so that the refusals of every handler inside
        // (503, 401, 413, ...) are drained; it is no handler level of its own.
        this.drain = new Http2BodyDrain(Http2BodyDrain.capFor(config.maxValueBytes),
                TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMillis), ticker);
        this.graceful = new InFlightHandler(served, drain);
        server.setHandler(graceful);
        server.setStopTimeout(config.shutdownTimeoutMillis);
        if (config.accessLog) {
            server.setRequestLog(new AccessLog());
        }
        this.snapshots = config.snapshot == null
                ? null
                : new Snapshots(Path.of(config.snapshot), handler, clock, config.snapshotIntervalMillis);
    }

    /**
     * Starts a server; the first two log lines are the Go server's.
     *
     * @param config the configuration
     * @param ticker the cache's clock ({@link Ticker#system()} in production, a fake one in tests)
     * @return the started server
     * @throws IllegalArgumentException if a secret file cannot be read, or the host is not a loopback
     *     address while there is neither a token nor {@code --insecure} (the message says why)
     * @throws SnapshotFile.CorruptException if the snapshot is corrupt and not to be ignored
     * @throws Exception if Jetty cannot start (for example, the port is taken or the keystore unreadable)
     */
    static KvServer start(ServerConfig config, Ticker ticker) throws Exception {
        return start(config, ticker, Clock.systemUTC());
    }

    /** As {@link #start(ServerConfig, Ticker)}, with the wall clock that snapshots are dated by. */
    static KvServer start(ServerConfig config, Ticker ticker, Clock clock) throws Exception {
        return start(config, ticker, clock, new Starting());
    }

    /**
     * As {@link #start(ServerConfig, Ticker, Clock)}; a {@link Starting#requestStop() stop requested} during
     * the start (a signal) cuts the warm-up short and keeps the listener closed: the server then returned
     * never listened, and {@link #stop()} stops it as it would a started one.
     */
    static KvServer start(ServerConfig config, Ticker ticker, Clock clock, Starting starting) throws Exception {
        long beginNanos = System.nanoTime();
        KvServer kv = new KvServer(config, ticker, clock);
        kv.log.info("cache expire time: {}ms", config.ttlMillis);
        kv.log.info("Starting server on {} ...", config.port);
        kv.log.info(StartupLog.runtime());
        if (!config.listenAddress().loopbackOnly()) {
            if (kv.authToken == null) {
                kv.log.warn("Listening on {} without authentication (--insecure): anyone who can reach this port"
                        + " can read, overwrite and delete every key", config.host);
            } else if (config.tlsKeystore == null) {
                kv.log.warn("Listening on {} without TLS: the token and the values travel in cleartext; use"
                        + " --tls-keystore, or a TLS-terminating proxy on a trusted network", config.host);
            }
        }
        if (kv.certificate != null) {
            StartupLog.Line line = StartupLog.certificate(kv.certificate, clock.instant());
            if (line.warning()) {
                kv.log.warn(line.text());
            } else {
                kv.log.info(line.text());
            }
        }
        if (kv.snapshots != null) {
            // Before the listener opens, so that no request sees a partly restored cache.
            kv.snapshots.restore(config.snapshotIgnoreCorrupt);
        }
        // Before the listener opens, on throwaway caches: see KvHandler.warmUp and LoopbackWarmUp.
        if (!starting.warmUp(() -> kv.warmUp(ticker, clock))) {
            kv.log.info("Stop requested during the start: not opening the listener");
            return kv;
        }
        try {
            kv.server.start();
        } catch (Exception e) {
            kv.server.stop();
            if (kv.snapshots != null) {
                kv.snapshots.close();
            }
            throw bindFailure(e, config).orElseThrow(() -> e);
        }
        if (kv.snapshots != null) {
            kv.snapshots.startPeriodic();
        }
        String descriptors = StartupLog.descriptorWarning(config.maxConnections);
        if (descriptors != null) {
            kv.log.warn(descriptors);
        }
        kv.log.info(StartupLog.listening(config, kv.handler.options(), kv.port(), kv.authToken != null,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos)));
        return kv;
    }

    /** Runs {@code --warm-up}: the cache's paths, then loopback HTTP traffic through a twin of this server. */
    private void warmUp(Ticker ticker, Clock clock) {
        LoopbackWarmUp.warmUp(handler, config.warmUpMillis, () -> twin(config, authToken, ticker, clock));
    }

    /** @return the loopback warm-up's twin of a server with {@code config}: built, not started */
    static KvServer twin(ServerConfig config, Ticker ticker, Clock clock) {
        return twin(config, Secrets.authToken(config), ticker, clock);
    }

    /**
     * @param token the token the server resolved from {@code config} when it was built, which the twin takes
     *     rather than read {@code --auth-token-file} again
     * @return the loopback warm-up's twin of a server with {@code config}: built, not started
     */
    static KvServer twin(ServerConfig config, String token, Ticker ticker, Clock clock) {
        KvServer twin = new KvServer(config.forWarmUp(token), ticker, clock, "kvcache-warm-up-http");
        ((QueuedThreadPool) twin.server.getThreadPool()).setDaemon(true); // a stop cut short leaks none that block exit
        return twin;
    }

    /** @return the Jetty server, not started until {@link #start} starts it */
    Server jetty() {
        return server;
    }

    /** @return a message naming the flags, if the listener could not bind its address */
    private static java.util.Optional<IllegalStateException> bindFailure(Exception e, ServerConfig config) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.BindException bind) {
                String message = String.valueOf(bind.getMessage());
                return java.util.Optional.of(new IllegalStateException(message.contains("in use")
                        ? "port " + config.port + " on " + config.host + " is already in use (--port, --host): stop"
                                + " the process that holds it, or choose another port"
                        : "cannot listen on port " + config.port + " of " + config.host + " (--port, --host): "
                                + message + "; is the address one of this machine's?"));
            }
        }
        return java.util.Optional.empty();
    }

    /** @return the port the server listens on (the actual one when configured with 0) */
    int port() {
        return connector.getLocalPort();
    }

    /** Stops or resumes accepting connections, leaving new ones in the accept queue (tests). */
    void setAccepting(boolean accepting) {
        connector.setAccepting(accepting);
    }

    /**
     * Sets how long a connection may stay idle once a stop has begun (Jetty's default: 1 s), after which
     * the connector closes it (tests: a stop with nothing in flight need not wait for a client's kept-alive
     * connection).
     */
    void setShutdownIdleTimeout(long millis) {
        connector.setShutdownIdleTimeout(millis);
    }

    /** @return the bearer token this server requires, or {@code null} */
    String authToken() {
        return authToken;
    }

    KvHandler handler() {
        return handler;
    }

    /** @return the connections open on the listening connector now */
    java.util.Collection<org.eclipse.jetty.io.EndPoint> connectedEndPoints() {
        return connector.getConnectedEndPoints();
    }

    /** @return the bytes of refused HTTP/2 request bodies read and discarded so far */
    long drainedBytes() {
        return drain.drainedBytes();
    }

    /** @return the requests the server is handling now */
    long requestsInFlight() {
        return graceful.requestsInFlight();
    }

    /**
     * Stops gracefully: {@code /health} turns 503; after {@code --shutdown-delay} the listener closes;
     * requests in flight get up to {@code --shutdown-timeout} to finish; then everything stops, and the
     * snapshot, if any, is written. Idempotent; logs each step.
     */
    @Override
    public void close() {
        stop();
    }

    /**
     * Stops as {@link #close()} does.
     *
     * @return the process's exit status for this stop: {@link #EXIT_OK} if every request in flight
     *     completed and the snapshot, if any, was written; {@link #EXIT_SHUTDOWN_TIMEOUT} if the
     *     timeout cut requests off; {@link #EXIT_SNAPSHOT_FAILED} if the snapshot could not be written
     *     (which wins over a timeout); the same status on later calls
     */
    synchronized int stop() {
        if (stopStatus >= 0) {
            return stopStatus;
        }
        long beginNanos = System.nanoTime();
        log.info("Shutting down: /health answers 503 from now on; {} request(s) in flight, allowing {} ms for them",
                graceful.requestsInFlight(), config.shutdownTimeoutMillis);
        // Let the watches' answers out before the connectors close (an HTTP/2 GOAWAY first, and java.net.http
        // on JDK 17 drops the streams it had open); bounded, a stuck client must not hold the stop up.
        try {
            handler.shutdown().get(Math.min(1_000, config.shutdownTimeoutMillis), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            log.warn("Watches still answering after {} ms; stopping anyway", Math.min(1_000, config.shutdownTimeoutMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean timedOut = false;
        try {
            if (config.shutdownDelayMillis > 0) {
                log.info("Still serving for {} ms (--shutdown-delay) before closing the listener",
                        config.shutdownDelayMillis);
                Thread.sleep(config.shutdownDelayMillis);
            }
            server.stop();
        } catch (TimeoutException e) {
            timedOut = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Error while stopping: {}", e.toString());
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos);
        if (timedOut) {
            log.warn("Stopped in {} ms; the shutdown timeout ({} ms) expired with requests in flight, and their"
                    + " connections were closed", millis, config.shutdownTimeoutMillis);
        } else {
            log.info("Stopped in {} ms; every request in flight completed", millis);
        }
        stopStatus = timedOut ? EXIT_SHUTDOWN_TIMEOUT : EXIT_OK;
        if (snapshots != null) {
            // After the server stopped: every acknowledged write is in the cache, and no more come.
            snapshots.stopPeriodic();
            try {
                snapshots.save();
            } catch (Exception e) {
                log.error("Could not write the snapshot to {}: {}; the previous one, if any, is intact",
                        config.snapshot, e.toString());
                stopStatus = EXIT_SNAPSHOT_FAILED;
            }
            snapshots.close(); // after the last write: the lock goes, for the next server
        }
        return stopStatus;
    }

    /** Blocks until the server has stopped. */
    void join() throws InterruptedException {
        server.join();
    }

}
