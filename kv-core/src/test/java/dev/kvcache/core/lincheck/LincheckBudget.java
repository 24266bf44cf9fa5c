package dev.kvcache.core.lincheck;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The shared, bounded Lincheck budget: few threads and operations (keys collide anyway, there are
 * three), so that model checking explores each scenario's interleavings thoroughly and every test
 * class finishes in a few seconds on two cores.
 */
final class LincheckBudget {
    private LincheckBudget() {}

    static StressOptions stress() {
        return new StressOptions()
                .iterations(10)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(2)
                .actorsAfter(1);
    }

    static ModelCheckingOptions modelChecking() {
        return new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(200)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1);
    }
}
