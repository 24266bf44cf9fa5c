package dev.kvcache.core.lincheck;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The shared, bounded Lincheck budget: few threads and operations (keys collide anyway, there are
 * three), so that model checking explores each scenario's interleavings thoroughly and every test
 * class finishes in a few seconds on two cores. Failed scenarios are not minimized (that re-runs the
 * search many times over); known counterexamples are pinned down as small custom scenarios instead.
 */
final class LincheckBudget {
    private LincheckBudget() {}

    static StressOptions stress() {
        return new StressOptions()
                .iterations(5)
                .invocationsPerIteration(400)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(2)
                .actorsAfter(1)
                // A failure's report is still exact; minimizing it re-runs the search many times.
                .minimizeFailedScenario(false);
    }

    static ModelCheckingOptions modelChecking() {
        return new ModelCheckingOptions()
                .iterations(5)
                .invocationsPerIteration(100)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                // A failure's report is still exact; minimizing it re-runs the search many times.
                .minimizeFailedScenario(false);
    }
}
