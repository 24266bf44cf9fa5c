package dev.kvcache.core.lincheck;

import dev.kvcache.core.KvCache;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of a bounded cache whose bound is never exceeded (as many entries as keys): the
 * bounded code paths (write buffer, policy, tombstones) run, but nothing is ever evicted.
 */
public class BoundedNoEvictionLincheckTest extends CacheOperations {
    private static final int MAXIMUM_SIZE = MAX_KEY;

    public BoundedNoEvictionLincheckTest() {
        super(ticker -> KvCache.builder().ticker(ticker).maximumSize(MAXIMUM_SIZE).build());
    }

    @Override
    long bound() {
        return MAXIMUM_SIZE;
    }

    @Test
    void stress() {
        LincheckBudget.stress().check(getClass());
    }

    @Test
    void modelChecking() {
        LincheckBudget.modelChecking().check(getClass());
    }
}
