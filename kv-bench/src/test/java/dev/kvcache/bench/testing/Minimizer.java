package dev.kvcache.bench.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Cuts a failing operation sequence down to one where removing any single step makes it pass, so the
 * counterexample in a report is the few calls (or requests) that matter. QuickTheories shrinks the
 * values inside a sequence well but often leaves it long; this finishes the job. Shared by the
 * stateful property tests of kv-core and of the HTTP server.
 */
public final class Minimizer {
    private Minimizer() {}

    /**
     * Runs {@code ops} through {@code check}; if it fails, throws an {@link AssertionError} naming a
     * minimal failing subsequence and carrying that subsequence's own failure as the cause.
     */
    public static <T> void checkMinimized(List<T> ops, Consumer<List<T>> check) {
        AssertionError failure = failure(ops, check);
        if (failure == null) {
            return;
        }
        List<T> current = new ArrayList<>(ops);
        boolean shrunk = true;
        while (shrunk) {
            shrunk = false;
            for (int i = current.size() - 1; i >= 0; i--) {
                List<T> candidate = new ArrayList<>(current);
                candidate.remove(i);
                AssertionError f = failure(candidate, check);
                if (f != null) {
                    current = candidate;
                    failure = f;
                    shrunk = true;
                }
            }
        }
        throw new AssertionError("minimal failing sequence " + current + ": " + failure.getMessage(), failure);
    }

    private static <T> AssertionError failure(List<T> ops, Consumer<List<T>> check) {
        try {
            check.accept(ops);
            return null;
        } catch (AssertionError e) {
            return e;
        }
    }
}
