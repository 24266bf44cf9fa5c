package dev.kvcache.core.hostile;

import static dev.kvcache.core.testing.LoadingFixture.await;
import static dev.kvcache.core.testing.LoadingFixture.selfLoading;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import dev.kvcache.core.LoadingCache;
import dev.kvcache.core.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The cycle check's bookkeeping against waits that are not cycles: a caller interrupted while it waits
 * for another thread's load still gets that load's value and keeps its interrupt status; many callers
 * of one key, and callers that wait for loads in sequence (a's loader gets b while b's loader waits, on
 * another thread, for nothing of a's), all get values and never IllegalStateException.
 */
class HostileWaitInterruptTest {

    @Test
    void anInterruptedWaiterGetsTheValueAndKeepsItsInterruptStatus() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        LoadingCache<String, String> cache = KvCache.builder().ticker(new FakeTicker()).build(key -> {
            loads.incrementAndGet();
            loading.countDown();
            await(release);
            return "v";
        });
        Thread owner = new Thread(() -> cache.get("k"));
        owner.setDaemon(true);
        owner.start();
        await(loading);
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            waiting.countDown();
            try {
                outcome.set(cache.get("k"));
            } catch (Throwable t) {
                outcome.set(t);
            }
            interrupted.set(Thread.currentThread().isInterrupted());
        });
        waiter.setDaemon(true);
        waiter.start();
        await(waiting);
        waiter.interrupt();
        release.countDown();
        waiter.join(10_000);
        owner.join(10_000);
        assertFalse(waiter.isAlive());
        assertEquals("v", outcome.get());
        assertEquals(Boolean.TRUE, interrupted.get(), "the interrupt status was lost");
        assertEquals(1, loads.get());
    }

    /** a's loader gets b; b's loader waits until a's loader is waiting for b, then returns: no cycle. */
    @Test
    void waitsInSequenceAndManyWaitersOfOneKeyNeverFail() throws Exception {
        CountDownLatch bLoading = new CountDownLatch(1);
        CountDownLatch aWaitsForB = new CountDownLatch(1);
        LoadingCache<String, String> cache = selfLoading((self, key) -> {
            if (key.equals("a")) {
                await(bLoading);
                aWaitsForB.countDown(); // just before the get: b's loader goes on a little later
                return "a+" + self.get("b");
            }
            bLoading.countDown();
            await(aWaitsForB);
            return "B";
        });
        List<Thread> threads = new ArrayList<>();
        List<Object> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 16; i++) {
            String key = i % 2 == 0 ? "b" : "a";
            Thread t = new Thread(() -> {
                try {
                    outcomes.add(cache.get(key));
                } catch (Throwable e) {
                    outcomes.add(e);
                }
            });
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive(), "deadlocked");
        }
        assertEquals(16, outcomes.size());
        for (Object outcome : outcomes) {
            assertTrue("a+B".equals(outcome) || "B".equals(outcome), String.valueOf(outcome));
        }
    }
}
