package dev.kvcache.core.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.KvCache;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.Spliterator;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * asMap().keySet()'s spliterator reports DISTINCT. In an indexed (long) bin, a new key of an existing
 * hash is chained right after its run's first node (BinIndex.addNew), not at the run's head as in a
 * short bin (checked by hand: the head key removed and put back comes back second). So an iteration
 * standing on the node after it when it comes back could return it twice. The window is a few
 * instructions of the segment's snapshot walk; this race has not hit it in its budget (evidence only).
 */
class HostileFlatTableDistinctTest {

    @Test
    void anIterationNeverReturnsAKeyTwice() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            KvCache<Object, Integer> cache = KvCache.builder().build();
            for (int id = 0; id < 40; id++) { // one hash: one indexed bin
                cache.put(new HostileFlatTableKeys.Ck(id, 0x5a5a5a5a), id);
            }
            assertTrue((cache.asMap().keySet().spliterator().characteristics() & Spliterator.DISTINCT) != 0);
            Object[] firstTwo = firstTwoKeys(cache, 0x5a5a5a5a);
            AtomicBoolean go = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                while (go.get()) {
                    for (Object k : firstTwo) { // the run's first key leaves and comes back, in turn
                        cache.remove(k);
                        cache.put(k, 1);
                    }
                }
            });
            writer.start();
            long passes = 0;
            String duplicate = null;
            long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            try {
                while (duplicate == null && System.nanoTime() < end) {
                    passes++;
                    Set<Object> seen = new HashSet<>();
                    for (Object k : cache.asMap().keySet()) {
                        if (!seen.add(k)) {
                            duplicate = k + " returned twice by one iteration (pass " + passes + ")";
                        }
                    }
                }
            } finally {
                go.set(false);
                writer.join();
            }
            assertTrue(duplicate == null, duplicate);
        });
    }

    private static Object[] firstTwoKeys(KvCache<?, ?> cache, int spread) throws ReflectiveOperationException {
        Object nt = HostileFlatTableProbe.nodeTable(cache);
        Field t = nt.getClass().getDeclaredField("table");
        t.setAccessible(true);
        Object[] bins = (Object[]) t.get(nt);
        Object head = bins[spread & (bins.length - 1)];
        Field key = head.getClass().getSuperclass() == Object.class ? head.getClass().getDeclaredField("key")
                : findField(head.getClass(), "key");
        Field next = findField(head.getClass(), "next");
        key.setAccessible(true);
        next.setAccessible(true);
        return new Object[] {key.get(head), key.get(next.get(head))};
    }

    private static Field findField(Class<?> c, String name) throws NoSuchFieldException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                return k.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // up
            }
        }
        throw new NoSuchFieldException(name);
    }
}
