package dev.kvcache.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Metric families that {@code /metrics} serves after the handler's own ({@link KvHandler#addMetrics}):
 * how the standalone server adds the JVM and process metrics of the Prometheus Java client without
 * making that client a dependency of the handler. Its output must be Prometheus text format 0.0.4
 * (whole families, each {@code # HELP}/{@code # TYPE} block once) and must not repeat a family the
 * handler writes ({@code in_flight_requests}, {@code api_requests_total}, {@code request_duration_seconds},
 * {@code cache_*}, {@code out_of_memory_errors_total}).
 */
@FunctionalInterface
public interface ExtraMetrics {
    /**
     * Writes the families, on the thread serving {@code /metrics}; called once per scrape.
     *
     * @param out where to write them; not to be closed
     * @throws IOException if writing fails: the scrape then answers 500, the other routes are unaffected
     */
    void writeTo(OutputStream out) throws IOException;
}
