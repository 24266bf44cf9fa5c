package dev.kvcache.bench.http;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.Arrays;
import java.util.List;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Generators of {@link HttpOp} sequences. Keys come from a small range so that requests collide; TTLs
 * and clock moves favour the boundaries around the default TTL (1000 ms) where off-by-one mistakes live.
 */
final class HttpOps {
    static final int KEYS = 4;

    private static final List<HttpOp.Ttl> TTLS = List.of(
            HttpOp.Ttl.DEFAULT, HttpOp.Ttl.DEFAULT, HttpOp.Ttl.DEFAULT,
            new HttpOp.Ttl(HttpOp.TtlSource.QUERY, "1", 1),
            new HttpOp.Ttl(HttpOp.TtlSource.QUERY, "999ms", 999),
            new HttpOp.Ttl(HttpOp.TtlSource.QUERY, "2s", 2_000),
            new HttpOp.Ttl(HttpOp.TtlSource.QUERY, "1m", 60_000),
            new HttpOp.Ttl(HttpOp.TtlSource.HEADER, "1500", 1_500),
            new HttpOp.Ttl(HttpOp.TtlSource.HEADER, "1s", 1_000),
            new HttpOp.Ttl(HttpOp.TtlSource.HEADER, "1h", 3_600_000));

    private static final List<String> CONTENT_TYPES =
            Arrays.asList(null, null, "application/json", "application/octet-stream", "text/plain; charset=utf-8");

    private HttpOps() {}

    static Gen<List<HttpOp>> sequences(int maxLength) {
        return lists().of(op()).ofSizeBetween(1, maxLength);
    }

    static Gen<HttpOp> op() {
        Gen<Integer> key = integers().between(0, KEYS - 1);
        Gen<Boolean> namespaced = booleans().all();
        Gen<HttpOp.Precondition> precondition = Generate.frequency(List.of(
                Pair.of(6, Generate.constant(HttpOp.Precondition.NONE)),
                Pair.of(2, Generate.constant(HttpOp.Precondition.CREATE_ONLY)),
                Pair.of(1, Generate.constant(HttpOp.Precondition.IF_PRESENT)),
                Pair.of(3, Generate.constant(HttpOp.Precondition.MATCH_LAST_SEEN)),
                Pair.of(1, Generate.constant(HttpOp.Precondition.MATCH_STALE))));
        Gen<HttpOp.Ttl> ttl = Generate.pick(TTLS);
        Gen<String> contentType = Generate.pick(CONTENT_TYPES);
        Gen<Boolean> empty = integers().between(0, 9).map(i -> i == 0);
        Gen<HttpOp> put = write("PUT", key, namespaced, ttl, precondition, contentType, empty);
        Gen<HttpOp> post = write("POST", key, namespaced, ttl, precondition, contentType, empty);
        Gen<HttpOp> get = key.zip(namespaced, booleans().all(), (k, n, inm) -> new HttpOp.Read("GET", k, n, inm));
        Gen<HttpOp> head = key.zip(namespaced, (k, n) -> new HttpOp.Read("HEAD", k, n, false));
        Gen<HttpOp> delete = key.zip(namespaced, precondition, HttpOp.Delete::new);
        Gen<HttpOp> advance = Generate.pick(List.of(1L, 499L, 500L, 998L, 999L, 1_000L, 1_001L, 60_000L))
                .map(HttpOp.Advance::new);
        return Generate.frequency(List.of(
                Pair.of(5, put), Pair.of(4, post), Pair.of(6, get), Pair.of(2, head), Pair.of(2, delete),
                Pair.of(4, advance)));
    }

    private static Gen<HttpOp> write(String method, Gen<Integer> key, Gen<Boolean> namespaced, Gen<HttpOp.Ttl> ttl,
            Gen<HttpOp.Precondition> precondition, Gen<String> contentType, Gen<Boolean> empty) {
        return key.zip(namespaced, ttl, precondition, (k, n, t, p) -> new Object[] {k, n, t, p})
                .zip(contentType, empty, (a, type, e) -> new HttpOp.Write(method, (Integer) a[0], (Boolean) a[1],
                        (HttpOp.Ttl) a[2], (HttpOp.Precondition) a[3], type, e));
    }
}
