/**
 * kvcache core: a zero-dependency, lock-free expiring cache.
 *
 * <p>Only {@link dev.kvcache.core} is exported; the engine behind it is package-private.
 */
module dev.kvcache.core {
    exports dev.kvcache.core;
}
