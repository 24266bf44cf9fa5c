package dev.kvcache.core.lincheck;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The shared, bounded Lincheck budget: few threads and operations (keys collide anyway, there are
 * three), so that model checking explores each scenario's interleavings thoroughly and every test
 * class finishes in a few seconds on two cores. Failed scenarios are not minimized (that re-runs the
 * search many times over); known counterexamples are pinned down as small custom scenarios instead.
 *
 * <p>{@code -Dkvcache.lincheck.scale=N} multiplies the number of scenarios for a deeper run, e.g.
 * {@code mvn -pl kv-core verify -Dtest='*LincheckTest' -Dkvcache.lincheck.scale=20}.
 */
final class LincheckBudget {
    /** Interleavings explored for one hand-written scenario; enough to exhaust the small ones here. */
    static final int CUSTOM_SCENARIO_INVOCATIONS = 200;

    private static final int SCALE = Math.max(1, Integer.getInteger("kvcache.lincheck.scale", 1));

    private LincheckBudget() {}

    static StressOptions stress() {
        return new StressOptions()
                .iterations(5 * SCALE)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(2)
                .actorsAfter(1)
                // A failure's report is still exact; minimizing it re-runs the search many times.
                .minimizeFailedScenario(false);
    }

    /** Model checking of only the custom scenarios added to it, all their interleavings up to the budget. */
    static ModelCheckingOptions customScenario() {
        return new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(CUSTOM_SCENARIO_INVOCATIONS);
    }

    static ModelCheckingOptions modelChecking() {
        return new ModelCheckingOptions()
                .iterations(4 * SCALE)
                .invocationsPerIteration(60)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                // A failure's report is still exact; minimizing it re-runs the search many times.
                .minimizeFailedScenario(false);
    }
}
