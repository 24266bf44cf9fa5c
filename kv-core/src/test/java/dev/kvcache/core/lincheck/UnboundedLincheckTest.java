package dev.kvcache.core.lincheck;

import dev.kvcache.core.KvCache;

/**
 * Linearizability of an unbounded cache whose entries never expire: no default TTL, and a ticker that
 * never moves, so entries written with their own TTL stay live too.
 */
public class UnboundedLincheckTest extends CacheOperations implements LincheckChecks {

    public UnboundedLincheckTest() {
        super(ticker -> KvCache.builder().ticker(ticker).build());
    }
}
