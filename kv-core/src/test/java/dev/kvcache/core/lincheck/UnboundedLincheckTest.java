package dev.kvcache.core.lincheck;

import dev.kvcache.core.KvCache;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of an unbounded cache whose entries never expire: no default TTL, and a ticker that
 * never moves, so entries written with their own TTL stay live too.
 */
public class UnboundedLincheckTest extends CacheOperations {

    public UnboundedLincheckTest() {
        super(ticker -> KvCache.builder().ticker(ticker).build());
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
