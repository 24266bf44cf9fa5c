package dev.kvcache.http.server;

import dev.kvcache.http.KvHandlerOptions;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The rules a parsed {@link ServerConfig} must meet beyond each value's own form (ranges, flags that need
 * or exclude each other, the threads Jetty keeps for itself, the heap bound), each refused with one
 * sentence that names the flag, variable or file line the value came from.
 */
final class ConfigRules {
    private ConfigRules() {
    }

    /**
     * Checks the rules that span flags or that a converter cannot, and sets {@code config.poolThreads}.
     *
     * @throws CommandLine.ParameterException naming the setting and where its value came from
     */
    static void check(ServerConfig config, CommandLine commandLine) {
        Rules rules = new Rules(commandLine);
        rules.check(config.port >= 0 && config.port <= 65535, "--port", "must be in [0, 65535], was " + config.port);
        rules.check(config.threads >= 8 && config.threads <= ServerConfig.MAX_THREADS, "--threads",
                "must be in [8, " + ServerConfig.MAX_THREADS + "], was " + config.threads);
        rules.check(config.selectors >= 0 && config.selectors <= 64, "--selectors",
                "must be in [0, 64], was " + config.selectors);
        rules.check(config.acceptors >= 1 && config.acceptors <= 16, "--acceptors",
                "must be in [1, 16], was " + config.acceptors);
        // Jetty takes one pool thread per acceptor and selector, and the reserved ones, before any request
        // runs; with fewer it refuses to start ("Insufficient configured threads").
        int jettyOwn = config.acceptors + Connectors.selectors(config.selectors) + config.reservedThreads();
        if (rules.isDefault("--threads")) {
            // many processors: more selectors
            config.poolThreads = Math.max(config.threads, jettyOwn + ServerConfig.SPARE_THREADS);
        } else {
            rules.check(config.threads >= jettyOwn + 1, "--threads", "must be at least " + (jettyOwn + 1) + " with "
                    + config.acceptors + " acceptors, " + Connectors.selectors(config.selectors) + " selectors and "
                    + config.reservedThreads() + " reserved threads (Jetty keeps one thread for each), was "
                    + config.threads
                    + "; raise --threads or lower --selectors/--acceptors");
            config.poolThreads = config.threads;
        }
        rules.check(config.acceptQueue >= 1 && config.acceptQueue <= 65_535, "--accept-queue",
                "must be in [1, 65535], was " + config.acceptQueue);
        rules.check(config.maxConnections >= 1, "--max-connections",
                "must be at least 1, was " + config.maxConnections);
        rules.check(config.maxKeyBytes >= 1 && config.maxKeyBytes <= 64 * 1024, "--max-key-bytes",
                "must be in [1, 64KiB], was " + config.maxKeyBytes);
        rules.check(config.maxValueBytes <= 1L << 30, "--max-value-bytes",
                "must be at most 1GiB, was " + config.maxValueBytes);
        rules.check(config.pipelineBatch >= 0 && config.pipelineBatch <= 1 << 20, "--pipeline-batch",
                "must be in [0, 1MiB], was " + config.pipelineBatch);
        rules.check(config.maxHeaderBytes >= 1024 && config.maxHeaderBytes <= 1 << 20, "--max-header-bytes",
                "must be in [1KiB, 1MiB], was " + config.maxHeaderBytes);
        rules.check(config.missStatus == 200 || config.missStatus == 404, "--miss-status",
                "must be 200 or 404, was " + config.missStatus);
        rules.check(config.maxListLimit >= 1 && config.maxListLimit <= 100_000, "--max-list-limit",
                "must be in [1, 100000], was " + config.maxListLimit);
        rules.check(config.maxListCursors >= 1 && config.maxListCursors <= 1_000_000, "--max-list-cursors",
                "must be in [1, 1000000], was " + config.maxListCursors);
        rules.check(config.maxWatchers >= 1 && config.maxWatchers <= 1_000_000, "--max-watchers",
                "must be in [1, 1000000], was " + config.maxWatchers);
        rules.check(config.batchMaxItems >= 1 && config.batchMaxItems <= 100_000, "--batch-max-items",
                "must be in [1, 100000], was " + config.batchMaxItems);
        rules.check(config.batchMaxBytes >= 1024 && config.batchMaxBytes <= 1L << 30, "--batch-max-bytes",
                "must be in [1KiB, 1GiB], was " + config.batchMaxBytes);
        rules.check(config.maxEntries >= 1, "--max-entries", "must be at least 1, was " + config.maxEntries);
        // KvHandlerOptions weighs each entry at least maxBytes / maxEntries, which must be a byte or more.
        rules.check(config.maxBytes >= config.maxEntries, "--max-bytes", "(" + config.maxBytes + " B) must be at least "
                + rules.label("--max-entries") + " (" + config.maxEntries
                + "): each of up to that many entries takes at"
                + " least 1 byte of the byte bound; raise --max-bytes or lower --max-entries");
        // A bound above MAX_HEAP_PERCENT of the heap ends in OutOfMemoryError instead of evictions.
        String heapRefusal = KvHandlerOptions.heapRefusal(rules.label("--max-bytes"), config.maxBytes);
        rules.check(heapRefusal == null, null, heapRefusal);
        rules.check(config.authToken == null || config.authTokenFile == null, null,
                "give either --auth-token or --auth-token-file (or their variables), not both");
        rules.check(config.tlsPassword == null || config.tlsPasswordFile == null, null,
                "give either --tls-password or --tls-password-file (or their variables), not both");
        rules.check(config.authToken == null || BearerAuth.isValidToken(config.authToken), "--auth-token",
                "must be 1 to 1024 visible ASCII characters without spaces");
        // A blank address is a mistake (an unset variable in a script), not a request for every interface.
        rules.check(!config.host.isBlank(), "--host",
                "is blank: give an address (127.0.0.1, ::1, or 0.0.0.0 for every interface)");
        ListenAddress address = config.listenAddress();
        rules.check(address.allInterfaces() || address.resolves(), "--host",
                ": cannot resolve '" + config.host + "' to an"
                + " address: give an IP address (127.0.0.1, ::1, 0.0.0.0) or a name this machine resolves");
        rules.check(config.tlsKeystore != null || config.tlsPassword == null, "--tls-password",
                "needs --tls-keystore FILE (or KV_TLS_KEYSTORE): without a keystore the server serves cleartext HTTP");
        rules.check(config.tlsKeystore != null || config.tlsPasswordFile == null, "--tls-password-file",
                "needs --tls-keystore FILE (or KV_TLS_KEYSTORE): without a keystore the server serves cleartext HTTP");
        rules.check(config.warmUpMillis <= ServerConfig.MAX_WARM_UP_MILLIS, "--warm-up",
                "must be at most " + ServerConfig.MAX_WARM_UP_MILLIS + "ms, was " + config.warmUpMillis + "ms");
        rules.check(config.snapshot != null || config.snapshotIntervalMillis == 0, "--snapshot-interval",
                "needs --snapshot FILE (or KV_SNAPSHOT): without a file there is nothing to write");
        rules.check(config.snapshot != null || !config.snapshotIgnoreCorrupt, "--snapshot-ignore-corrupt",
                "needs --snapshot FILE (or KV_SNAPSHOT): without a file there is nothing to restore");
        rules.check(config.snapshot == null || !java.nio.file.Files.isDirectory(java.nio.file.Path.of(config.snapshot)),
                "--snapshot", ": " + config.snapshot + " is a directory; give the path of a file in it, such as "
                + java.nio.file.Path.of(config.snapshot == null ? "." : config.snapshot).resolve("kvcache.snapshot"));
    }

    /** Refuses a setting with a message naming the flag, variable or file line its value came from. */
    private static final class Rules {
        private final CommandLine commandLine;
        private final ConfigSources sources;

        Rules(CommandLine commandLine) {
            this.commandLine = commandLine;
            this.sources = (ConfigSources) commandLine.getDefaultValueProvider();
        }

        /** @return whether {@code flag} has its default value (no flag, variable or file line gave it) */
        boolean isDefault(String flag) {
            OptionSpec option = commandLine.getCommandSpec().findOption(flag);
            return sources.source(option, commandLine.getParseResult().hasMatchedOption(option))
                    instanceof ConfigSources.Default;
        }

        String label(String flag) {
            OptionSpec option = commandLine.getCommandSpec().findOption(flag);
            return sources.source(option, commandLine.getParseResult().hasMatchedOption(option)).label(option);
        }

        /** @param flag the setting the rule is about, or {@code null} if {@code rule} names them itself */
        void check(boolean ok, String flag, String rule) {
            if (!ok) {
                String message = flag == null ? rule : label(flag) + (rule.startsWith(":") ? "" : " ") + rule;
                throw new CommandLine.ParameterException(commandLine, message);
            }
        }
    }

}
