package dev.kvcache.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counts the operations beyond plain reads and writes, for {@code /metrics} (served after the handler's
 * own families, as {@link ExtraMetrics}): {@code kv_operations_total{op}} (touch, incr, list, flush,
 * batch, watch: one per request that did it), {@code kv_flushed_keys_total}, {@code kv_batch_items_total},
 * and the gauges {@code kv_watchers} (watches waiting now) and {@code kv_list_cursors} (listings open).
 */
final class Operations implements ExtraMetrics {
    private static final String[] OPS = {"touch", "incr", "list", "flush", "batch", "watch"};
    private final LongAdder[] counts = new LongAdder[OPS.length];
    private final LongAdder flushedKeys = new LongAdder();
    private final LongAdder batchItems = new LongAdder();
    private volatile LongSupplier watchers = () -> 0;
    private volatile LongSupplier cursors = () -> 0;

    Operations() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void touched() {
        counts[0].increment();
    }

    void incremented() {
        counts[1].increment();
    }

    void listed() {
        counts[2].increment();
    }

    void flushed(long keys) {
        counts[3].increment();
        flushedKeys.add(keys);
    }

    void batched(int items) {
        counts[4].increment();
        batchItems.add(items);
    }

    void watched() {
        counts[5].increment();
    }

    void watchers(LongSupplier count) {
        this.watchers = count;
    }

    void cursors(LongSupplier count) {
        this.cursors = count;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        StringBuilder text = new StringBuilder(1024);
        text.append("# HELP kv_operations_total Requests per operation beyond plain reads and writes.\n")
                .append("# TYPE kv_operations_total counter\n");
        for (int i = 0; i < OPS.length; i++) {
            text.append("kv_operations_total{op=\"").append(OPS[i]).append("\"} ").append(counts[i].sum()).append('\n');
        }
        family(text, "kv_flushed_keys_total", "counter", "Keys removed by flushes.", flushedKeys.sum());
        family(text, "kv_batch_items_total", "counter", "Items of batch requests.", batchItems.sum());
        family(text, "kv_watchers", "gauge", "Watches waiting for a change now.", watchers.getAsLong());
        family(text, "kv_list_cursors", "gauge", "Key listings open (server-side cursors).", cursors.getAsLong());
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void family(StringBuilder text, String name, String type, String help, long value) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }
}
