package dev.kvcache.core;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * {@link LoadingCache}: an {@link ExpiringCache} and its {@link CacheLoader}. Every {@link KvCache}
 * method forwards to the engine; the loading ones go through its {@link Loads} ({@code getAll}
 * through {@link BulkLoads}), so a plain cache pays
 * nothing for loading (no field, no check) and a loading cache's hit is the engine's hit plus one
 * call the JIT inlines.
 */
final class LoadingKvCache<K, V> implements LoadingCache<K, V> {
    private final ExpiringCache<K, V> cache;
    private final CacheLoader<? super K, V> loader;
    private final Function<K, V> loadOne;
    private final BulkLoads<K, V> bulkLoads;
    private final Executor refreshExecutor;

    LoadingKvCache(ExpiringCache<K, V> cache, CacheLoader<? super K, V> loader, Executor refreshExecutor) {
        this.cache = cache;
        this.loader = Objects.requireNonNull(loader, "loader");
        this.refreshExecutor = refreshExecutor;
        this.loadOne = this::load;
        this.bulkLoads = new BulkLoads<>(cache);
    }

    private V load(K key) {
        try {
            return loader.load(key);
        } catch (Throwable t) {
            throw Loads.<RuntimeException>rethrow(LoadException.reported(key, t));
        }
    }

    @Override
    public V get(K key) {
        return cache.get(key, loadOne);
    }

    @Override
    public Map<K, V> getAll(Iterable<? extends K> keys) {
        return bulkLoads.getAll(keys, loader, loadOne);
    }

    @Override
    public CompletableFuture<V> refresh(K key) {
        return cache.loads.refresh(key, loader, refreshExecutor);
    }

    // ---------------------------------------------------------------- KvCache, forwarded

    @Override
    public V getIfPresent(K key) {
        return cache.getIfPresent(key);
    }

    @Override
    public V get(K key, Function<? super K, ? extends V> loader) {
        return cache.get(key, loader);
    }

    @Override
    public CacheEntry<K, V> getEntryIfPresent(K key) {
        return cache.getEntryIfPresent(key);
    }

    @Override
    public void put(K key, V value) {
        cache.put(key, value);
    }

    @Override
    public boolean setTimeToLive(K key, Duration ttl) {
        return cache.setTimeToLive(key, ttl);
    }

    @Override
    public boolean touch(K key) {
        return cache.touch(key);
    }

    @Override
    public void put(K key, V value, Duration ttl) {
        cache.put(key, value, ttl);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return cache.putIfAbsent(key, value);
    }

    @Override
    public V putIfAbsent(K key, V value, Duration ttl) {
        return cache.putIfAbsent(key, value, ttl);
    }

    @Override
    public V replace(K key, V value) {
        return cache.replace(key, value);
    }

    @Override
    public boolean replace(K key, V expected, V value) {
        return cache.replace(key, expected, value);
    }

    @Override
    public boolean replace(K key, V expected, V value, Duration ttl) {
        return cache.replace(key, expected, value, ttl);
    }

    @Override
    public V remove(K key) {
        return cache.remove(key);
    }

    @Override
    public boolean remove(K key, V expected) {
        return cache.remove(key, expected);
    }

    @Override
    public void invalidateAll() {
        cache.invalidateAll();
    }

    @Override
    public long estimatedSize() {
        return cache.estimatedSize();
    }

    @Override
    public void cleanUp() {
        cache.cleanUp();
    }

    @Override
    public CacheStats stats() {
        return cache.stats();
    }

    @Override
    public ConcurrentMap<K, V> asMap() {
        return cache.asMap();
    }

    @Override
    public Policy<K, V> policy() {
        return cache.policy();
    }

    @Override
    public void close() {
        cache.close();
    }

    @Override
    public String toString() {
        return "Loading" + cache;
    }
}
