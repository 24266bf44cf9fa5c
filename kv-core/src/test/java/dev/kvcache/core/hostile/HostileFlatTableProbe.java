package dev.kvcache.core.hostile;

import dev.kvcache.core.KvCache;
import java.lang.reflect.Field;

/** Reads the flat table's internals by reflection (same module): its bin array length and SEGMENTS. */
final class HostileFlatTableProbe {
    private HostileFlatTableProbe() {
    }

    static Object nodeTable(KvCache<?, ?> cache) {
        try {
            Field t = cache.getClass().getDeclaredField("table");
            t.setAccessible(true);
            return t.get(cache);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static int tableLength(KvCache<?, ?> cache) {
        try {
            Object nt = nodeTable(cache);
            Field a = nt.getClass().getDeclaredField("table");
            a.setAccessible(true);
            return ((Object[]) a.get(nt)).length;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static int segments() {
        try {
            Field s = Class.forName("dev.kvcache.core.NodeTable").getDeclaredField("SEGMENTS");
            s.setAccessible(true);
            return s.getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** A hashCode whose spread (h ^ h >>> 16, as NodeTable.hash) is exactly {@code spread}. */
    static int hashCodeSpreadingTo(int spread) {
        return spread ^ (spread >>> 16);
    }
}
