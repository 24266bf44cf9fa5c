package dev.kvcache.http;

import dev.kvcache.core.CacheEntry;
import dev.kvcache.core.CacheStats;
import dev.kvcache.core.KvCache;
import dev.kvcache.core.RemovalCause;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpField;

/**
 * The cache behind a {@link KvHandler} and the rules of writing to it: versions, preconditions, the
 * entry-count and byte bounds, and the count of payload bytes held. Every operation is one or a few
 * lock-free kv-core calls; none blocks.
 *
 * <p>Conditional writes loop on kv-core's atomic {@code putIfAbsent}/{@code replace}: a precondition
 * is checked against the value read, and the write lands only if that value is still the current
 * one (see {@link StoredValue#equals}), otherwise the check is repeated against the newer value.
 *
 * <p>Byte accounting, for a cache this store built: every write goes through this class (the cache
 * is never handed out), which adds a value's payload before it stores it and takes it back if the
 * write did not land; the cache's removal listener subtracts every value that leaves, whatever the
 * cause (replaced, deleted, expired, evicted). A value is thus added before it can be removed, so the
 * count never goes below the bytes held, and it exceeds them only by the writes in progress.
 */
final class KeyStore {
    /**
     * What an entry costs beyond its key and value bytes, estimated from the object layouts (64-bit JVM,
     * compressed references): kv-core's node and table slot (about 80 B; a weighted node keeps its weight),
     * the {@link StoredValue}, its ETag field and string (about 120 B), and the headers of the key's and
     * value's arrays and the key's String (about 56 B). Counted in each entry's weight, so that the byte
     * bound holds for tiny entries too: without it, a flood of one-byte values under a 32 MiB bound could
     * hold millions of entries and several hundred MiB of heap.
     */
    static final int ENTRY_OVERHEAD_BYTES = 256;

    enum WriteOutcome { REPLACED, CREATED, PRECONDITION_FAILED }

    enum DeleteOutcome { DELETED, ABSENT, PRECONDITION_FAILED }

    private final KvCache<String, StoredValue> cache;
    /** The TTL writes without one get, when it is one fixed duration: {@code null} for a shared cache. */
    private final Duration defaultTtl;
    private final int minWeight;
    private final LongAdder payloadBytes = new LongAdder();
    /** Whether this store built the cache (and so sees every removal through its listener). */
    private final boolean owned;
    /** The byte bound of the cache this store built; {@code Long.MAX_VALUE} for a shared cache (the application's). */
    private final long maxBytes;
    private final int maxValueBytes;
    /** Told the key of every change made through this store, and of every removal its own cache reports. */
    private volatile java.util.function.Consumer<String> changes = key -> { };

    /**
     * A store over a cache that the application built and may share; see {@link #payloadBytes()}. Writes
     * and touches without a TTL get what the cache's own TTL-less methods give (its default TTL, its
     * expiry function, its time-to-idle), not {@code options.defaultTtl()}.
     */
    KeyStore(KvCache<String, StoredValue> cache, KvHandlerOptions options) {
        this.cache = java.util.Objects.requireNonNull(cache, "cache");
        this.defaultTtl = null; // the cache decides: an expiry function may give each entry its own
        this.minWeight = 1;
        this.owned = false;
        this.maxBytes = Long.MAX_VALUE;
        this.maxValueBytes = options.maxValueBytes();
    }

    KeyStore(KvHandlerOptions options) {
        this(options, options.defaultTtl());
    }

    /** A store built as {@code options} say, but with {@code ttl} as its TTL ({@link WarmUp}'s throwaway). */
    KeyStore(KvHandlerOptions options, Duration ttl) {
        this.owned = true;
        this.maxBytes = options.maxBytes();
        this.maxValueBytes = options.maxValueBytes();
        this.defaultTtl = ttl;
        this.minWeight = minWeight(options);
        this.cache = KvCache.builder()
                .timeToLive(ttl)
                .ticker(options.ticker())
                .recordStats()
                .<String, StoredValue>maximumWeight(options.maxBytes(), this::weigh)
                .removalListener(this::onRemoval)
                .build();
    }

