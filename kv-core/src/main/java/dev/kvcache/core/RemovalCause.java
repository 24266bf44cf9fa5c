package dev.kvcache.core;

/** Why an entry left the cache, as reported to a {@link RemovalListener}. */
public enum RemovalCause {
    /** Removed by the user: {@code remove}, {@code invalidateAll}, or a removal through a view. */
    EXPLICIT,
    /** Its value was overwritten by a write to the same key ({@code put}, {@code replace}, ...). */
    REPLACED,
    /** Its time-to-live passed. */
    EXPIRED,
    /** Evicted to keep the cache within its maximum size or weight. */
    SIZE;

    /**
     * Returns whether the cache removed the entry on its own (expiry or size) rather than because of a
     * user's write or removal.
     *
     * @return {@code true} for {@link #EXPIRED} and {@link #SIZE}
     */
    public boolean wasEvicted() {
        return this == EXPIRED || this == SIZE;
    }
}
