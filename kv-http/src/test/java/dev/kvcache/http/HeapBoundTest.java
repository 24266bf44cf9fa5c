package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 5: a byte bound larger than the heap was accepted by embedders too. The options refuse
 * one above 75 % of the maximum heap, saying the numbers in human units and the rule.
 */
class HeapBoundTest {
    private static final long GIB = 1L << 30;

    @Test
    void aBoundWithinThreeQuartersOfTheHeapFits() {
        assertNull(KvHandlerOptions.heapRefusal("maxBytes", 3 * GIB, 4 * GIB));
        assertNull(KvHandlerOptions.heapRefusal("maxBytes", Long.MAX_VALUE, Long.MAX_VALUE), "no stated maximum");
    }

    @Test
    void aLargerBoundIsRefusedInOneSentenceWithHumanUnits() {
        assertEquals("maxBytes (8 GiB) is more than 75% of the maximum heap (4 GiB, set by -Xmx): the rest is"
                + " needed for requests in flight and garbage not yet collected, so lower maxBytes to at most"
                + " 3 GiB or give the JVM a larger -Xmx", KvHandlerOptions.heapRefusal("maxBytes", 8 * GIB, 4 * GIB));
    }

    /** Found by http-hostile: -Xmx32m --max-bytes 75% (24 MiB) ran out of memory under one client. */
    @Test
    void onASmallHeapTheBoundLeavesAtLeast16MiB() {
        long mib = 1L << 20;
        assertNull(KvHandlerOptions.heapRefusal("--max-bytes", 16 * mib, 32 * mib));
        assertEquals("--max-bytes (24 MiB) leaves less than 16 MiB of the maximum heap (32 MiB, set by -Xmx) for"
                + " requests in flight and garbage not yet collected, so lower --max-bytes to at most 16 MiB or give"
                + " the JVM a larger -Xmx", KvHandlerOptions.heapRefusal("--max-bytes", 24 * mib, 32 * mib));
        // Where 75 % leaves more than 16 MiB (from 64 MiB on), the percentage alone decides, as before.
        assertNull(KvHandlerOptions.heapRefusal("--max-bytes", 96 * mib, 128 * mib));
        assertNull(KvHandlerOptions.heapRefusal("--max-bytes", 48 * mib, 64 * mib));
    }

    @Test
    void theOptionsBuilderThrowsForABoundTheHeapCannotHold() {
        long maxHeap = Runtime.getRuntime().maxMemory();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvHandlerOptions.builder().maxBytes(maxHeap).build());
        assertTrue(e.getMessage().startsWith("maxBytes ("), e.getMessage());
        assertEquals((long) (maxHeap * 0.75), KvHandlerOptions.builder().maxBytes((long) (maxHeap * 0.75)).build().maxBytes());
    }

    @Test
    void humanUnits() {
        assertEquals("0 B", KvHandlerOptions.humanBytes(0));
        assertEquals("1023 B", KvHandlerOptions.humanBytes(1023));
        assertEquals("1 KiB", KvHandlerOptions.humanBytes(1024));
        assertEquals("1.5 MiB", KvHandlerOptions.humanBytes(3L << 19));
        assertEquals("1.5 GiB", KvHandlerOptions.humanBytes(1_610_612_736L));
        assertEquals("1.5 GiB", KvHandlerOptions.humanBytes(1_580_204_032L)); // 1.47: one decimal, rounded
    }
}
