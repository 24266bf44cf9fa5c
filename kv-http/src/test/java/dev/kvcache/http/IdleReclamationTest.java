package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 1: on an idle server, expired entries stopped being counted only when some key was
 * read, so {@code /size} and the {@code cache_size}/{@code cache_bytes} gauges stayed at their last
 * values forever. The handler now reclaims on its own while it runs.
 */
class IdleReclamationTest {
    private static final Duration TTL = Duration.ofMillis(10_000);

    private final FakeTicker ticker = new FakeTicker();
    private HandlerServer server;

    private KvHandler start(Supplier<KvHandler> handlers) throws Exception {
        KvHandler handler = handlers.get();
        server = HandlerServer.start(handler);
        return handler;
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private KvHandlerOptions options() {
        return KvHandlerOptions.builder().defaultTtl(TTL).ticker(ticker).build();
    }

    private long metric(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(server.send("GET", "/metrics", null).body());
        assertTrue(m.find(), name + " missing from /metrics");
        return (long) Double.parseDouble(m.group(1));
    }

    private void post3() throws Exception {
        for (String key : List.of("a", "b", "c")) {
            assertEquals(200, server.send("POST", "/" + key, "v").statusCode());
        }
    }

    @Test
    void theScheduledRunReclaimsExpiredEntriesWithoutAnyRead() throws Exception {
        ManualScheduler scheduler = new ManualScheduler();
        start(() -> new KvHandler(options(), () -> scheduler, HeapMonitor.platform()));
        assertEquals(1, scheduler.periodicTaskCount(), "the handler schedules one reclaiming task at start");
        assertEquals(Reclaimer.PERIOD.toNanos(), scheduler.delaysNanos().get(0));

        post3();
        ticker.advance(TTL.minusMillis(1));
        scheduler.runPeriodicTasks();
        assertEquals("3", server.send("POST", "/size", null).body(), "nothing is due yet");

        ticker.advance(Duration.ofMillis(1)); // exactly the deadline: expired
        scheduler.runPeriodicTasks();
        // No key is read: only the scheduled run can have reclaimed them.
        assertEquals("0", server.send("POST", "/size", null).body());
        assertEquals(0, metric("cache_size"));
        assertEquals(0, metric("cache_bytes"));
        assertTrue(server.send("GET", "/stats", null).body().contains("\"entries\":0,\"bytes\":0"));

        server.close();
        server = null;
        assertTrue(scheduler.isShutdown(), "the handler's stop shuts down the executor it started");
    }

    @Test
    void theDefaultReclaimerRunsOnItsOwnDaemonThreadOnlyWhileTheHandlerRuns() throws Exception {
        java.util.Set<Thread> others = reclaimerThreads(); // of handlers other tests may have left running
        start(() -> new KvHandler(options()));
        java.util.Set<Thread> ours = reclaimerThreads();
        ours.removeAll(others);
        assertEquals(1, ours.size(), "one reclaimer thread per running handler");
        Thread reclaimer = ours.iterator().next();
        assertTrue(reclaimer.isDaemon(), "a daemon kvcache-reclaimer thread while running");

        post3();
        assertEquals(3, metric("cache_size"));
        ticker.advance(TTL);
        // End to end with the real executor (every 100 ms): allow a generous 10 s.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!server.send("POST", "/size", null).body().equals("0") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("0", server.send("POST", "/size", null).body());
        assertEquals(0, metric("cache_bytes"));

        server.close();
        server = null;
        reclaimer.join(5_000);
        assertFalse(reclaimer.isAlive(), "the reclaimer thread outlived the handler");
    }

    private static java.util.Set<Thread> reclaimerThreads() {
        java.util.Set<Thread> threads = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("kvcache-reclaimer") && t.isAlive()) {
                threads.add(t);
            }
        }
        return threads;
    }
}
