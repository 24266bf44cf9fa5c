package dev.kvcache.http;

import dev.kvcache.core.Ticker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of a {@link KvHandler}: the default time-to-live, the limits it enforces, and the
 * clock its cache reads. Immutable; build one with {@link #builder()}, or take {@link #defaults()},
 * which reproduce the Go server (10 000 ms TTL) with the limits below.
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li>{@code maxKeyBytes} (default 250): longer keys (UTF-8) are refused with 414.
 *   <li>{@code maxValueBytes} (default 1 MiB): larger bodies are refused with 413, as soon as the
 *       {@code Content-Length} shows it or, for a chunked body, as soon as it grows past the limit; the
 *       body is never buffered beyond the limit.
 *   <li>{@code maxBytes} (default a quarter of the maximum heap, {@link #defaultMaxBytes()}) and
 *       {@code maxEntries} (default 2 000 000): bounds on what
 *       the cache holds, enforced together through kv-core's single weight bound. An entry weighs its
 *       payload (key bytes + value bytes) plus an estimated 256 bytes of per-entry objects, but at least
 *       {@code maxBytes / maxEntries}; keeping the total weight within {@code maxBytes} therefore keeps
 *       the memory the entries use near {@code maxBytes}, tiny entries included, and the count within
 *       {@code maxEntries}. When small and large entries mix, the cache may evict (per kv-core's
 *       S3-FIFO policy) a little before either figure is reached exactly. {@code maxBytes} may be at
 *       most {@value #MAX_HEAP_PERCENT} % of the maximum heap.
 * </ul>
 */
public final class KvHandlerOptions {
    /** The share of the maximum heap that {@link #defaultMaxBytes()} allows, in percent. */
    public static final int DEFAULT_HEAP_PERCENT = 25;
    /**
     * The largest share of the maximum heap that {@code maxBytes} may take, in percent: the rest is the
     * room that requests in flight (up to {@code maxValueBytes} each), Jetty's buffers and garbage not
     * yet collected need. Above it, a full cache runs the JVM out of memory instead of evicting.
     */
    public static final int MAX_HEAP_PERCENT = 75;
    /**
     * The least room, in bytes, that {@code maxBytes} must leave in the maximum heap, whatever the
     * percentage: on a small heap a quarter is too little (with {@code -Xmx32m}, 24 MiB held left 8 MiB,
     * and one client writing 256 KiB values ran the server out of memory until its threads died; 16 MiB
     * held served it).
     */
    public static final long MIN_HEAP_ROOM_BYTES = 16L << 20;
    private static final long DEFAULT_MAX_ENTRIES = 2_000_000;
    private static final KvHandlerOptions DEFAULTS = builder().build();

    private final Duration defaultTtl;
    private final int maxKeyBytes;
    private final int maxValueBytes;
    private final long maxEntries;
    private final long maxBytes;
    private final Ticker ticker;
    private final int missStatus;
    private final boolean allowFlush;
    private final int maxListLimit;
    private final int maxListCursors;
    private final Duration listCursorIdle;
    private final int maxWatchers;
    private final Duration maxWatchWait;
    private final int batchMaxItems;
    private final int batchMaxBytes;

    private KvHandlerOptions(Builder builder) {
        this.defaultTtl = builder.defaultTtl;
        this.maxKeyBytes = builder.maxKeyBytes;
        this.maxValueBytes = builder.maxValueBytes;
        this.maxEntries = builder.maxEntries;
        this.maxBytes = builder.maxBytes;
        this.ticker = builder.ticker;
        this.missStatus = builder.missStatus;
        this.allowFlush = builder.allowFlush;
        this.maxListLimit = builder.maxListLimit;
        this.maxListCursors = builder.maxListCursors;
        this.listCursorIdle = builder.listCursorIdle;
        this.maxWatchers = builder.maxWatchers;
        this.maxWatchWait = builder.maxWatchWait;
        this.batchMaxItems = builder.batchMaxItems;
        this.batchMaxBytes = builder.batchMaxBytes;
    }

    /**
     * @return the defaults: TTL 10 s, keys 250 bytes, values 1 MiB, 2 000 000 entries, a quarter of the
     *     maximum heap ({@link #defaultMaxBytes()}), the system ticker
     */
    public static KvHandlerOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The default bound on payload bytes held: {@value #DEFAULT_HEAP_PERCENT} % of the JVM's maximum heap
     * ({@link Runtime#maxMemory()}), so that a flood of large values is evicted long before the heap
     * fills, whatever {@code -Xmx} the server runs with; 256 MiB if the heap has no stated maximum;
     * never less than the default entry bound (one byte per entry).
     *
     * @return the default of {@code maxBytes}, in bytes
     */
    public static long defaultMaxBytes() {
        return heapShare(DEFAULT_HEAP_PERCENT);
    }

    /**
     * The bound {@code --max-bytes N%} means: a share of the JVM's maximum heap, as for
     * {@link #defaultMaxBytes()}.
     *
     * @param percent the share, in percent
     * @return {@code percent} % of the maximum heap (256 MiB for a heap without a stated maximum), at
     *     least the default entry bound
     */
    public static long heapShare(double percent) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        long share = maxHeap == Long.MAX_VALUE ? 256L << 20 : (long) (maxHeap * (percent / 100));
        return Math.max(DEFAULT_MAX_ENTRIES, share);
    }

    /**
     * Checks that a byte bound leaves the heap the room it needs: at most {@value #MAX_HEAP_PERCENT} % of
     * the JVM's maximum heap ({@link Runtime#maxMemory()}, about {@code -Xmx}), and at least
     * {@link #MIN_HEAP_ROOM_BYTES} (16 MiB) less than it. Always fits when the heap states no maximum.
     *
     * @param name what to call the bound in the message ({@code maxBytes}, {@code --max-bytes})
     * @param maxBytes the bound, in bytes
     * @return {@code null} if it fits; otherwise one sentence with the numbers and the rule
     */
    public static String heapRefusal(String name, long maxBytes) {
        return heapRefusal(name, maxBytes, Runtime.getRuntime().maxMemory());
    }

    static String heapRefusal(String name, long maxBytes, long maxHeap) {
        // As heapShare computes a percentage, so that "--max-bytes 75%" is exactly the limit.
        long limit = (long) (maxHeap * (MAX_HEAP_PERCENT / 100.0));
        if (maxHeap == Long.MAX_VALUE || maxBytes <= Math.min(limit, maxHeap - MIN_HEAP_ROOM_BYTES)) {
            return null;
        }
        if (maxBytes <= limit) {
            return name + " (" + humanBytes(maxBytes) + ") leaves less than " + humanBytes(MIN_HEAP_ROOM_BYTES)
                    + " of the maximum heap (" + humanBytes(maxHeap) + ", set by -Xmx) for requests in flight and"
                    + " garbage not yet collected, so lower " + name + " to at most "
                    + humanBytes(Math.max(0, maxHeap - MIN_HEAP_ROOM_BYTES)) + " or give the JVM a larger -Xmx";
        }
        return name + " (" + humanBytes(maxBytes) + ") is more than " + MAX_HEAP_PERCENT
                + "% of the maximum heap (" + humanBytes(maxHeap) + ", set by -Xmx): the rest is needed for"
                + " requests in flight and garbage not yet collected, so lower " + name + " to at most "
                + humanBytes(limit) + " or give the JVM a larger -Xmx";
    }

    /** @return {@code bytes} in the largest binary unit that keeps it at least 1, one decimal: 1.5 GiB */
    static String humanBytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        if (unit == 0) {
            return bytes + " B";
        }
        String text = String.format(java.util.Locale.ROOT, "%.1f", value);
        return (text.endsWith(".0") ? text.substring(0, text.length() - 2) : text) + " " + units[unit];
    }

    /** @return the time-to-live of values written without their own */
    public Duration defaultTtl() {
        return defaultTtl;
    }

    /** @return the longest key accepted, in UTF-8 bytes */
    public int maxKeyBytes() {
        return maxKeyBytes;
    }

    /** @return the largest value accepted, in bytes */
    public int maxValueBytes() {
        return maxValueBytes;
    }

    /** @return the most entries the cache holds */
    public long maxEntries() {
        return maxEntries;
    }

    /** @return the most bytes the cache holds: keys, values and an estimated 256 bytes per entry */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * @return the weight an entry has against {@link #maxBytes()} in a cache the handler builds: its key's UTF-8
     *     bytes, its value's bytes and an estimated 256 bytes, and at least {@code maxBytes / maxEntries}
     *     (rounded up), so that a total weight within {@code maxBytes} also keeps the count within
     *     {@code maxEntries}
     * @throws NullPointerException if an argument is null
     */
    public long weightOf(String key, StoredValue value) {
        return KeyStore.weight(key, value, KeyStore.minWeight(this));
    }

    /** @return the clock of the cache's expiry */
    public Ticker ticker() {
        return ticker;
    }

    /**
     * @return the status of a {@code GET} or {@code HEAD} of a missing or expired key: 404 (the default), or
     *     200 with an empty body, as the Go server answered
     */
    public int missStatus() {
        return missStatus;
    }

    /** @return whether {@code DELETE /kv/?prefix=P} and {@code ?all} may remove keys (default false) */
    public boolean allowFlush() {
        return allowFlush;
    }

    /** @return the largest {@code limit} of a key listing's page (default 1000) */
    public int maxListLimit() {
        return maxListLimit;
    }

    /** @return the most key listings open at once, each holding a server-side cursor (default 1024) */
    public int maxListCursors() {
        return maxListCursors;
    }

    /** @return how long a listing's cursor stays valid after its last page (default 60 s) */
    public Duration listCursorIdle() {
        return listCursorIdle;
    }

    /** @return the most watches ({@code GET ?index=V&wait=D}) waiting at once (default 4096) */
    public int maxWatchers() {
        return maxWatchers;
    }

    /** @return the longest {@code wait} of a watch (default 5 minutes) */
    public Duration maxWatchWait() {
        return maxWatchWait;
    }

    /** @return the most items of one batch ({@code POST /kv/}; default 1000) */
    public int batchMaxItems() {
        return batchMaxItems;
    }

    /** @return the largest body of a batch, and the most value bytes its answer carries (default 4 MiB) */
    public int batchMaxBytes() {
        return batchMaxBytes;
    }

    /** The settings as name/value pairs, for {@code /stats}. */
    Map<String, Object> describe() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("defaultTtlMillis", defaultTtl.toMillis());
        map.put("maxKeyBytes", maxKeyBytes);
        map.put("maxValueBytes", maxValueBytes);
        map.put("maxEntries", maxEntries);
        map.put("maxBytes", maxBytes);
        map.put("missStatus", missStatus);
        map.put("allowFlush", allowFlush);
        map.put("maxListLimit", maxListLimit);
        map.put("maxListCursors", maxListCursors);
        map.put("listCursorIdleMillis", listCursorIdle.toMillis());
        map.put("maxWatchers", maxWatchers);
        map.put("maxWatchWaitMillis", maxWatchWait.toMillis());
        map.put("batchMaxItems", batchMaxItems);
        map.put("batchMaxBytes", batchMaxBytes);
        return map;
    }

    @Override
    public String toString() {
        return "KvHandlerOptions" + describe();
    }

    /** Builds {@link KvHandlerOptions}. Each setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private Duration defaultTtl = Duration.ofMillis(10_000);
        private int maxKeyBytes = 250;
        private int maxValueBytes = 1 << 20;
        private long maxEntries = DEFAULT_MAX_ENTRIES;
        private long maxBytes = defaultMaxBytes();
        // The system ticker, not kv-core's default coarse one: a request costs microseconds, so a clock call
        // per operation (about 26 ns here) is less than the coarse ticker's thread, which wakes every
        // millisecond even on an idle server (docs/benchmarks-http.md, "Session 12").
        private Ticker ticker = Ticker.system();
        private int missStatus = 404;
        private boolean allowFlush;
        private int maxListLimit = 1000;
        private int maxListCursors = 1024;
        private Duration listCursorIdle = Duration.ofSeconds(60);
        private int maxWatchers = 4096;
        private Duration maxWatchWait = Duration.ofMinutes(5);
        private int batchMaxItems = 1000;
        private int batchMaxBytes = 4 << 20;

        private Builder() {}

        /**
         * @param items the most items of one batch (default 1000); more is refused (413)
         * @return this builder
         * @throws IllegalArgumentException if {@code items} is not in [1, 100 000]
         */
        public Builder batchMaxItems(int items) {
            if (items < 1 || items > 100_000) {
                throw new IllegalArgumentException("batchMaxItems must be in [1, 100000], was " + items);
            }
            this.batchMaxItems = items;
            return this;
        }

        /**
         * @param bytes the largest batch body, and the most value bytes one batch answer carries (default 4 MiB)
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is not in [1 KiB, 1 GiB]
         */
        public Builder batchMaxBytes(long bytes) {
            if (bytes < 1024 || bytes > 1L << 30) {
                throw new IllegalArgumentException("batchMaxBytes must be in [1KiB, 1GiB], was " + bytes);
            }
            this.batchMaxBytes = (int) bytes;
            return this;
        }

        /**
         * @param watchers the most watches waiting at once (default 4096); past it a watch gets 429
         * @return this builder
         * @throws IllegalArgumentException if {@code watchers} is not in [1, 1 000 000]
         */
        public Builder maxWatchers(int watchers) {
            if (watchers < 1 || watchers > 1_000_000) {
                throw new IllegalArgumentException("maxWatchers must be in [1, 1000000], was " + watchers);
            }
            this.maxWatchers = watchers;
            return this;
        }

        /**
         * @param wait the longest {@code wait} a watch may ask for (default 5 minutes); longer is refused (400)
         * @return this builder
         * @throws NullPointerException if {@code wait} is null
         * @throws IllegalArgumentException if {@code wait} is shorter than one millisecond
         */
        public Builder maxWatchWait(Duration wait) {
            Objects.requireNonNull(wait, "wait");
            if (wait.toMillis() < 1) {
                throw new IllegalArgumentException("maxWatchWait must be at least 1 ms, was " + wait);
            }
            this.maxWatchWait = wait;
            return this;
        }

        /**
         * @param limit the largest {@code limit} of a key listing's page (default 1000); a page examines
         *     at most ten times this many keys
         * @return this builder
         * @throws IllegalArgumentException if {@code limit} is not in [1, 100 000]
         */
        public Builder maxListLimit(int limit) {
            if (limit < 1 || limit > 100_000) {
                throw new IllegalArgumentException("maxListLimit must be in [1, 100000], was " + limit);
            }
            this.maxListLimit = limit;
            return this;
        }

        /**
         * @param cursors the most key listings open at once (default 1024); past it a new listing gets 429
         * @return this builder
         * @throws IllegalArgumentException if {@code cursors} is not in [1, 1 000 000]
         */
        public Builder maxListCursors(int cursors) {
            if (cursors < 1 || cursors > 1_000_000) {
                throw new IllegalArgumentException("maxListCursors must be in [1, 1000000], was " + cursors);
            }
            this.maxListCursors = cursors;
            return this;
        }

        /**
         * @param idle how long a listing's cursor stays valid after its last page (default 60 s)
         * @return this builder
         * @throws NullPointerException if {@code idle} is null
         * @throws IllegalArgumentException if {@code idle} is shorter than one millisecond
         */
        public Builder listCursorIdle(Duration idle) {
            Objects.requireNonNull(idle, "idle");
            if (idle.toMillis() < 1) {
                throw new IllegalArgumentException("listCursorIdle must be at least 1 ms, was " + idle);
            }
            this.listCursorIdle = idle;
            return this;
        }

        /**
         * @param allow whether a flush ({@code DELETE /kv/?prefix=P}, {@code DELETE /kv/?all}) may remove keys;
         *     default false, so that a handler reachable without authentication cannot be emptied by one
         *     request (the standalone server allows it with a token or {@code --allow-flush})
         * @return this builder
         */
        public Builder allowFlush(boolean allow) {
            this.allowFlush = allow;
            return this;
        }

        /**
         * @param status what a {@code GET} or {@code HEAD} of a missing or expired key answers: 404 (the
         *     default, empty body) or 200 (empty body, exactly as the Go server, whose load tools then count
         *     no "non 2xx")
         * @return this builder
         * @throws IllegalArgumentException if {@code status} is neither 200 nor 404
         */
        public Builder missStatus(int status) {
            if (status != 200 && status != 404) {
                throw new IllegalArgumentException("missStatus must be 200 or 404, was " + status);
            }
            this.missStatus = status;
            return this;
        }

        /**
         * @param ttl the time-to-live of values written without their own (default 10 000 ms)
         * @return this builder
         * @throws NullPointerException if {@code ttl} is null
         * @throws IllegalArgumentException if {@code ttl} is shorter than one millisecond
         */
        public Builder defaultTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.toMillis() < 1) {
                throw new IllegalArgumentException("defaultTtl must be at least 1 ms, was " + ttl);
            }
            this.defaultTtl = ttl;
            return this;
        }

        /**
         * @param bytes the longest key accepted, in UTF-8 bytes (default 250)
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxKeyBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxKeyBytes must be >= 1, was " + bytes);
            }
            this.maxKeyBytes = bytes;
            return this;
        }

        /**
         * @param bytes the largest value accepted (default 1 MiB)
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative or above 1 GiB
         */
        public Builder maxValueBytes(long bytes) {
            if (bytes < 0 || bytes > 1L << 30) {
                throw new IllegalArgumentException("maxValueBytes must be in [0, 1GiB], was " + bytes);
            }
            this.maxValueBytes = (int) bytes;
            return this;
        }

        /**
         * @param entries the most entries the cache holds (default 2 000 000)
         * @return this builder
         * @throws IllegalArgumentException if {@code entries} is less than 1
         */
        public Builder maxEntries(long entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("maxEntries must be >= 1, was " + entries);
            }
            this.maxEntries = entries;
            return this;
        }

        /**
         * @param bytes the most bytes the cache holds, keys, values and 256 bytes per entry (default
         *     {@link #defaultMaxBytes()}, a quarter of the maximum heap)
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBytes must be >= 1, was " + bytes);
            }
            this.maxBytes = bytes;
            return this;
        }

        /**
         * @param ticker the clock of the cache's expiry (default {@link Ticker#system()}); tests pass
         *     one they advance by hand
         * @return this builder
         * @throws NullPointerException if {@code ticker} is null
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException if {@code maxBytes} is less than {@code maxEntries}, or more
         *     than {@value #MAX_HEAP_PERCENT} % of the maximum heap ({@link #heapRefusal}): a bound the
         *     heap cannot hold is refused here rather than found later as an {@code OutOfMemoryError}
         */
        public KvHandlerOptions build() {
            if (maxBytes < maxEntries) {
                throw new IllegalArgumentException(
                        "maxBytes (" + maxBytes + ") must be >= maxEntries (" + maxEntries + ")");
            }
            String refusal = heapRefusal("maxBytes", maxBytes);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal);
            }
            return new KvHandlerOptions(this);
        }
    }
}
