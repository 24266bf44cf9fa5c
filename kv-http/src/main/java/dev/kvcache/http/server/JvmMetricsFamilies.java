package dev.kvcache.http.server;

import dev.kvcache.http.ExtraMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The JVM and process families of the standalone server's {@code /metrics}, from the Prometheus Java
 * client's {@code instrumentation-jvm}: {@code process_*} (CPU seconds, start time, open and maximum file
 * descriptors, resident and virtual memory), {@code jvm_memory_*} and {@code jvm_memory_pool_*} (heap
 * and pools, used/committed/max, and after the last collection), {@code jvm_gc_collection_seconds}
 * (a summary per collector: the count and total time of its pauses or cycles), {@code jvm_threads_*},
 * {@code jvm_classes_*}, {@code jvm_buffer_pool_*}, {@code jvm_compilation_*}, {@code jvm_runtime_info}.
 * Written in text format 0.0.4 by the client's own writer, after the handler's families.
 *
 * <p>One registry per JVM, shared by every server in it: the figures are the JVM's, and the client's
 * collectors register JMX notification listeners that should exist once.
 */
final class JvmMetricsFamilies implements ExtraMetrics {
    private static final JvmMetricsFamilies INSTANCE = new JvmMetricsFamilies();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private JvmMetricsFamilies() {
        JvmMetrics.builder().register(registry);
    }

    static JvmMetricsFamilies shared() {
        return INSTANCE;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
