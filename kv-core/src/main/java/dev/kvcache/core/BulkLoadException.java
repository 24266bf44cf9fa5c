package dev.kvcache.core;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Some keys of a bulk load failed while others loaded. Thrown by {@link LoadingCache#getAll} when the
 * load of at least one requested key failed, and may be thrown by {@link CacheLoader#loadAll} to
 * report such a partial failure.
 *
 * <p>{@link #failures()} maps each failed key to the throwable its load ended with (a loader's
 * unchecked exception or error itself, or a {@link LoadException} around a checked one). Nothing is
 * stored for those keys. {@link #loaded()} holds the values of the other keys: from {@code getAll},
 * the map it would have returned without the failures (the values already present and those loaded,
 * which the cache stored as {@code get} would have, so a retry loads only the failed keys); from
 * {@code loadAll}, the values it computed, which the cache stores. The {@linkplain #getCause() cause}
 * is one of the failures' throwables; the other distinct ones are {@linkplain #getSuppressed()
 * suppressed} (at most 8).
 */
public class BulkLoadException extends LoadException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_SUPPRESSED = 8;
    private static final int KEYS_IN_MESSAGE = 5;

    private final transient Map<Object, Object> loaded;
    private final transient Map<Object, Throwable> failures;

    /**
     * @param loaded the values of the keys that loaded; copied
     * @param failures each failed key's throwable, not empty; copied
     * @throws NullPointerException if a map, a key, or a value of either is null
     * @throws IllegalArgumentException if {@code failures} is empty
     */
    public BulkLoadException(Map<?, ?> loaded, Map<?, ? extends Throwable> failures) {
        super(describe(failures), failures.isEmpty() ? null : failures.values().iterator().next());
        this.loaded = copy(loaded);
        this.failures = copy(failures);
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(getCause());
        for (Throwable t : this.failures.values()) {
            if (seen.size() > MAX_SUPPRESSED) {
                break;
            }
            if (seen.add(t) && t != this) {
                addSuppressed(t);
            }
        }
    }

    /** @return the failed keys and the throwable each load ended with; unmodifiable, not empty */
    public Map<Object, Throwable> failures() {
        return failures;
    }

    /** @return the values of the keys that did not fail (see the class doc); unmodifiable */
    public Map<Object, Object> loaded() {
        return loaded;
    }

    private static String describe(Map<?, ? extends Throwable> failures) {
        if (failures.isEmpty()) {
            throw new IllegalArgumentException("a BulkLoadException needs at least one failed key");
        }
        StringBuilder keys = new StringBuilder();
        int shown = 0;
        for (Object key : failures.keySet()) {
            if (shown++ == KEYS_IN_MESSAGE) {
                keys.append(", ...");
                break;
            }
            keys.append(shown == 1 ? "" : ", ").append(key);
        }
        return failures.size() + (failures.size() == 1 ? " key" : " keys") + " failed to load: [" + keys + "]";
    }

    private static <T> Map<Object, T> copy(Map<?, ? extends T> map) {
        Map<Object, T> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, "value")));
        return Collections.unmodifiableMap(copy);
    }
}
