package dev.kvcache.core.hostile;

import java.util.function.IntFunction;

/** Key families for the flat-table tests: each maps an id to a key; equal ids give equal keys. */
enum HostileFlatTableKeys {
    INTEGER(id -> id),
    LONG_STRING(id -> "k".repeat(120) + id),
    /** Every key one hash; Comparable (the index's treap). */
    SAME_HASH_COMPARABLE(id -> new Ck(id, 0x5a5a5a5a)),
    /** Every key one hash; not Comparable (the index's linear list). */
    SAME_HASH_PLAIN(id -> new Pk(id, 0x5a5a5a5a)),
    /** Hashes agree in their low 4 bits (one segment with 16 segments), Comparable. */
    LOW_4_BITS(id -> new Ck(id, id << 4 | 3)),
    /** Hashes agree in their low 7 bits: one bin until the table passes 128 bins, Comparable. */
    LOW_7_BITS(id -> new Ck(id, id << 7 | 5)),
    /** Hashes agree in their low 10 bits: one bin until 1024 bins, then split at every doubling; not Comparable. */
    LOW_10_BITS_PLAIN(id -> new Pk(id, id << 10)),
    /** As above, Comparable, with pairs of ids sharing each hash (equal hashes inside the runs). */
    LOW_10_BITS_PAIRS(id -> new Ck(id, (id >>> 1) << 10));

    final IntFunction<Object> key;

    HostileFlatTableKeys(IntFunction<Object> key) {
        this.key = key;
    }

    Object key(int id) {
        return key.apply(id);
    }

    /** Comparable by id; hash chosen so that the table's spread hash is exactly {@code spread}. */
    record Ck(int id, int spread) implements Comparable<Ck> {
        @Override
        public int hashCode() {
            return HostileFlatTableProbe.hashCodeSpreadingTo(spread);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ck c && c.id == id;
        }

        @Override
        public int compareTo(Ck o) {
            return Integer.compare(id, o.id);
        }
    }

    /** Not Comparable; hash as for Ck. */
    record Pk(int id, int spread) {
        @Override
        public int hashCode() {
            return HostileFlatTableProbe.hashCodeSpreadingTo(spread);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Pk p && p.id == id;
        }
    }
}
