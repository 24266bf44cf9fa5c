package dev.kvcache.core.lincheck;

import dev.kvcache.core.KvCache;
import org.junit.jupiter.api.Test;

/** Linearizability of a cache bounded to two entries over three keys, so that writes evict. */
public class BoundedLincheckTest extends CacheOperations {
    private static final int MAXIMUM_SIZE = 2;

    public BoundedLincheckTest() {
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
