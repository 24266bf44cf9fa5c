package dev.kvcache.http;

import dev.kvcache.core.Ticker;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.Slf4jRequestLogWriter;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

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
 * <p>Exit status: 0 after a shutdown or for {@code --help}/{@code --version}; 2 for invalid flags;
 * 1 if the server cannot start (for example, the port is taken).
 */
public final class KvServer implements AutoCloseable {
    private final ServerConfig config;
    private final Logger log = LoggerFactory.getLogger(KvServer.class);
    private final Server server;
    private final ServerConnector connector;
    private final GracefulHandler graceful;
    private final KvHandler handler;
    private boolean closed;

    private KvServer(ServerConfig config, Ticker ticker) {
        this.config = config;
        this.handler = new KvHandler(config.handlerOptions().ticker(ticker).build());

        QueuedThreadPool threads = new QueuedThreadPool(config.threads, Math.min(8, config.threads));
        threads.setName("kv-http");
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize((int) config.maxHeaderBytes);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host);
        connector.setPort(config.port);
        connector.setIdleTimeout(config.idleTimeoutMillis);
        server.addConnector(connector);

        // Counts requests in flight, and answers 503 to new ones once a graceful stop has begun.
        this.graceful = new GracefulHandler(handler);
        server.setHandler(graceful);
        server.setStopTimeout(config.shutdownTimeoutMillis);
        if (config.accessLog) {
            Slf4jRequestLogWriter writer = new Slf4jRequestLogWriter();
            writer.setLoggerName("dev.kvcache.http.access");
            server.setRequestLog(new CustomRequestLog(writer, CustomRequestLog.EXTENDED_NCSA_FORMAT));
        }
    }

    /**
     * Starts a server; the first two log lines are the Go server's.
     *
     * @param config the configuration
     * @param ticker the cache's clock ({@link Ticker#coarse()} in production, a fake one in tests)
     * @return the started server
     * @throws Exception if Jetty cannot start (for example, the port is taken)
     */
    static KvServer start(ServerConfig config, Ticker ticker) throws Exception {
        KvServer kv = new KvServer(config, ticker);
        kv.log.info("cache expire time: {}ms", config.ttlMillis);
        kv.log.info("Starting server on {} ...", config.port);
        if (config.allInterfaces()) {
            kv.log.warn("Listening on every interface (--host {}): the API has no authentication;"
                    + " anyone who can reach this port can read, overwrite and delete every key", config.host);
        }
        try {
            kv.server.start();
        } catch (Exception e) {
            kv.server.stop();
            throw e;
        }
        KvHandlerOptions options = kv.handler.options();
        kv.log.info("Listening on http://{}:{} (max key {} B, max value {} B, max {} entries / {} B,"
                        + " {} threads, idle timeout {} ms, access log {})",
                config.host, kv.port(), options.maxKeyBytes(), options.maxValueBytes(), options.maxEntries(),
                options.maxBytes(), config.threads, config.idleTimeoutMillis, config.accessLog ? "on" : "off");
        return kv;
    }

    /** @return the port the server listens on (the actual one when configured with 0) */
    int port() {
        return connector.getLocalPort();
    }

    KvHandler handler() {
        return handler;
    }

    /** @return the requests the server is handling now */
    long requestsInFlight() {
        return graceful.getCurrentRequestCount();
    }

    /**
     * Stops gracefully: {@code /health} turns 503; after {@code --shutdown-delay} the listener closes;
     * requests in flight get up to {@code --shutdown-timeout} to finish; then everything stops.
     * Idempotent; logs each step.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long beginNanos = System.nanoTime();
        log.info("Shutting down: /health answers 503 from now on; {} request(s) in flight, allowing {} ms for them",
                graceful.getCurrentRequestCount(), config.shutdownTimeoutMillis);
        handler.shutdown();
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
    }

    /** Blocks until the server has stopped. */
    void join() throws InterruptedException {
        server.join();
    }

    /**
     * Parses the flags (and {@code KV_*} environment variables), starts the server, and serves until
     * SIGTERM or SIGINT.
     *
     * @param args the command-line flags; {@code --help} lists them
     */
    public static void main(String[] args) {
        configureLogging();
        int status = run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the command line; returns the exit status once the server has stopped (or failed to start). */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = ServerConfig.commandLine(env).setOut(out).setErr(err);
        try {
            ServerConfig.parse(commandLine, args);
        } catch (CommandLine.ParameterException e) {
            err.println(e.getMessage());
            err.println("Try 'java -jar kvcache-server.jar --help' for the flags.");
            return 2;
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(out);
            return 0;
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(out);
            return 0;
        }
        KvServer kv;
        try {
            kv = start(commandLine.getCommand(), Ticker.coarse());
        } catch (Exception e) {
            LoggerFactory.getLogger(KvServer.class).error("Cannot start: {}", e.toString());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(kv::close, "kv-shutdown"));
        try {
            kv.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kv.close();
        }
        return 0;
    }

    /** Defaults for slf4j-simple, set before the first logger exists; {@code -D} flags override them. */
    private static void configureLogging() {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "false");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
