package dev.kvcache.bench.http;

import static org.quicktheories.QuickTheory.qt;

import dev.kvcache.bench.testing.Minimizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stateful properties of the HTTP server, driven through HTTP only: random sequences of
 * {@code PUT}/{@code POST}/{@code GET}/{@code HEAD}/{@code DELETE} on a small key space, with TTLs
 * (query and header), conditional writes and deletes ({@code If-None-Match: *}, {@code If-Match: *},
 * {@code If-Match} with the last ETag seen or a stale one), conditional reads, and moves of the fake
 * clock, agree answer by answer with {@link HttpModel}. One server for the class; each example gets a
 * fresh handler and clock. A failure is shrunk by QuickTheories, then cut to a minimal sequence.
 */
class HttpStatefulPropertyTest {
    private static final int EXAMPLES = 100;
    private static final int MAX_OPS = 30;

    private static KvTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new KvTestServer();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void keyRoutesBehaveLikeAMapWithDeadlinesAndVersions() {
        qt().withExamples(EXAMPLES).withShrinkCycles(20).forAll(HttpOps.sequences(MAX_OPS))
                .checkAssert(ops -> Minimizer.checkMinimized(ops, seq -> new HttpHarness(server).run(seq)));
    }
}
