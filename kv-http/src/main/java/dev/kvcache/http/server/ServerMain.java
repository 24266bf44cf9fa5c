package dev.kvcache.http.server;

import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.server.snapshot.SnapshotFile;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The server's command line, {@code java -jar kvcache-server.jar}: parses the flags, {@code KV_*}
 * variables and config file, answers {@code --help}, {@code --version} and {@code --print-config}, starts a
 * {@link KvServer}, serves until SIGTERM or SIGINT and exits with the status {@link KvServer} describes.
 */
public final class ServerMain {
    private ServerMain() {}

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
            return KvServer.EXIT_INVALID_CONFIG;
        }
        if (commandLine.isUsageHelpRequested()) {
            HelpText.print(HelpText.width(env), out);
            return KvServer.EXIT_OK;
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(out);
            return KvServer.EXIT_OK;
        }
        ServerConfig config = commandLine.getCommand();
        if (config.printConfig) {
            ((ConfigSources) commandLine.getDefaultValueProvider()).print(commandLine, out);
            return KvServer.EXIT_OK;
        }
        try {
            String token = Secrets.authToken(config);
            String refusal = Secrets.protectedModeRefusal(config, token);
            if (refusal != null) {
                err.println(refusal);
                return KvServer.EXIT_INVALID_CONFIG;
            }
            // Each secret file is read once, here, so that one it cannot read is a configuration error (exit 2)
            // and the server does not read the files again.
            config = config.withSecrets(token, Secrets.tlsPassword(config));
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return KvServer.EXIT_INVALID_CONFIG;
        }
        // A JVM ended by a signal exits 128 + the signal (143, 130) once its hooks finish; halting from the
        // hook after a complete stop reports the stop's own status instead, 0 for a clean one. Registered
        // before the start, so that a signal during it (or just after the listener opened) still stops
        // gracefully: the hook waits for the start to end, and never saves a half-restored snapshot. It first
        // cuts a warm-up short and keeps the listener closed (Starting): a --warm-up of 10 s must not hold
        // the stop up, nor the port open after a SIGTERM.
        CompletableFuture<KvServer> started = new CompletableFuture<>();
        Starting starting = new Starting();
        Thread hook = new Thread(() -> {
            starting.requestStop(); // a warm-up in progress ends now, and the listener stays closed
            KvServer server = started.join();
            if (server != null) {
                Runtime.getRuntime().halt(server.stop());
            }
        }, "kv-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        KvServer kv = null;
        try {
            kv = KvServer.start(config, KvHandlerOptions.defaults().ticker(), Clock.systemUTC(), starting);
        } catch (IllegalArgumentException | IllegalStateException | SnapshotFile.CorruptException e) {
            LoggerFactory.getLogger(KvServer.class).error("Cannot start: {}", e.getMessage());
            return cannotStart(started, hook);
        } catch (Exception e) {
            LoggerFactory.getLogger(KvServer.class).error("Cannot start: {}", e.toString());
            return cannotStart(started, hook);
        } finally {
            started.complete(kv); // null if the start failed, an Error included: the hook must never wait forever
        }
        try {
            kv.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return kv.stop();
        }
        return kv.stop();
    }


    private static int cannotStart(CompletableFuture<KvServer> started, Thread hook) {
        started.complete(null);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // A signal came during the start: the JVM is shutting down, and the hook has nothing to stop.
        }
        return KvServer.EXIT_CANNOT_START;
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
