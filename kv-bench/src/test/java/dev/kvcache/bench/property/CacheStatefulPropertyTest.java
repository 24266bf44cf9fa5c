package dev.kvcache.bench.property;

import static org.quicktheories.QuickTheory.qt;

import dev.kvcache.bench.testing.Minimizer;
import org.junit.jupiter.api.Test;

/**
 * Stateful properties of kv-core: random sequences of writes, reads, removals, clock moves and
 * clean-ups agree, step by step, with a plain map plus deadlines ({@link CacheModel}). A failure is
 * shrunk by QuickTheories and then cut to a minimal sequence ({@link Minimizer}), printed as the calls
 * it made.
 */
class CacheStatefulPropertyTest {
    private static final int EXAMPLES = 400;
    private static final int MAX_OPS = 60;

    @Test
    void unboundedCacheBehavesLikeAMapWithDeadlines() {
        qt().withExamples(EXAMPLES).forAll(CacheOps.sequences(MAX_OPS))
                .checkAssert(ops -> Minimizer.checkMinimized(ops, seq -> CacheHarness.unbounded().run(seq)));
    }

    @Test
    void sizeBoundedCacheStaysWithinItsBoundAndReportsEveryEviction() {
        qt().withExamples(EXAMPLES).forAll(CacheOps.sequences(MAX_OPS))
                .checkAssert(ops -> Minimizer.checkMinimized(ops, seq -> CacheHarness.boundedBySize(4).run(seq)));
    }

    @Test
    void weightBoundedCacheStaysWithinItsBoundAndReportsEveryEviction() {
        qt().withExamples(EXAMPLES).forAll(CacheOps.sequences(MAX_OPS))
                .checkAssert(ops -> Minimizer.checkMinimized(ops, seq -> CacheHarness.boundedByWeight(9).run(seq)));
    }

    @Test
    void anExpiryFunctionWithAReadHookBehavesLikeItsModel() {
        qt().withExamples(EXAMPLES).forAll(CacheOps.sequences(MAX_OPS))
                .checkAssert(ops -> Minimizer.checkMinimized(ops, seq -> CacheHarness.withExpiryFunction().run(seq)));
    }

    @Test
    void timeToIdleCappedByATtlInABoundedCacheBehavesLikeItsModel() {
        qt().withExamples(EXAMPLES).forAll(CacheOps.sequences(MAX_OPS))
                .checkAssert(ops -> Minimizer.checkMinimized(ops, seq -> CacheHarness.idleCappedBySize(4).run(seq)));
    }
}
