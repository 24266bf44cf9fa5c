package dev.kvcache.http.server;

import dev.kvcache.http.KvHandlerOptions;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The standalone server's configuration: command-line flags, each also settable from an environment
 * variable named after its long flag ({@code --max-key-bytes} is {@code KV_MAX_KEY_BYTES}). A flag
 * given on the command line wins over the environment, which wins over the default. The defaults
 * reproduce the Go server (port 8081, TTL 10 000 ms) except the host, 127.0.0.1 rather than every
 * interface: authentication ({@code --auth-token}) is optional, and a server reachable from other
 * machines without it must be asked for explicitly ({@code --insecure}).
 */
@Command(
        name = "kvcache-server",
        mixinStandardHelpOptions = true,
        versionProvider = ServerConfig.Version.class,
        description = {
            "An HTTP key-value cache whose entries expire a time-to-live after their last write.",
            "Compatible with the Go \"Simple HTTP KV server\": POST /{key} stores, GET /{key} reads,"
                    + " POST /size counts.",
            "Every flag can also be set by the environment variable shown with it, or by that name in a --config"
                    + " file. Precedence: flag, then environment, then file, then default."})
final class ServerConfig implements Cloneable {
    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "8081", converter = Converters.Port.class,
            description = "TCP port to listen on; 0 picks a free one. Env KV_PORT. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on. 0.0.0.0 exposes the server on every interface; a non-loopback"
                    + " address needs --auth-token (or --insecure). Env KV_HOST. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "10000ms", converter = Converters.Duration.class,
            description = "Time-to-live of entries written without their own (1500ms, 10s, 1m, 2h; a bare number"
                    + " is milliseconds). Env KV_TTL. Default: ${DEFAULT-VALUE}.")
    long ttlMillis;

    @Option(names = "--max-key-bytes", paramLabel = "BYTES", defaultValue = "250", converter = Converters.Size.class,
            description = "Longest key accepted, UTF-8 bytes (longer: 414). Env KV_MAX_KEY_BYTES."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxKeyBytes;

    @Option(names = "--max-value-bytes", paramLabel = "BYTES", defaultValue = "1MiB", converter = Converters.Size.class,
            description = "Largest value accepted (larger: 413, refused without buffering it)."
                    + " Env KV_MAX_VALUE_BYTES. Default: ${DEFAULT-VALUE}.")
    long maxValueBytes;

    @Option(names = "--max-header-bytes", paramLabel = "BYTES", defaultValue = "8KiB",
            converter = Converters.Size.class,
            description = "Largest request line plus headers (larger: 431, or 414 for the request line)."
                    + " Env KV_MAX_HEADER_BYTES. Default: ${DEFAULT-VALUE}.")
    long maxHeaderBytes;

    @Option(names = "--max-entries", paramLabel = "COUNT", defaultValue = "2000000", converter = Converters.Size.class,
            description = "Most entries held; beyond, entries are evicted (S3-FIFO). Env KV_MAX_ENTRIES."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxEntries;

    @Option(names = "--max-bytes", paramLabel = "BYTES|PERCENT%", defaultValue = "25%",
            converter = Converters.HeapShareOrSize.class,
            description = "Most bytes held (keys + values + about 256 B per entry); beyond, entries are evicted."
                    + " A size, or a"
                    + " percentage of the maximum heap (-Xmx). Env KV_MAX_BYTES. Default: ${DEFAULT-VALUE} of the"
                    + " heap.")
    long maxBytes;

    @Option(names = "--miss-status", paramLabel = "STATUS", defaultValue = "404",
            description = "Status of a GET of a missing or expired key, with an empty body: 404, or 200 exactly as the"
                    + " Go server (its load tools then count no \"non 2xx\"). Env KV_MISS_STATUS."
                    + " Default: ${DEFAULT-VALUE}.")
    int missStatus;

    @Option(names = "--max-list-limit", paramLabel = "COUNT", defaultValue = "1000", converter = Converters.Count.class,
            description = "Largest limit of a key listing's page (GET /kv/?limit=N); a page examines at most ten times"
                    + " as many keys. Env KV_MAX_LIST_LIMIT. Default: ${DEFAULT-VALUE}.")
    int maxListLimit;

    @Option(names = "--max-list-cursors", paramLabel = "COUNT", defaultValue = "1024",
            converter = Converters.Count.class,
            description = "Most key listings open at once, each a server-side cursor (more: 429)."
                    + " Env KV_MAX_LIST_CURSORS. Default: ${DEFAULT-VALUE}.")
    int maxListCursors;

    @Option(names = "--list-cursor-idle", paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.Duration.class,
            description = "A listing's cursor expires this long after its last page (then: 400)."
                    + " Env KV_LIST_CURSOR_IDLE. Default: ${DEFAULT-VALUE}.")
    long listCursorIdleMillis;

    @Option(names = "--max-watchers", paramLabel = "COUNT", defaultValue = "4096", converter = Converters.Count.class,
            description = "Most watches (GET /kv/{key}?index=V&wait=D) waiting at once (more: 429)."
                    + " Env KV_MAX_WATCHERS. Default: ${DEFAULT-VALUE}.")
    int maxWatchers;

    @Option(names = "--watch-max-wait", paramLabel = "DURATION", defaultValue = "5m",
            converter = Converters.Duration.class,
            description = "Longest wait a watch may ask for (longer: 400); the default wait is 30s or this, if"
                    + " shorter. Env KV_WATCH_MAX_WAIT. Default: ${DEFAULT-VALUE}.")
    long watchMaxWaitMillis;

    @Option(names = "--batch-max-items", paramLabel = "COUNT", defaultValue = "1000", converter = Converters.Count.class,
            description = "Most items of one batch (POST /kv/; more: 413). Env KV_BATCH_MAX_ITEMS."
                    + " Default: ${DEFAULT-VALUE}.")
    int batchMaxItems;

    @Option(names = "--batch-max-bytes", paramLabel = "BYTES", defaultValue = "4MiB", converter = Converters.Size.class,
            description = "Largest batch body (more: 413), and the most value bytes one batch answer carries."
                    + " Env KV_BATCH_MAX_BYTES. Default: ${DEFAULT-VALUE}.")
    long batchMaxBytes;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = Converters.Duration.class,
            description = "Close connections idle this long. Env KV_IDLE_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    long idleTimeoutMillis;

    @Option(names = "--threads", paramLabel = "COUNT", defaultValue = "32", converter = Converters.Count.class,
            description = "Most threads serving connections (the handler never blocks, so few suffice; 8 to 10000)."
                    + " Env KV_THREADS. Default: ${DEFAULT-VALUE}.")
    int threads;

    /** Past this a typo (an extra zero) would let the pool start more threads than a JVM can hold. */
    static final int MAX_THREADS = 10_000;

    /** Pool threads beyond Jetty's own when the pool grows past the default --threads. */
    static final int SPARE_THREADS = 8;

    /** The pool's size: {@link #threads}, or with the default on many processors enough for Jetty's own threads. */
    int poolThreads;

    /**
     * @return the pool's reserved threads, set explicitly (Jetty's heuristic, one per 8 threads up to the
     *     processors, at least 1), so that the count of the threads Jetty keeps is known before it starts
     */
    int reservedThreads() {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), threads / 8));
    }

    @Option(names = "--accept-queue", paramLabel = "COUNT", defaultValue = "4096", converter = Converters.Count.class,
            description = "Connections the kernel may hold for the server before it accepts them (listen backlog;"
                    + " Linux caps it at net.core.somaxconn). Too small, and a burst of new connections has some"
                    + " refused or delayed by seconds. Env KV_ACCEPT_QUEUE. Default: ${DEFAULT-VALUE}.")
    int acceptQueue;

    @Option(names = "--pipeline-batch", paramLabel = "BYTES", defaultValue = "16KiB", converter = Converters.Size.class,
            description = "Answers to pipelined HTTP/1.1 requests that may wait, up to this many bytes, for the"
                    + " rest of the requests already read, to go out in one write (0: one write per answer)."
                    + " Env KV_PIPELINE_BATCH. Default: ${DEFAULT-VALUE}.")
    long pipelineBatch;

    @Option(names = "--acceptors", paramLabel = "COUNT", defaultValue = "1", converter = Converters.Count.class,
            description = "Threads accepting new connections. Env KV_ACCEPTORS. Default: ${DEFAULT-VALUE}.")
    int acceptors;

    @Option(names = "--selectors", paramLabel = "COUNT", defaultValue = "0", converter = Converters.Count.class,
            description = "Threads watching the open connections for bytes to read (0: half the processors, at"
                    + " least 1). Env KV_SELECTORS. Default: ${DEFAULT-VALUE}.")
    int selectors;

    @Option(names = "--max-connections", paramLabel = "COUNT", defaultValue = "16384", converter = Converters.Count.class,
            description = "Most connections open at once; beyond, new ones wait in the accept queue until one"
                    + " closes. Each takes a file descriptor: the process needs ulimit -n above this."
                    + " Env KV_MAX_CONNECTIONS. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.Duration.class,
            description = "On SIGTERM/SIGINT, how long to let requests in flight finish."
                    + " Env KV_SHUTDOWN_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    long shutdownTimeoutMillis;

    @Option(names = "--shutdown-delay", paramLabel = "DURATION", defaultValue = "0",
            converter = Converters.DurationOrZero.class,
            description = "On SIGTERM/SIGINT, how long to keep serving with /health answering 503 before"
                    + " closing the listener, so load balancers can notice. Env KV_SHUTDOWN_DELAY."
                    + " Default: ${DEFAULT-VALUE}.")
    long shutdownDelayMillis;

    @Option(names = "--warm-up", paramLabel = "DURATION", defaultValue = "3s",
            converter = Converters.DurationOrZero.class,
            description = "Before opening the port, run the cache's paths (up to 300ms) and then loopback HTTP"
                    + " traffic through a throwaway twin of the server for this long in all, so that the JIT has"
                    + " compiled the request path before the first client arrives (0: none; at most 10s)."
                    + " Env KV_WARM_UP. Default: ${DEFAULT-VALUE}.")
    long warmUpMillis;

    /** Longer would only delay the start: by then the request path is compiled. */
    static final long MAX_WARM_UP_MILLIS = 10_000;

    @Option(names = "--access-log", negatable = true, defaultValue = "false", fallbackValue = "true",
            converter = Converters.Bool.class,
            description = "Log every request (NCSA combined fields without a second timestamp, then the time"
                    + " taken; logger dev.kvcache.http.access)."
                    + " Env KV_ACCESS_LOG=true. Default: ${DEFAULT-VALUE}.")
    boolean accessLog;

    @Option(names = "--auth-token", paramLabel = "TOKEN",
            description = "Require 'Authorization: Bearer TOKEN' on every request but /health (others get 401)."
                    + " Prefer the variable or --auth-token-file: a flag shows in the process list."
                    + " Env KV_AUTH_TOKEN. Default: none.")
    String authToken;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
            description = "Read the token from FILE (surrounding whitespace ignored). Env KV_AUTH_TOKEN_FILE.")
    String authTokenFile;

    @Option(names = "--protect-metrics", negatable = true, defaultValue = "true", fallbackValue = "true",
            converter = Converters.Bool.class,
            description = "With a token, also require it for /metrics and /stats (--no-protect-metrics leaves"
                    + " them open to scrapers). Env KV_PROTECT_METRICS. Default: ${DEFAULT-VALUE}.")
    boolean protectMetrics;

    @Option(names = "--allow-flush", defaultValue = "false", fallbackValue = "true",
            converter = Converters.Bool.class,
            description = "Allow DELETE /kv/?prefix=P and ?all without an --auth-token (with one, flushes are"
                    + " allowed to its holders). Env KV_ALLOW_FLUSH=true. Default: ${DEFAULT-VALUE}.")
    boolean allowFlush;

    @Option(names = "--insecure", defaultValue = "false", fallbackValue = "true",
            converter = Converters.Bool.class,
            description = "Allow listening on a non-loopback address without a token (refused otherwise)."
                    + " Env KV_INSECURE=true. Default: ${DEFAULT-VALUE}.")
    boolean insecure;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "Serve HTTPS (HTTP/1.1 and h2 by ALPN) with the key and certificate in this PKCS12 file."
                    + " Env KV_TLS_KEYSTORE. Default: none (cleartext HTTP/1.1 and h2c).")
    String tlsKeystore;

    @Option(names = "--tls-password", paramLabel = "PASSWORD",
            description = "Password of the keystore. Prefer the variable or --tls-password-file."
                    + " Env KV_TLS_PASSWORD.")
    String tlsPassword;

    @Option(names = "--tls-password-file", paramLabel = "FILE",
            description = "Read the keystore password from FILE (surrounding whitespace ignored)."
                    + " Env KV_TLS_PASSWORD_FILE.")
    String tlsPasswordFile;

    @Option(names = "--snapshot", paramLabel = "FILE",
            description = "Restore the entries from FILE at start, and write them to it on shutdown"
                    + " (and every --snapshot-interval); one server per FILE (a lock on FILE.lock). Env KV_SNAPSHOT."
                    + " Default: none.")
    String snapshot;

    @Option(names = "--snapshot-interval", paramLabel = "DURATION", defaultValue = "0",
            converter = Converters.DurationOrZero.class,
            description = "Also write the snapshot this often; 0: only on shutdown. Env KV_SNAPSHOT_INTERVAL."
                    + " Default: ${DEFAULT-VALUE}.")
    long snapshotIntervalMillis;

    @Option(names = "--snapshot-ignore-corrupt", defaultValue = "false", fallbackValue = "true",
            converter = Converters.Bool.class,
            description = "Start empty when the snapshot is corrupt (it is kept aside as FILE.corrupt, or FILE.corrupt.N"
                    + " with the lowest N free) instead of"
                    + " refusing to start. Env KV_SNAPSHOT_IGNORE_CORRUPT=true. Default: ${DEFAULT-VALUE}.")
    boolean snapshotIgnoreCorrupt;

    @Option(names = ConfigSources.CONFIG, paramLabel = "FILE",
            description = "Read settings from FILE: one NAME=VALUE a line with the variables' names"
                    + " (KV_PORT=8081), # comments; flags and variables win over it. Env KV_CONFIG.")
    String config;

    @Option(names = ConfigSources.PRINT_CONFIG,
            description = "Print every setting with where it came from (flag, environment, file:line or"
                    + " default), secrets masked, and exit without starting.")
    boolean printConfig;

    /**
     * Parses arguments with {@code env} as the second source of values.
     *
     * @return the config
     * @throws CommandLine.ParameterException if a flag or variable is unknown or invalid
     */
    static ServerConfig parse(String[] args, Map<String, String> env) {
        return parse(commandLine(env), args);
    }

    /**
     * Parses arguments into {@code commandLine}'s config (from {@link #commandLine}).
     *
     * @return the config; check {@code commandLine}'s help and version requests before using it
     * @throws CommandLine.ParameterException if a flag or variable is unknown or invalid
     */
    static ServerConfig parse(CommandLine commandLine, String[] args) {
        ConfigSources sources = (ConfigSources) commandLine.getDefaultValueProvider();
        sources.reset();
        parseArgs(commandLine, sources, args);
        ServerConfig named = commandLine.getCommand();
        if (named.config != null) {
            OptionSpec option = commandLine.getCommandSpec().findOption(ConfigSources.CONFIG);
            String label = sources.source(option, commandLine.getParseResult().hasMatchedOption(option)).label(option);
            sources.readFile(commandLine, java.nio.file.Path.of(named.config), label);
            // Again, with the file behind the flags and the environment.
            parseArgs(commandLine, sources, args);
        }
        ServerConfig config = commandLine.getCommand();
        if (!commandLine.isUsageHelpRequested() && !commandLine.isVersionHelpRequested()) {
            ConfigRules.check(config, commandLine);
        }
        return config;
    }

    private static void parseArgs(CommandLine commandLine, ConfigSources sources, String[] args) {
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw sources.explain(e);
        }
    }

    static CommandLine commandLine(Map<String, String> env) {
        CommandLine commandLine = new CommandLine(new ServerConfig());
        commandLine.setDefaultValueProvider(new ConfigSources(env));
        return commandLine;
    }

    /** @return the environment variable of an option: {@code --max-key-bytes} gives {@code KV_MAX_KEY_BYTES} */
    static String environmentVariable(OptionSpec option) {
        return ConfigSources.environmentVariable(option);
    }

    /** @return the address {@code --host} names */
    ListenAddress listenAddress() {
        return new ListenAddress(host);
    }

    /**
     * @param token the bearer token read once from {@code --auth-token-file} (or given), or {@code null}
     * @param tlsPassword the keystore password read once from {@code --tls-password-file} (or given), or {@code null}
     * @return a copy that carries them as {@code --auth-token} and {@code --tls-password}, so that the server
     *     started with it never reads the files again: a pipe ({@code <(pass show kv)}) holds a secret for one read only
     */
    ServerConfig withSecrets(String token, String tlsPassword) {
        ServerConfig resolved;
        try {
            resolved = (ServerConfig) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
        resolved.authToken = token;
        resolved.authTokenFile = null;
        resolved.tlsPassword = tlsPassword;
        resolved.tlsPasswordFile = null;
        return resolved;
    }

    /**
     * @param token the bearer token the server resolved at its start ({@link Secrets#authToken}), or
     *     {@code null}: the twin takes it as {@code --auth-token}, so that it never reads
     *     {@code --auth-token-file} again (a file deleted, emptied or rewritten meanwhile must not fail the
     *     start, nor a pipe that held the secret once block it)
     * @return a copy for the loopback warm-up's twin server: 127.0.0.1 and a free port, cleartext, no
     *     snapshot, no access log, no stop delay; limits, threads, token and TTL as configured
     */
    ServerConfig forWarmUp(String token) {
        ServerConfig twin = withSecrets(token, null); // the twin has no keystore
        twin.host = "127.0.0.1";
        twin.port = 0;
        twin.tlsKeystore = null;
        twin.snapshot = null;
        twin.accessLog = false;
        twin.shutdownDelayMillis = 0;
        return twin;
    }

    KvHandlerOptions.Builder handlerOptions() {
        return KvHandlerOptions.builder()
                .defaultTtl(java.time.Duration.ofMillis(ttlMillis))
                .maxKeyBytes((int) maxKeyBytes)
                .maxValueBytes(maxValueBytes)
                .maxEntries(maxEntries)
                .maxBytes(maxBytes)
                .missStatus(missStatus)
                .maxListLimit(maxListLimit)
                .maxListCursors(maxListCursors)
                .listCursorIdle(java.time.Duration.ofMillis(listCursorIdleMillis))
                .maxWatchers(maxWatchers)
                .maxWatchWait(java.time.Duration.ofMillis(watchMaxWaitMillis))
                .batchMaxItems(batchMaxItems)
                .batchMaxBytes(batchMaxBytes);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "kvcache-server " + version(),
                "Jetty " + org.eclipse.jetty.util.Jetty.VERSION + ", Java " + Runtime.version()};
        }

        static String version() {
            String version = ServerConfig.class.getPackage().getImplementationVersion();
            return version == null ? "(development build)" : version;
        }
    }
}
