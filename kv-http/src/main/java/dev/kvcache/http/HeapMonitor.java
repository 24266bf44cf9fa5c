package dev.kvcache.http;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Tells {@code /health} whether the heap is near full: the heap in use after the last garbage
 * collection, summed over the heap's memory pools ({@link MemoryPoolMXBean#getCollectionUsage()}: what
 * the collector could not free, unlike the current usage, which includes garbage), at or above
 * {@value #PRESSURE_PERCENT} % of the maximum heap. A server there is about to fail writes with
 * {@link OutOfMemoryError}, whatever its byte bound says (another part of the application may hold
 * the memory, or values may cost more than the bound estimates).
 *
 * <p>A reading asks each heap pool (two to four, depending on the collector) for its last collection
 * usage: a few hundred nanoseconds and one small object per pool, no collection, no lock.
 */
final class HeapMonitor {
    /** The share of the maximum heap, after a collection, from which {@code /health} reports pressure. */
    static final int PRESSURE_PERCENT = 90;

    private final LongSupplier usedAfterGc;
    private final long maxHeap;

    /**
     * @param usedAfterGc reads the heap bytes in use after the last collection
     * @param maxHeap the maximum heap in bytes, {@link Long#MAX_VALUE} if unbounded
     */
    HeapMonitor(LongSupplier usedAfterGc, long maxHeap) {
        this.usedAfterGc = usedAfterGc;
        this.maxHeap = maxHeap;
    }

    /** @return a monitor of this JVM's heap */
    static HeapMonitor platform() {
        List<MemoryPoolMXBean> pools = new ArrayList<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()) {
                pools.add(pool);
            }
        }
        MemoryPoolMXBean[] heapPools = pools.toArray(new MemoryPoolMXBean[0]);
        return new HeapMonitor(() -> {
            long used = 0;
            for (MemoryPoolMXBean pool : heapPools) {
                MemoryUsage usage = pool.getCollectionUsage(); // null once the pool is gone
                if (usage != null) {
                    used += usage.getUsed();
                }
            }
            return used;
        }, Runtime.getRuntime().maxMemory());
    }

    /**
     * @return {@code null} when the heap has room; otherwise the body {@code /health} answers, one line:
     *     {@code degraded: heap 93% full after the last collection (119 MiB of 128 MiB)}
     */
    byte[] pressure() {
        if (maxHeap == Long.MAX_VALUE || maxHeap <= 0) {
            return null;
        }
        long used = usedAfterGc.getAsLong();
        if (used * 100 < maxHeap * (long) PRESSURE_PERCENT) {
            return null;
        }
        return ("degraded: heap " + Math.round(used * 100.0 / maxHeap) + "% full after the last collection ("
                + KvHandlerOptions.humanBytes(used) + " of " + KvHandlerOptions.humanBytes(maxHeap) + ")\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
