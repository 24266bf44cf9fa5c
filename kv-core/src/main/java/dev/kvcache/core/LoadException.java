package dev.kvcache.core;

/**
 * Thrown by a {@link LoadingCache} when its {@link CacheLoader} threw a checked exception (or any
 * throwable that is neither a {@link RuntimeException} nor an {@link Error}); that exception is the
 * {@linkplain #getCause() cause}. Unchecked exceptions and errors thrown by a loader reach the caller
 * unchanged, as they do from {@link KvCache#get(Object, java.util.function.Function)}. An
 * {@link InterruptedException} is wrapped too, and the interrupt status of the thread that caught it
 * is restored.
 */
public class LoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the loader's exception, or null
     */
    public LoadException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * What a loader threw for {@code key}, as {@link LoadingCache} reports it: unchecked throwables
     * unchanged, anything else in a {@code LoadException}.
     */
    static Throwable reported(Object key, Throwable thrown) {
        if (thrown instanceof RuntimeException || thrown instanceof Error) {
            return thrown;
        }
        if (thrown instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new LoadException("the loader of key " + key + " threw " + thrown, thrown);
    }
}
