package dev.kvcache.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter incremented by many threads, striped like {@link java.util.concurrent.atomic.LongAdder}
 * (each thread adds to its own padded cell, chosen by thread id, so increments rarely contend), whose
 * {@link #increment} also says when its cell has just reached a multiple of {@link #CHECK_INTERVAL}.
 * The timer wheel counts its pushes with it, and that signal lets writers check, every so many pushes,
 * whether the wheel needs sweeping, without summing the cells on every write.
 */
final class StripedCounter {
    /** Increments of one cell between two signals; a power of two. */
    static final int CHECK_INTERVAL = 256;

    /** Longs per cell: 128 bytes, so that two cells never share a cache line (or an adjacent-line prefetch pair). */
    private static final int PAD = 16;

    /** Cells: the next power of two at least twice the processors, at most 64. */
    static final int STRIPES = Math.min(64, Integer.highestOneBit(
            Math.max(1, 2 * Runtime.getRuntime().availableProcessors() - 1)) << 1);

    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] cells = new long[STRIPES * PAD];

    /** Adds one; returns whether the calling thread's cell has just reached a multiple of the interval. */
    boolean increment() {
        @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+
        int stripe = (int) Thread.currentThread().getId() & (STRIPES - 1);
        long count = (long) CELL.getAndAdd(cells, stripe * PAD, 1L) + 1;
        return (count & (CHECK_INTERVAL - 1)) == 0;
    }

    /** The sum of the cells: exact when no increment is in flight. */
    long sum() {
        long sum = 0;
        for (int i = 0; i < STRIPES; i++) {
            // Opaque: a recent value of each cell is all a sum needs.
            sum += (long) CELL.getOpaque(cells, i * PAD);
        }
        return sum;
    }
}
