package dev.kvcache.core;

/** {@link Ticker#system()}: the exact clock. */
enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }
}
