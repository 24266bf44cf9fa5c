package dev.kvcache.core;

/**
 * A source of monotonic nanosecond time, read by the cache to compute and check expiry deadlines.
 *
 * <p>Only differences between two readings are meaningful, as with {@link System#nanoTime()}. A
 * ticker must never go backwards and must be safe to call from any thread. Tests inject a ticker they
 * advance by hand, which makes every expiry decision exact and repeatable.
 *
 * <p>The cache reads its ticker on every read, so the ticker's cost is part of every hit. The two
 * built-in tickers trade precision for that cost:
 * <ul>
 *   <li>{@link #coarse()} (the default): a volatile read of a time that a shared daemon thread
 *       refreshes about every millisecond. A hit costs no clock call.
 *   <li>{@link #system()}: {@link System#nanoTime()} on every read; exact, but on common hardware the
 *       clock call costs more than the hash lookup itself.
 * </ul>
 * Whichever ticker is used, the cache's promise is stated against it: no read returns an entry at or
 * after its deadline as that ticker sees it.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Returns the current time in nanoseconds from an arbitrary origin.
     *
     * @return the time; later calls never return a smaller value
     */
    long read();

    /**
     * Returns a ticker that reads {@link System#nanoTime()} on every call.
     *
     * @return the exact system ticker
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }

    /**
     * Returns the shared coarse ticker: {@link System#nanoTime()} as sampled by one daemon thread
     * (named {@code kvcache-clock}) about every millisecond.
     *
     * <p>The thread runs only while a cache built with this ticker is open (not yet
     * {@link KvCache#close() closed}) and reachable: building the first such cache starts it; when the
     * last one is closed or garbage-collected, it exits (at once after a {@code close()}, within about
     * a quarter of a second after a collection), and a later cache starts it again. Merely calling this
     * method, or {@link KvCache#builder()}, starts nothing, and caches built with another ticker never
     * use the thread. While the thread is not running, {@link #read()} reads {@link System#nanoTime()}
     * itself. Readings never go backwards across the thread's stops and restarts.
     *
     * <p>Reading it costs one volatile load. Its value lags real time by up to the refresh period
     * (about 1 ms) plus however long the clock thread waits to be scheduled, so against a wall clock an
     * entry lives between {@code ttl - 1 ms} and {@code ttl + 1 ms} on an idle machine, a few
     * milliseconds more on a saturated one.
     *
     * @return the coarse ticker, shared by every cache in the JVM
     */
    static Ticker coarse() {
        return CoarseTicker.INSTANCE;
    }
}
