package dev.kvcache.core.lincheck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionResult;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.execution.HBClock;
import org.jetbrains.kotlinx.lincheck.execution.ResultWithClock;
import org.jetbrains.kotlinx.lincheck.util.LincheckResult;
import org.jetbrains.kotlinx.lincheck.util.ValueResult;
import org.jetbrains.kotlinx.lincheck.util.VoidResult;
import org.junit.jupiter.api.Test;

/** The verifier behind {@link BoundedLincheckTest} accepts what the bound allows, and no more. */
class EvictingMapVerifierTest {
    private static final LincheckResult VOID = VoidResult.INSTANCE;
    private final EvictingMapVerifier verifier = new EvictingMapVerifier(BoundedLincheckTest.class);

    @Test
    void anEntryMayVanishOnceTheMapIsOverTheBound() {
        assertTrue(verify(List.of(put(1, 1), put(2, 2), put(3, 3)), List.of(VOID, VOID, VOID),
                List.of(), List.of(),
                List.of(get(1), get(2), get(3)), List.of(value(null), value(2), value(3))));
    }

    @Test
    void noEntryVanishesWhileTheMapIsWithinTheBound() {
        assertFalse(verify(List.of(put(1, 1), put(2, 2)), List.of(VOID, VOID),
                List.of(), List.of(),
                List.of(get(1)), List.of(value(null))));
    }

    @Test
    void valuesChangeOnlyThroughWrites() {
        assertFalse(verify(List.of(put(1, 1)), List.of(VOID),
                List.of(), List.of(),
                List.of(get(1)), List.of(value(2))));
    }

    @Test
    void concurrentOperationsMayBeOrderedToAllowAnEviction() {
        // remove(2) and put(3, 3) overlap: put first takes the map over the bound, 1 is evicted,
        // then 2 is removed.
        assertTrue(verify(List.of(put(1, 1), put(2, 2)), List.of(VOID, VOID),
                List.of(List.of(remove(2)), List.of(put(3, 3))),
                List.of(List.of(at(value(2), 0, 0)), List.of(at(VOID, 0, 0))),
                List.of(get(1)), List.of(value(null))));
    }

    @Test
    void operationsOrderedInRealTimeStaySoOrdered() {
        // put(3, 3) starts after remove(2) returned: the map never holds three entries.
        assertFalse(verify(List.of(put(1, 1), put(2, 2)), List.of(VOID, VOID),
                List.of(List.of(remove(2)), List.of(put(3, 3))),
                List.of(List.of(at(value(2), 0, 0)), List.of(at(VOID, 1, 0))),
                List.of(get(1)), List.of(value(null))));
    }

    private boolean verify(List<Actor> init, List<LincheckResult> initResults,
            List<List<Actor>> parallel, List<List<ResultWithClock>> parallelResults,
            List<Actor> post, List<LincheckResult> postResults) {
        ExecutionScenario scenario = new ExecutionScenario(init, parallel, post, null);
        return verifier.verifyResults(scenario, new ExecutionResult(initResults, parallelResults, postResults));
    }

    private static ResultWithClock at(LincheckResult result, int... clockOnStart) {
        return new ResultWithClock(result, new HBClock(clockOnStart));
    }

    private static LincheckResult value(Object value) {
        return new ValueResult(value);
    }

    private static Actor put(int key, int value) {
        return actor("put", key, value);
    }

    private static Actor get(int key) {
        return actor("getIfPresent", key);
    }

    private static Actor remove(int key) {
        return actor("remove", key);
    }

    private static Actor actor(String name, Object... arguments) {
        var method = Arrays.stream(CacheOperations.class.getMethods())
                .filter(m -> m.getName().equals(name) && m.getParameterCount() == arguments.length)
                .findFirst()
                .orElseThrow();
        return new Actor(method, List.of(arguments), false, false, false, false, false);
    }
}
