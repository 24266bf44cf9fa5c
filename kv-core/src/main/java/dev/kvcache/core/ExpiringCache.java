package dev.kvcache.core;

/** The engine; being written. */
abstract class ExpiringCache<K, V> implements KvCache<K, V> {
    ExpiringCache(KvCacheBuilder<K, V> builder) {}
}
