package dev.kvcache.core.lincheck;

import dev.kvcache.core.KvCache;

/**
 * A cache bounded to two entries over three keys, so that writes evict: linearizable against a map
 * that may drop any entry while it is over the bound ({@link CacheModelVerifier}), and within its
 * bound whenever no operation runs.
 */
public class BoundedLincheckTest extends CacheOperations implements LincheckChecks {
    static final int MAXIMUM_SIZE = 2;

    public BoundedLincheckTest() {
        super(ticker -> KvCache.builder().ticker(ticker).maximumSize(MAXIMUM_SIZE).build());
    }

    @Override
    long bound() {
        return MAXIMUM_SIZE;
    }
}
