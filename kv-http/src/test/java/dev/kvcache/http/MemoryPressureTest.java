package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.testing.FakeTicker;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 5: writes failed with 500 {@code OutOfMemoryError} while {@code /health} said ok.
 * {@code /health} now reports a heap near full after collection, and a write that runs out of heap is
 * answered 503 and counted, with the server still serving.
 */
class MemoryPressureTest {
    private static final long MAX_HEAP = 128L << 20;

    private final FakeTicker ticker = new FakeTicker();
    private HandlerServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void healthIsDegradedWhileTheHeapAfterCollectionIsNearFull() throws Exception {
        AtomicLong usedAfterGc = new AtomicLong(MAX_HEAP / 2);
        KvHandler handler = new KvHandler(KvHandlerOptions.builder().ticker(ticker).build(),
                Reclaimer::daemonScheduler, new HeapMonitor(usedAfterGc::get, MAX_HEAP));
        server = HandlerServer.start(handler);
        assertEquals(200, server.send("GET", "/health", null).statusCode());

        usedAfterGc.set(MAX_HEAP / 100 * 89 + (1 << 20)); // just below 90 %
        assertEquals("ok\n", server.send("GET", "/health", null).body());

        usedAfterGc.set((long) (MAX_HEAP * 0.95));
        HttpResponse<String> degraded = server.send("GET", "/health", null);
        assertEquals(503, degraded.statusCode());
        assertEquals("degraded: heap 95% full after the last collection (121.6 MiB of 128 MiB)\n", degraded.body());
        assertEquals(503, server.send("HEAD", "/health", null).statusCode());

        usedAfterGc.set(MAX_HEAP / 4); // a collection freed it
        assertEquals(200, server.send("GET", "/health", null).statusCode());

        usedAfterGc.set(MAX_HEAP);
        handler.shutdown();
        assertEquals("draining\n", server.send("GET", "/health", null).body(), "draining says so first");
    }

    @Test
    void aHeapWithoutAStatedMaximumIsNeverUnderPressure() {
        assertNull(new HeapMonitor(() -> Long.MAX_VALUE - 1, Long.MAX_VALUE).pressure());
    }

    @Test
    void theMonitorOfThisJvmReadsTheHeapAfterCollection() {
        // The test JVM's heap is far from full after a collection.
        System.gc();
        assertNull(HeapMonitor.platform().pressure());
        assertTrue(new HeapMonitor(() -> MAX_HEAP, MAX_HEAP).pressure() != null);
    }

    @Test
    void aWriteThatRunsOutOfHeapIsAnswered503AndCountedAndTheServerKeepsServing() throws Exception {
        // The failure seam: a weigher, which kv-core runs on every write, that fails as an exhausted heap would.
        KvCache<String, StoredValue> cache = KvCache.builder().ticker(ticker)
                .<String, StoredValue>maximumWeight(1 << 20, (key, value) -> {
                    if (key.startsWith("oom")) {
                        throw new OutOfMemoryError("Java heap space (injected)");
                    }
                    return value.bytes().length;
                }).build();
        server = HandlerServer.start(new KvHandler(cache, KvHandlerOptions.defaults()));

        HttpResponse<String> put = server.send("PUT", "/kv/oom1", "v");
        assertEquals(503, put.statusCode());
        assertEquals("Out of memory: the server has no room for this value now; retry later\n", put.body());
        assertEquals(503, server.send("POST", "/oom2", "v").statusCode());

        assertEquals(204, server.send("PUT", "/kv/fine", "v").statusCode(), "the server keeps serving");
        assertEquals("v", server.send("GET", "/kv/fine", null).body());
        String metrics = server.send("GET", "/metrics", null).body();
        assertTrue(metrics.contains("\nout_of_memory_errors_total 2\n"), metrics);
        assertTrue(metrics.contains("api_requests_total{code=\"503\",method=\"put\"} 1"), metrics);
        assertTrue(metrics.contains("api_requests_total{code=\"503\",method=\"post\"} 1"), metrics);
        assertTrue(metrics.contains("\nin_flight_requests 1\n"), "only the /metrics request itself: " + metrics);
    }
}
