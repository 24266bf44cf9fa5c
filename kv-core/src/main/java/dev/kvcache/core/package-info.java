/**
 * A concurrent in-memory cache whose entries expire a time-to-live after they were written.
 *
 * <p>Start at {@link dev.kvcache.core.KvCache#builder()}. The public types are:
 * <ul>
 *   <li>{@link dev.kvcache.core.KvCache}: the cache, with an {@link dev.kvcache.core.KvCache#asMap()} view;
 *   <li>{@link dev.kvcache.core.KvCacheBuilder}: its configuration (TTL, bounds, clock, listener, stats);
 *   <li>{@link dev.kvcache.core.Policy}: a read-only view of a built cache's TTL, bound and weighted size;
 *   <li>{@link dev.kvcache.core.Ticker}: the nanosecond time source, injectable for tests;
 *   <li>{@link dev.kvcache.core.Weigher}, {@link dev.kvcache.core.RemovalListener},
 *       {@link dev.kvcache.core.RemovalCause}: bounds and notifications;
 *   <li>{@link dev.kvcache.core.CacheStats}, {@link dev.kvcache.core.CacheEntry}: immutable snapshots.
 * </ul>
 * Everything else in this package is the engine and is package-private.
 */
package dev.kvcache.core;
