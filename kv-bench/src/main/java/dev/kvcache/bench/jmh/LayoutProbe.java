package dev.kvcache.bench.jmh;

import dev.kvcache.core.HitPathProbe;
import dev.kvcache.core.KvCache;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import sun.misc.Unsafe;

/**
 * Diagnostic only: where the objects a hit touches sit in memory, in {@link CacheBenchmark}'s own
 * fork after its own population and collections, for {@code ConcurrentHashMap} and kvcache. Printed
 * at the end of a trial when the fork runs with {@code -Dkvbench.layout=true}; never on by default.
 *
 * <p>For each key of the thread's lookup sequence (first pass) it reports the share whose node
 * shares a 64 B line with the key's {@code Long} (then the key costs no miss of its own), the share
 * whose node's read span (the header through the value field) crosses a line, how far the node is from
 * its key, and how far each looked-up node is from the previous one (pages touched). Addresses are
 * compressed references decoded with the probed shift, so distances and line residues are exact as
 * long as the heap base is 64 B aligned (it is page aligned).
 *
 * <pre>
 * java -jar kv-bench/target/benchmarks.jar 'CacheBenchmark.getHit$' -f 1 -wi 2 -i 1 -p keys=scrambled \
 *     -p distribution=uniform -p peer=ConcurrentHashMap,kvcache -jvmArgsAppend "-Xms4g -Xmx4g -Dkvbench.layout=true"
 * </pre>
 */
final class LayoutProbe {
    private static final Unsafe UNSAFE = unsafe();
    private static final long ARRAY_BASE = Unsafe.ARRAY_OBJECT_BASE_OFFSET;

    private LayoutProbe() {}

    static boolean enabled() {
        return Boolean.getBoolean("kvbench.layout");
    }

    /** Prints the layout report for {@code peer}; only ConcurrentHashMap and kvcache are probed. */
    static void report(String peer, CacheAdapter adapter, Long[] keys, int[] sequence) {
        if (Unsafe.ARRAY_OBJECT_INDEX_SCALE != 4) {
            System.out.println("layout: compressed references are off; not probed");
            return;
        }
        Object target = field(adapter, adapter.getClass().getDeclaredFields()[0].getName());
        NodeFinder finder;
        int spanEnd; // offset of the last byte a hit reads in the node
        if (target instanceof ConcurrentHashMap) {
            finder = chmFinder((ConcurrentHashMap<?, ?>) target);
            spanEnd = 23; // hash @12, key @16, val @20
        } else if (peer.startsWith("kvcache")) {
            @SuppressWarnings("unchecked")
            KvCache<Long, Long> cache = (KvCache<Long, Long>) target;
            finder = key -> HitPathProbe.node(cache, key);
            spanEnd = 31; // hash @12, deadline @16, key @24, value @28
        } else {
            System.out.println("layout: " + peer + " not probed");
            return;
        }
        int shift = shift(keys);
        int n = Math.min(sequence.length, keys.length);
        long sameLine = 0;
        long spanCrosses = 0;
        long keyNear4k = 0;
        long nodeNextSamePage = 0;
        long nodeNext2m = 0;
        long keyBeforeNode = 0;
        long prevNode = -1;
        for (int i = 0; i < n; i++) {
            Long key = keys[sequence[i]];
            Object node = finder.node(key);
            long k = address(key, shift);
            long a = address(node, shift);
            if ((k + 16) >>> 6 == (a + 12) >>> 6 || (k + 16) >>> 6 == (a + spanEnd) >>> 6) {
                sameLine++;
            }
            if ((a + 12) >>> 6 != (a + spanEnd) >>> 6) {
                spanCrosses++;
            }
            if (Math.abs(a - k) < 4096) {
                keyNear4k++;
            }
            if (k < a) {
                keyBeforeNode++;
            }
            if (prevNode >= 0) {
                long d = Math.abs(a - prevNode);
                nodeNextSamePage += d < 4096 ? 1 : 0;
                nodeNext2m += d < (2 << 20) ? 1 : 0;
            }
            prevNode = a;
        }
        long gcs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
        }
        System.out.printf(Locale.ROOT, "%nlayout %s (shift %d): %d lookups, %d collections so far; key and node share a line %.1f %%;"
                        + " node read span crosses a line %.1f %%; key within 4 KiB of its node %.1f %%"
                        + " (key below node %.1f %%); next looked-up node within 4 KiB %.2f %%, within 2 MiB %.2f %%%n",
                peer, shift, n, gcs, 100.0 * sameLine / n, 100.0 * spanCrosses / n, 100.0 * keyNear4k / n,
                100.0 * keyBeforeNode / n, 100.0 * nodeNextSamePage / (n - 1), 100.0 * nodeNext2m / (n - 1));
    }

    private interface NodeFinder {
        Object node(Long key);
    }

    private static NodeFinder chmFinder(ConcurrentHashMap<?, ?> map) {
        try {
            long tableOffset = UNSAFE.objectFieldOffset(ConcurrentHashMap.class.getDeclaredField("table"));
            Class<?> nodeClass = Class.forName("java.util.concurrent.ConcurrentHashMap$Node");
            long keyOffset = UNSAFE.objectFieldOffset(nodeClass.getDeclaredField("key"));
            long nextOffset = UNSAFE.objectFieldOffset(nodeClass.getDeclaredField("next"));
            Object[] table = (Object[]) UNSAFE.getObject(map, tableOffset);
            return key -> {
                int h = key.hashCode();
                h = (h ^ (h >>> 16)) & 0x7fffffff;
                for (Object n = table[h & (table.length - 1)]; n != null; n = UNSAFE.getObject(n, nextOffset)) {
                    if (UNSAFE.getObject(n, keyOffset) == key) {
                        return n;
                    }
                }
                throw new IllegalStateException("key not in the map: " + key);
            };
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The compressed-reference shift: the keys were boxed back to back (24 B each: a 12 B header,
     * then the 8-aligned long), so most neighbours' references differ by 3 with a shift of 3, by 24 without.
     */
    private static int shift(Long[] keys) {
        int twos = 0;
        for (int i = 1; i < Math.min(keys.length, 1001); i++) {
            twos += Math.abs(narrow(keys[i]) - narrow(keys[i - 1])) == 3 ? 1 : 0;
        }
        return twos > 500 ? 3 : 0;
    }

    private static long address(Object o, int shift) {
        return narrow(o) << shift;
    }

    private static long narrow(Object o) {
        Object[] holder = {o};
        return UNSAFE.getInt(holder, ARRAY_BASE) & 0xFFFF_FFFFL;
    }

    private static Object field(Object owner, String name) {
        try {
            Field f = owner.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
