package dev.kvcache.http;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The standalone server's configuration: command-line flags, each also settable from an environment
 * variable named after its long flag ({@code --max-key-bytes} is {@code KV_MAX_KEY_BYTES}). A flag
 * given on the command line wins over the environment, which wins over the default. The defaults
 * reproduce the Go server (port 8081, TTL 10 000 ms) except the host, 127.0.0.1 rather than every
 * interface, since the API has no authentication.
 */
@Command(
        name = "kvcache-server",
        mixinStandardHelpOptions = true,
        versionProvider = ServerConfig.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "An HTTP key-value cache whose entries expire a time-to-live after their last write.",
            "Compatible with the Go \"Simple HTTP KV server\": POST /{key} stores, GET /{key} reads,"
                    + " POST /size counts.",
            "Every flag can also be set by the environment variable shown with it; the command line wins."},
        footer = {"", "Routes, limits and a curl walkthrough: docs/http.md"})
final class ServerConfig {
    static final String ENV_PREFIX = "KV_";

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "8081",
            description = "TCP port to listen on; 0 picks a free one. Env KV_PORT. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on. 0.0.0.0 exposes the server on every interface (logged as a"
                    + " warning: the API has no authentication). Env KV_HOST. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "10000ms", converter = DurationMillis.class,
            description = "Time-to-live of entries written without their own (1500ms, 10s, 1m, 2h; a bare number"
                    + " is milliseconds). Env KV_TTL. Default: ${DEFAULT-VALUE}.")
    long ttlMillis;

    @Option(names = "--max-key-bytes", paramLabel = "BYTES", defaultValue = "250", converter = Size.class,
            description = "Longest key accepted, UTF-8 bytes (longer: 414). Env KV_MAX_KEY_BYTES."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxKeyBytes;

    @Option(names = "--max-value-bytes", paramLabel = "BYTES", defaultValue = "1MiB", converter = Size.class,
            description = "Largest value accepted (larger: 413, refused without buffering it)."
                    + " Env KV_MAX_VALUE_BYTES. Default: ${DEFAULT-VALUE}.")
    long maxValueBytes;

    @Option(names = "--max-header-bytes", paramLabel = "BYTES", defaultValue = "8KiB", converter = Size.class,
            description = "Largest request line plus headers (larger: 431, or 414 for the request line)."
                    + " Env KV_MAX_HEADER_BYTES. Default: ${DEFAULT-VALUE}.")
    long maxHeaderBytes;

    @Option(names = "--max-entries", paramLabel = "COUNT", defaultValue = "2000000", converter = Size.class,
            description = "Most entries held; beyond, entries are evicted (S3-FIFO). Env KV_MAX_ENTRIES."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxEntries;

    @Option(names = "--max-bytes", paramLabel = "BYTES", defaultValue = "256MiB", converter = Size.class,
            description = "Most payload bytes (keys + values) held; beyond, entries are evicted."
                    + " Env KV_MAX_BYTES. Default: ${DEFAULT-VALUE}.")
    long maxBytes;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationMillis.class,
            description = "Close connections idle this long. Env KV_IDLE_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    long idleTimeoutMillis;

    @Option(names = "--threads", paramLabel = "COUNT", defaultValue = "32",
            description = "Most threads serving connections (the handler never blocks, so few suffice; at least 8)."
                    + " Env KV_THREADS. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationMillis.class,
            description = "On SIGTERM/SIGINT, how long to let requests in flight finish."
                    + " Env KV_SHUTDOWN_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    long shutdownTimeoutMillis;

    @Option(names = "--shutdown-delay", paramLabel = "DURATION", defaultValue = "0",
            converter = DurationMillisOrZero.class,
            description = "On SIGTERM/SIGINT, how long to keep serving with /health answering 503 before"
                    + " closing the listener, so load balancers can notice. Env KV_SHUTDOWN_DELAY."
                    + " Default: ${DEFAULT-VALUE}.")
    long shutdownDelayMillis;

    @Option(names = "--access-log", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Log every request (NCSA extended format, logger dev.kvcache.http.access)."
                    + " Env KV_ACCESS_LOG=true. Default: ${DEFAULT-VALUE}.")
    boolean accessLog;

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
        commandLine.parseArgs(args);
        ServerConfig config = commandLine.getCommand();
        if (!commandLine.isUsageHelpRequested() && !commandLine.isVersionHelpRequested()) {
            config.validate(commandLine);
        }
        return config;
    }

    static CommandLine commandLine(Map<String, String> env) {
        CommandLine commandLine = new CommandLine(new ServerConfig());
        commandLine.setDefaultValueProvider(argSpec -> fromEnvironment(argSpec, env, commandLine));
        return commandLine;
    }

    /** @return the environment variable of an option: {@code --max-key-bytes} gives {@code KV_MAX_KEY_BYTES} */
    static String environmentVariable(OptionSpec option) {
        return ENV_PREFIX + option.longestName().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    private static String fromEnvironment(ArgSpec argSpec, Map<String, String> env, CommandLine commandLine) {
        if (!(argSpec instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String value = env.get(environmentVariable(option));
        return value == null || value.isBlank() ? null : value.trim();
    }

    private void validate(CommandLine commandLine) {
        check(commandLine, port >= 0 && port <= 65535, "--port must be in [0, 65535], was " + port);
        check(commandLine, threads >= 8, "--threads must be at least 8, was " + threads);
        check(commandLine, maxKeyBytes >= 1 && maxKeyBytes <= 64 * 1024,
                "--max-key-bytes must be in [1, 64KiB], was " + maxKeyBytes);
        check(commandLine, maxValueBytes <= 1L << 30, "--max-value-bytes must be at most 1GiB, was " + maxValueBytes);
        check(commandLine, maxHeaderBytes >= 1024 && maxHeaderBytes <= 1 << 20,
                "--max-header-bytes must be in [1KiB, 1MiB], was " + maxHeaderBytes);
        check(commandLine, maxEntries >= 1, "--max-entries must be at least 1, was " + maxEntries);
        check(commandLine, maxBytes >= maxEntries,
                "--max-bytes (" + maxBytes + ") must be at least --max-entries (" + maxEntries + ")");
    }

    private static void check(CommandLine commandLine, boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(commandLine, message);
        }
    }

    /** @return whether the host listens on every interface */
    boolean allInterfaces() {
        return host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("*");
    }

    KvHandlerOptions.Builder handlerOptions() {
        return KvHandlerOptions.builder()
                .defaultTtl(java.time.Duration.ofMillis(ttlMillis))
                .maxKeyBytes((int) maxKeyBytes)
                .maxValueBytes(maxValueBytes)
                .maxEntries(maxEntries)
                .maxBytes(maxBytes);
    }

    static final class DurationMillis implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return TtlParser.parseMillis(value.trim());
        }
    }

    static final class DurationMillisOrZero implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String trimmed = value.trim();
            return trimmed.equals("0") ? 0L : TtlParser.parseMillis(trimmed);
        }
    }

    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return ByteSizes.parse(value);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "kvcache-server " + version(),
                "Jetty " + org.eclipse.jetty.util.Jetty.VERSION + ", Java " + Runtime.version()};
        }

        static String version() {
            String version = KvServer.class.getPackage().getImplementationVersion();
            return version == null ? "(development build)" : version;
        }
    }
}
