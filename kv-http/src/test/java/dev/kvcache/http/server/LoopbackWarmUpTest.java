package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import dev.kvcache.http.WarmUpThreads;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loopback half of {@code --warm-up}: its client frames every answer the server gives to its mix of
 * requests, with and without a token; the twin it talks to is a server of its own (the real one's cache is
 * untouched), gone when the warm-up returns; an interrupt (a stop signal) ends it at once.
 */
@Tag("heavy") // .ci/run runs it on JDK 17 only: warm-ups run in real time, whatever the JDK
class LoopbackWarmUpTest {

    @Test
    void theClientReadsEveryAnswerToItsMixAndItsWritesReachTheServer() throws Exception {
        for (int depth : new int[] {1, 10}) {
            KvServer kv = KvServer.start(config("--warm-up", "0"), new FakeTicker(), Clock.systemUTC());
            try {
                WarmUpTraffic traffic = new WarmUpTraffic(kv.port(), depth, null, 7);
                long answers = traffic.run(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400));
                assertNull(traffic.failure(), "depth " + depth);
                assertTrue(answers >= 20, "depth " + depth + ": " + answers + " answers");
                assertTrue(entries(kv) > 0, "depth " + depth + ": no write reached the cache");
            } finally {
                kv.stop();
            }
        }
    }

    @Test
    void withATokenTheClientIsLetInAndWithoutItItIsNot() throws Exception {
        KvServer kv = KvServer.start(config("--warm-up", "0", "--auth-token", "s3cret-token"), new FakeTicker(),
                Clock.systemUTC());
        try {
            WarmUpTraffic refused = new WarmUpTraffic(kv.port(), 10, null, 7);
            refused.run(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200)); // 401s; the server may close
            assertEquals(0, entries(kv), "writes without the token");

            WarmUpTraffic allowed = new WarmUpTraffic(kv.port(), 10, "s3cret-token", 7);
            assertTrue(allowed.run(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300)) > 0);
            assertNull(allowed.failure());
            assertTrue(entries(kv) > 0, "no write with the token reached the cache");
        } finally {
            kv.stop();
        }
    }

    @Test
    void theTwinServesOnItsOwnCacheAndIsGoneAfterwards() throws Exception {
        ServerConfig config = config("--warm-up", "0", "--auth-token", "s3cret-token");
        KvServer twin = KvServer.twin(config, new FakeTicker(), Clock.systemUTC());
        long answers = LoopbackWarmUp.run(twin, "s3cret-token", TimeUnit.MILLISECONDS.toNanos(500));
        assertTrue(answers >= 20, answers + " answers");
        assertTrue(entries(twin) > 0, "the twin's cache holds the warm-up's writes");
        assertTrue(twin.jetty().isStopped(), "the twin still runs: " + twin.jetty().getState());
        assertFalse(WarmUpThreads.alive(), "a warm-up thread outlived the warm-up");
    }

    @Test
    void theServersOwnCacheIsEmptyAfterALoopbackWarmUp() throws Exception {
        KvServer kv = KvServer.start(config("--warm-up", "700ms"), new FakeTicker(), Clock.systemUTC());
        try {
            assertEquals(0, entries(kv));
            assertFalse(WarmUpThreads.alive(), "a warm-up thread outlived the warm-up");
        } finally {
            kv.stop();
        }
    }

    @Test
    @Timeout(60)
    void aTwinThatTakesOneConnectionAtATimeDoesNotHoldTheStartUp() throws Exception {
        // The second connection waits in the accept queue until the first closes at the warm-up's end.
        long beginNanos = System.nanoTime();
        KvServer kv = KvServer.start(config("--warm-up", "600ms", "--max-connections", "1"), new FakeTicker(),
                Clock.systemUTC());
        try {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos);
            assertTrue(millis < 10_000, "the start took " + millis + " ms");
            assertFalse(WarmUpThreads.alive(), "a warm-up thread outlived the warm-up");
        } finally {
            kv.stop();
        }
    }

    @Test
    @Timeout(60)
    void aServerThatNeverAnswersHoldsTheWarmUpOnlyForItsGrace() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            long beginNanos = System.nanoTime();
            long answers = LoopbackWarmUp.traffic(silent.getLocalPort(), null,
                    beginNanos + TimeUnit.MILLISECONDS.toNanos(200));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos);
            assertEquals(0, answers);
            assertTrue(millis >= 200 && millis < 5_000, "returned after " + millis + " ms");
            assertFalse(WarmUpThreads.alive(), "a warm-up thread outlived the warm-up");
        }
    }

    @Test
    void anInterruptEndsTheWarmUpAtOnceAndStaysSet() throws Exception {
        KvServer twin = KvServer.twin(config("--warm-up", "0"), new FakeTicker(), Clock.systemUTC());
        AtomicLong endedNanos = new AtomicLong();
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread warming = new Thread(() -> {
            LoopbackWarmUp.run(twin, null, TimeUnit.SECONDS.toNanos(30));
            endedNanos.set(System.nanoTime());
            interruptKept.set(Thread.currentThread().isInterrupted());
        }, "warming");
        warming.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!WarmUpThreads.alive() || twin.port() <= 0) {
            assertTrue(System.nanoTime() < deadline, "the loopback warm-up never started");
            Thread.sleep(5);
        }
        Thread.sleep(200); // traffic flowing
        long interruptNanos = System.nanoTime();
        warming.interrupt();
        warming.join(10_000);
        assertFalse(warming.isAlive(), "still warming up 10 s after the interrupt");
        assertTrue(endedNanos.get() - interruptNanos < TimeUnit.SECONDS.toNanos(3),
                TimeUnit.NANOSECONDS.toMillis(endedNanos.get() - interruptNanos) + " ms after the interrupt");
        assertTrue(interruptKept.get(), "the interrupt was swallowed");
        assertFalse(WarmUpThreads.alive(), "a warm-up thread outlived the warm-up");
    }

    private static long entries(KvServer kv) {
        LongAdder count = new LongAdder();
        kv.handler().forEachEntry(entry -> count.increment());
        return count.sum();
    }

    private static ServerConfig config(String... flags) {
        String[] all = new String[flags.length + 2];
        all[0] = "--port";
        all[1] = "0";
        System.arraycopy(flags, 0, all, 2, flags.length);
        return ServerConfig.parse(all, Map.of());
    }
}
