package dev.kvcache.bench.property;

import java.util.HashMap;
import java.util.Map;

/**
 * The reference model of an expiring cache: a plain map of key to (value, deadline) and the time.
 * An entry is live while {@code now < deadline}; nothing else about expiry is modelled, because when
 * the real cache reclaims memory is not observable through its reads. Every write stores with its
 * own TTL or the default one, counted from that write: so does the compute family, whose stored
 * value gets the default TTL, restarted (also when it replaces a live value); a compute that returns
 * null removes the key, and {@code removeIf} removes each live entry it accepts. An expired entry is
 * absent to all of them: a compute function sees null for it. {@code setTimeToLive} and {@code touch}
 * give a live entry a new deadline from now, keeping its value, and leave an absent key absent.
 *
 * <p>With a time-to-idle (beside the TTL), a write's TTL sets the entry's hard end and its deadline is
 * {@code min(now + idle, end)}. A read hit with a read TTL (the idle time, or an expiry function's
 * read hook) moves the deadline to {@code min(now + ttl, end)} when that moves it later by more than
 * ttl/64, as {@code Expiry.afterReadNanos} and {@code timeToIdle} document.
 */
final class CacheModel {
    record Stored(int key, int value, long deadline, long hard) {}

    private final Map<Integer, Stored> entries = new HashMap<>();
    private final long idleNanos; // 0: none
    private long now;

    CacheModel(long idleNanos) {
        this.idleNanos = idleNanos;
    }

    long now() {
        return now;
    }

    void advance(long nanos) {
        now += nanos;
    }

    /** The live value of {@code key}, or null. */
    Integer live(int key) {
        Stored s = entries.get(key);
        return s != null && now < s.deadline ? s.value : null;
    }

    Stored store(int key, int value, long ttlNanos) {
        long hard = now + ttlNanos;
        Stored s = idleNanos == 0 ? new Stored(key, value, hard, Long.MAX_VALUE)
                : new Stored(key, value, Math.min(hard, now + idleNanos), hard);
        entries.put(key, s);
        return s;
    }

    /** A read hit of {@code key} whose read TTL is {@code ttlNanos} (0: reads move no deadline); its entry after. */
    Stored read(int key, long ttlNanos) {
        Stored s = entries.get(key);
        if (s == null || now >= s.deadline || ttlNanos == 0) {
            return s;
        }
        long target = Math.min(now + ttlNanos, s.hard);
        if (target - s.deadline > (ttlNanos >>> 6)) {
            s = new Stored(key, s.value, target, s.hard);
            entries.put(key, s);
        }
        return s;
    }

    void remove(int key) {
        entries.remove(key);
    }

    /** Drops {@code key} if it still holds {@code value} (the cache evicted it). */
    void evict(int key, int value) {
        Stored s = entries.get(key);
        if (s != null && s.value == value) {
            entries.remove(key);
        }
    }

    Map<Integer, Integer> liveView() {
        Map<Integer, Integer> view = new HashMap<>();
        entries.forEach((k, s) -> {
            if (now < s.deadline) {
                view.put(k, s.value);
            }
        });
        return view;
    }
}