    /**
     * Has {@code listener} told the key of each write and delete made through this store (after it
     * landed), and, for a cache this store built, of each removal whatever the cause (expiry, eviction);
     * for the watches. Called on the writer's thread; it must be quick and must not throw.
     */
    void onChange(java.util.function.Consumer<String> listener) {
        this.changes = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** @return the TTL of writes that give none, or {@code null} when the cache decides it per entry (a shared cache) */
    Duration defaultTtl() {
        return defaultTtl;
    }

    /** @return the live entry of {@code key}, with its remaining TTL, or {@code null} */
    CacheEntry<String, StoredValue> read(String key) {
        return cache.getEntryIfPresent(key);
    }

    /**
     * @return the remaining TTL of {@code touched} as the key's live entry ({@link KvCache#NEVER} if it never
     *     expires), as the cache holds it (what a touch of a shared cache answers with: the cache's expiry
     *     function or idle time may give other than the request asked), or {@link Duration#ZERO} if the key no
     *     longer holds that value (it expired, or was removed or replaced since); a quiet read, which runs no
     *     read hook and counts nothing
     */
    Duration remaining(String key, StoredValue touched) {
        CacheEntry<String, StoredValue> entry = cache.policy().getEntryIfPresentQuietly(key);
        if (entry == null || entry.getValue() != touched) {
            return Duration.ZERO;
        }
        return entry.expires() ? entry.expiresIn() : KvCache.NEVER;
    }

    /**
     * @return whether {@code conditions} hold against the key's live value now, read quietly (no read hook,
     *     no statistic); a hint only, since another write may land next: {@link #write} judges them again
     */
    boolean preconditionsHold(String key, Conditions conditions) {
        CacheEntry<String, StoredValue> entry = cache.policy().getEntryIfPresentQuietly(key);
        return conditions.allowsWrite(entry == null ? null : entry.getValue());
    }

    /** @return a new value with a version no other write of this store has used */
    StoredValue newValue(byte[] bytes, HttpField contentType) {
        return new StoredValue(bytes, contentType, StoredValue.nextVersion());
    }

    /**
     * Stores a value if the preconditions hold.
     *
     * @param ttl the value's TTL, or {@code null} for the cache's own (its TTL-less methods)
     * @return whether it replaced a live value, created one, or was refused
     */
    WriteOutcome write(String key, StoredValue value, Duration ttl, Conditions conditions) {
        Duration lifetime = ttl;
        if (conditions.isNone()) {
            adding(key, value);
            if (lifetime == null) {
                cache.put(key, value);
            } else {
                cache.put(key, value, lifetime);
            }
            changes.accept(key);
            // The caller does not need to know whether it replaced: only POST/PUT answers read it, and
            // they answer the same for both without preconditions.
            return WriteOutcome.REPLACED;
        }
        adding(key, value);
        WriteOutcome outcome = conditionalWrite(key, value, lifetime, conditions);
        if (outcome == WriteOutcome.PRECONDITION_FAILED) {
            notAdded(key, value);
        } else {
            changes.accept(key);
        }
        return outcome;
    }

    private WriteOutcome conditionalWrite(String key, StoredValue value, Duration lifetime, Conditions conditions) {
        if (conditions.createOnly()) {
            return putIfAbsent(key, value, lifetime) == null ? WriteOutcome.CREATED : WriteOutcome.PRECONDITION_FAILED;
        }
        for (;;) {
            StoredValue current = cache.getIfPresent(key);
            if (!conditions.allowsWrite(current)) {
                return WriteOutcome.PRECONDITION_FAILED;
            }
            if (current == null) {
                if (putIfAbsent(key, value, lifetime) == null) {
                    return WriteOutcome.CREATED;
                }
            } else if (lifetime == null ? cache.replace(key, current, value) : cache.replace(key, current, value, lifetime)) {
                return WriteOutcome.REPLACED;
            }
            // Another write landed between the read and ours: judge the preconditions again.
        }
    }

    /**
     * Gives a live entry a new TTL from now, keeping its value and version (touch, set a TTL, never
     * expire). Atomic per key: without preconditions one {@link KvCache#setTimeToLive} (no notification,
     * no byte change); with them, a CAS loop on {@code replace(key, current, current, ttl)}, so the new TTL
     * lands only on the value the preconditions were judged against, and a write that lands meanwhile is
     * never undone but judged in turn.
     *
     * @param ttl the new TTL, positive, or {@link KvCache#NEVER}; {@code null} restarts the TTL a write
     *     would get ({@link KvCache#touch})
     * @return the entry's value, {@code null} if absent, or {@link #PRECONDITION_FAILED_VALUE}
     */
    StoredValue setTimeToLive(String key, Duration ttl, Conditions conditions) {
        if (conditions.isNone()) {
            for (;;) {
                StoredValue current = cache.getIfPresent(key);
                if (current == null) {
                    return null;
                }
                if (ttl == null ? cache.touch(key) : cache.setTimeToLive(key, ttl)) {
                    // The value answered is the one read; a write that landed in between keeps its own
                    // value and now this TTL, which is what a TTL change after that write would give.
                    return current;
                }
                // expired or removed between the read and the change: look again (it is absent now,
                // unless a new write created it)
            }
        }
        for (;;) {
            StoredValue current = cache.getIfPresent(key);
            if (!conditions.allowsWrite(current)) {
                return PRECONDITION_FAILED_VALUE;
            }
            if (current == null) {
                return null;
            }
            // The replace reports the same value as displaced, and the listener takes its bytes back.
            if (replace(key, current, current, ttl)) {
                return current;
            }
        }
    }

    private StoredValue putIfAbsent(String key, StoredValue value, Duration ttl) {
        return ttl == null ? cache.putIfAbsent(key, value) : cache.putIfAbsent(key, value, ttl);
    }

    /** What {@link #setTimeToLive} returns when a precondition fails. */
    static final StoredValue PRECONDITION_FAILED_VALUE = new StoredValue(new byte[0], StoredValue.TEXT_PLAIN, 0);

    /** As {@link KvCache#replace(Object, Object, Object, Duration)}, counting the bytes; {@code ttl} null for the cache's own. */
    boolean replace(String key, StoredValue expected, StoredValue value, Duration ttl) {
        adding(key, value);
        if (ttl == null ? cache.replace(key, expected, value) : cache.replace(key, expected, value, ttl)) {
            changes.accept(key);
            return true;
        }
        notAdded(key, value);
        return false;
    }

    /** As {@link KvCache#putIfAbsent(Object, Object, Duration)}, counting the bytes; {@code ttl} null for the cache's own. */
    boolean create(String key, StoredValue value, Duration ttl) {
        adding(key, value);
        if (putIfAbsent(key, value, ttl) == null) {
            changes.accept(key);
            return true;
        }
        notAdded(key, value);
        return false;
    }

    /**
     * Removes every live entry whose key starts with {@code prefix}, as the map's iteration meets it, and
     * only if it still holds the value met ({@code remove(key, value)}): a value written meanwhile stays.
     * Weakly consistent: keys written during the flush may or may not be removed. O(entries).
     *
     * @param prefix the keys' prefix; {@code ""} for every key
     * @return the number of entries removed
     */
    long flush(String prefix) {
        long removed = 0;
        for (java.util.Map.Entry<String, StoredValue> entry : cache.asMap().entrySet()) {
            if (entry.getKey().startsWith(prefix) && cache.remove(entry.getKey(), entry.getValue())) {
                changes.accept(entry.getKey());
                removed++;
            }
        }
        return removed;
    }

    /**
     * @return the live keys, as {@link KvCache#asMap()}'s key set iterates them: weakly consistent, one
     *     table segment copied at a time, so a key present for the whole walk is met exactly once, across
     *     table resizes too
     */
    java.util.Iterator<String> keys() {
        return cache.asMap().keySet().iterator();
    }

    /** Removes a key's value if the preconditions hold. */
    DeleteOutcome delete(String key, Conditions conditions) {
        if (conditions.isNone()) {
            if (cache.remove(key) == null) {
                return DeleteOutcome.ABSENT;
            }
            changes.accept(key);
            return DeleteOutcome.DELETED;
        }
        for (;;) {
            StoredValue current = cache.getIfPresent(key);
            if (!conditions.allowsWrite(current)) {
                return DeleteOutcome.PRECONDITION_FAILED;
            }
            if (current == null) {
                return DeleteOutcome.ABSENT;
            }
            if (cache.remove(key, current)) {
                changes.accept(key);
                return DeleteOutcome.DELETED;
            }
        }
    }

    /**
     * Calls {@code action} with each live entry and its remaining TTL, as
     * {@link dev.kvcache.core.KvCache#asMap()} iterates them: weakly consistent, so writes during the
     * walk may or may not be seen; an entry that expires or is removed meanwhile is skipped.
     */
    void forEachLive(java.util.function.Consumer<? super CacheEntry<String, StoredValue>> action) {
        for (String key : cache.asMap().keySet()) {
            CacheEntry<String, StoredValue> entry = cache.getEntryIfPresent(key);
            if (entry != null) {
                action.accept(entry);
            }
        }
    }

    /**
     * Stores a value restored from a snapshot, with its old version, and makes sure that versions of
     * new writes stay above it (their ETags must not collide with restored ones).
     *
     * @param ttl the remaining time-to-live, positive, or {@link dev.kvcache.core.KvCache#NEVER}
     */
    void restore(String key, StoredValue value, Duration ttl) {
        StoredValue.versionsAbove(value.version());
        adding(key, value);
        cache.put(key, value, ttl);
    }

    /** @return the number of entries, an estimate that counts expired entries not yet reclaimed */
    long size() {
        return cache.estimatedSize();
    }

    /**
     * @return the payload bytes (keys and values) of the entries held, expired ones not yet reclaimed
     *     included. When this store built the cache, a count kept as entries come and go (see the class
     *     comment): exact when no write is in progress, otherwise higher by those writes' payloads.
     *     When the application supplied the cache, and so may write to it directly, a sum over the
     *     entries on each call (O(n), weakly consistent under concurrent writes).
     */
    long payloadBytes() {
        if (!owned) {
            long sum = 0;
            for (java.util.Map.Entry<String, StoredValue> e : cache.asMap().entrySet()) {
                sum += payload(e.getKey(), e.getValue());
            }
            return sum;
        }
        return payloadBytes.sum();
    }

    /** Reclaims every expired entry now ({@link KvCache#cleanUp()}); for the {@link Reclaimer}. */
    void cleanUp() {
        cache.cleanUp();
    }

    /** Closes the cache ({@link KvCache#close()}); for {@link WarmUp}'s throwaway store only. */
    void close() {
        cache.close();
    }

    /** @return the cache's TTL and bound, for {@code /stats} */
    dev.kvcache.core.Policy<String, StoredValue> policy() {
        return cache.policy();
    }

    /** @return whether this store built its cache (false: the application supplied it) */
    boolean ownsCache() {
        return owned;
    }

    CacheStats stats() {
        return cache.stats();
    }

    /** Counts a value about to be stored: before, so that its removal can never be counted first. */
    private void adding(String key, StoredValue value) {
        if (owned) {
            payloadBytes.add(payload(key, value));
        }
    }

    /** Takes back {@link #adding} for a write that did not land. */
    private void notAdded(String key, StoredValue value) {
        if (owned) {
            payloadBytes.add(-payload(key, value));
        }
    }

    /**
     * The most value bytes a write of {@code key} may bring: {@code maxValueBytes}, and, in a cache this store
     * built, what its byte bound leaves beside the key and the per-entry estimate (an entry heavier than the
     * whole bound would be evicted as soon as it was written, and others with it, so such a write is refused).
     */
    int maxValueBytes(String key) {
        return (int) Math.min(maxValueBytes, heldBytes(key));
    }

    /** The sentence of a 413 for a value of {@code key} over {@link #maxValueBytes(String)}. */
    String tooLarge(String key) {
        long held = heldBytes(key);
        return held < maxValueBytes
                ? "Value too large to be held: with its key it would weigh more than the cache's byte bound"
                        + " (maxBytes, --max-bytes); at most " + held + " bytes for this key"
                : "Value too large: the limit is " + maxValueBytes + " bytes";
    }

    private long heldBytes(String key) {
        return owned ? Math.max(0, maxBytes - ENTRY_OVERHEAD_BYTES - KeyParser.utf8Length(key)) : Long.MAX_VALUE;
    }

    private int weigh(String key, StoredValue value) {
        return weight(key, value, minWeight);
    }

    /** The least weight of an entry, so that the byte bound keeps the count within {@code maxEntries} too. */
    static int minWeight(KvHandlerOptions options) {
        return (int) Math.min(Integer.MAX_VALUE, (options.maxBytes() + options.maxEntries() - 1) / options.maxEntries());
    }

    /** An entry's weight against the byte bound: see {@link KvHandlerOptions#weightOf}. */
    static int weight(String key, StoredValue value, int minWeight) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(minWeight, payload(key, value) + ENTRY_OVERHEAD_BYTES));
    }

    /** Every value that leaves a cache this store built, whatever the cause, was counted by {@link #adding}. */
    private void onRemoval(String key, StoredValue value, RemovalCause cause) {
        payloadBytes.add(-payload(key, value));
        changes.accept(key);
    }

    private static long payload(String key, StoredValue value) {
        return KeyParser.utf8Length(key) + value.bytes().length;
    }
}
