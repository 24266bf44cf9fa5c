package dev.kvcache.http.server;

import dev.kvcache.http.KvHandlerOptions;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The lines the server logs about itself at start, after the Go server's two: what runs (version,
 * PID, Java, heap), where it listens with its bounds in human units, and the TLS certificate.
 */
final class StartupLog {
    /** A certificate expiring sooner than this is warned about at start. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private StartupLog() {}

    /**
     * @return {@code kvcache-server 0.1.0 (Jetty 12.1.14), PID 4242, Java 17.0.9 (Eclipse Adoptium),
     *     max heap 5.8 GiB, collector Shenandoah}
     */
    static String runtime() {
        return "kvcache-server " + ServerConfig.Version.version() + " (Jetty " + org.eclipse.jetty.util.Jetty.VERSION
                + "), PID " + ProcessHandle.current().pid() + ", Java " + Runtime.version() + " ("
                + System.getProperty("java.vendor") + "), max heap "
                + ByteSizes.format(Runtime.getRuntime().maxMemory()) + ", collector " + collector();
    }

    /**
     * @return the garbage collector's short name ({@code G1}, {@code Shenandoah}, {@code ZGC}, {@code Parallel},
     *     {@code Serial}), from its MXBeans' names; the collector decides the tail latency (docs/http.md)
     */
    static String collector() {
        for (var bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = bean.getName();
            if (name.startsWith("PS ")) {
                return "Parallel";
            }
            if (name.equals("Copy") || name.equals("MarkSweepCompact")) {
                return "Serial";
            }
            int space = name.indexOf(' ');
            return space < 0 ? name : name.substring(0, space);
        }
        return "none"; // a JVM without collector MXBeans
    }

    /** File descriptors the process needs besides one per connection: jars, the listener, selectors, logs. */
    static final long SPARE_DESCRIPTORS = 256;

    /**
     * @return a warning if the process may open fewer files than {@code maxConnections} plus
     *     {@link #SPARE_DESCRIPTORS} (past the limit, accepting fails and clients wait or are refused),
     *     or {@code null} if the limit suffices or cannot be read (not a Unix JVM)
     */
    static String descriptorWarning(int maxConnections) {
        long limit = maxDescriptors();
        long needed = maxConnections + SPARE_DESCRIPTORS;
        if (limit < 0 || limit >= needed) {
            return null;
        }
        return "The process may open " + limit + " files (ulimit -n), fewer than --max-connections (" + maxConnections
                + ") plus " + SPARE_DESCRIPTORS + ": past about " + Math.max(0, limit - SPARE_DESCRIPTORS)
                + " connections new clients wait or are refused; raise ulimit -n to " + needed
                + " or lower --max-connections";
    }

    /** @return the process's limit on open files, or -1 if the platform does not say */
    static long maxDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** @return the JVM's uptime, what the operator waited for the server, in ms */
    static long jvmUptimeMillis() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    /**
     * @param port the port the listener opened (the actual one when {@code --port} is 0)
     * @param authenticated whether the server requires a bearer token
     * @param startMillis how long the start took, restore and warm-up included
     * @return the line that says the server is listening: its URL, how long the operator waited, and its bounds
     */
    static String listening(ServerConfig config, KvHandlerOptions options, int port, boolean authenticated,
            long startMillis) {
        boolean tls = config.tlsKeystore != null;
        return "Listening on " + url(tls ? "https" : "http", config.host, port) + " in " + startMillis + " ms, "
                + jvmUptimeMillis() + " ms after the JVM started (max key " + ByteSizes.format(options.maxKeyBytes())
                + ", max value " + ByteSizes.format(options.maxValueBytes()) + ", max " + options.maxEntries()
                + " entries / " + ByteSizes.format(options.maxBytes()) + ", " + config.poolThreads
                + " threads, idle timeout " + duration(config.idleTimeoutMillis) + ", max " + config.maxConnections
                + " connections, accept queue " + config.acceptQueue + ", access log "
                + (config.accessLog ? "on" : "off") + ", " + (tls ? "TLS: h2 and HTTP/1.1" : "HTTP/1.1 and h2c") + ", "
                + (!authenticated ? "no authentication"
                        : config.protectMetrics ? "bearer token required but for /health"
                        : "bearer token required but for /health, /metrics, /stats")
                + ")";
    }

    /**
     * @param host the configured host: an IPv6 address is bracketed ({@code http://[::1]:8081}), as
     *     URLs write it
     * @return the URL clients use
     */
    static String url(String scheme, String host, int port) {
        String shown = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return scheme + "://" + shown + ":" + port;
    }

    /** @return {@code 1500ms}, {@code 30s}, {@code 5m}: the largest unit that keeps it whole */
    static String duration(long millis) {
        if (millis == 0 || millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        return seconds % 3600 == 0 ? seconds / 3600 + "h" : seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    /** A line and whether it is a warning. */
    record Line(boolean warning, String text) {}

    /** @return the certificate's subject and expiry, a warning if it has expired or expires within 30 days */
    static Line certificate(Keystores.ServerCertificate certificate, Instant now) {
        Instant notAfter = certificate.notAfter().truncatedTo(ChronoUnit.SECONDS);
        Duration left = Duration.between(now, certificate.notAfter());
        if (left.isNegative()) {
            return new Line(true, "TLS certificate " + certificate.subject() + " expired on " + notAfter + " ("
                    + -left.toDays() + " days ago): clients will refuse it; renew it and restart");
        }
        if (left.compareTo(EXPIRY_WARNING) < 0) {
            return new Line(true, "TLS certificate " + certificate.subject() + " expires on " + notAfter + ", in "
                    + left.toDays() + " days: renew it and restart");
        }
        return new Line(false, "TLS certificate " + certificate.subject() + ", valid until " + notAfter);
    }
}
