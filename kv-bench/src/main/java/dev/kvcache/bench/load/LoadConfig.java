package dev.kvcache.bench.load;

import java.net.InetSocketAddress;

/**
 * A validated description of one run.
 *
 * @param uri the target as given, for reports
 * @param address the resolved server address
 * @param hostHeader the Host header, {@code host:port}
 * @param basePath the path keys hang under, without a trailing slash ("" for the root)
 * @param connections the number of connections, at least 1
 * @param pipelining the requests in flight per connection, at least 1
 * @param durationSeconds the measured window, at least 1
 * @param warmupSeconds load before the measured window, not counted, at least 0
 * @param timeoutMillis how long one answer (or a connect) may take before it counts as a timeout
 * @param keyRange keys are uniform in {@code [0, keyRange)}
 * @param readRatio the share of GETs, in {@code [0.5, 1]}
 * @param seed the seed of every random choice
 * @param threads selector threads, in {@code [1, connections]}
 * @param batch whether each connection sends {@code pipelining} requests at once and the next batch only
 *     when all are answered (as wrk does with a script returning several requests), rather than
 *     refilling each slot as soon as its answer arrives
 */
record LoadConfig(
        String uri,
        InetSocketAddress address,
        String hostHeader,
        String basePath,
        int connections,
        int pipelining,
        int durationSeconds,
        int warmupSeconds,
        long timeoutMillis,
        long keyRange,
        double readRatio,
        long seed,
        int threads,
        boolean batch) {

    /** How long workers wait for in-flight answers after the window closes. */
    long drainMillis() {
        return Math.min(timeoutMillis, 2_000);
    }
}
