package dev.kvcache.core.lincheck;

import org.jetbrains.lincheck.datastructures.verifier.LinearizabilityVerifier;
import org.jetbrains.lincheck.datastructures.verifier.Verifier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The two runs every Lincheck test class makes, on the shared {@link LincheckBudget}: random
 * scenarios under stress, and the same under the model checker. A test class implements this and
 * declares its {@code @Operation}s; one whose results are not a plain map's names its verifier.
 *
 * <p>Tagged {@code heavy}: {@code .ci/run} runs these on JDK 17 only (they take minutes).
 */
@Tag("heavy")
interface LincheckChecks {
    @Test
    default void stress() {
        LincheckBudget.stress().verifier(verifier()).check(getClass());
    }

    @Test
    default void modelChecking() {
        LincheckBudget.modelChecking().verifier(verifier()).check(getClass());
    }

    /** Judges each run's results; by default, linearizability against the class run sequentially. */
    default Class<? extends Verifier> verifier() {
        return LinearizabilityVerifier.class;
    }
}
