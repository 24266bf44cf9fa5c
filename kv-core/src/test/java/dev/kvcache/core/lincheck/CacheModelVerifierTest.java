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

/**
 * The verifier of every {@link CacheOperations} test accepts what the contract allows, and no more:
 * evictions only over the bound, {@code removeIf} one conditional removal per key, computed entries
 * with the default TTL restarted.
 */
class CacheModelVerifierTest {
    private static final LincheckResult VOID = VoidResult.INSTANCE;
    private final CacheModelVerifier bounded = new CacheModelVerifier(BoundedLincheckTest.class);
    private final CacheModelVerifier unbounded = new CacheModelVerifier(UnboundedLincheckTest.class);
    private final CacheModelVerifier advancingTtl = new CacheModelVerifier(AdvancingTtlLincheckTest.class);

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

    @Test
    void removeIfLooksAtEachKeyAtItsOwnInstant() {
        // removeValuesIf(1) looks at 2 (still 2), then the other thread sets 2 to 1 and removes 1,
        // then removeIf looks at 1 (gone): it removed nothing, which no atomic removeIf explains.
        assertTrue(verify(unbounded, List.of(put(1, 1), put(2, 2)), List.of(VOID, VOID),
                List.of(List.of(actor("removeValuesIf", 1)), List.of(actor("replace", 2, 1), remove(1))),
                List.of(List.of(at(value(false), 0, 0)), List.of(at(value(2), 0, 0), at(value(1), 0, 0))),
                List.of(get(2)), List.of(value(1))));
    }

    @Test
    void removeIfNeverRemovesAValueItDidNotSee() {
        // It removed 1 (true), so put(1, 2) came after; or it came first and 2 was never a match.
        assertFalse(verify(unbounded, List.of(put(1, 1)), List.of(VOID),
                List.of(List.of(actor("removeEntriesIf", 1)), List.of(put(1, 2))),
                List.of(List.of(at(value(true), 0, 0)), List.of(at(VOID, 0, 0))),
                List.of(get(1)), List.of(value(null))));
    }

    @Test
    void removeIfRespectsRealTime() {
        // removeIf started after remove(1) returned, so it had nothing to remove.
        assertFalse(verify(unbounded, List.of(put(1, 1)), List.of(VOID),
                List.of(List.of(remove(1)), List.of(actor("removeEntriesIf", 1))),
                List.of(List.of(at(value(1), 0, 0)), List.of(at(value(true), 1, 0))),
                List.of(), List.of()));
    }

    @Test
    void getAllPresentLooksAtEachKeyAtItsOwnInstant() {
        // getAllPresent(1, 2) looks at 2 before put(2, 2), then at 1 after remove(1): it finds
        // neither, which no atomic lookup of both explains (1 or 2 was always present).
        List<List<Actor>> parallel = List.of(List.of(actor("getAllPresent", 1, 2)),
                List.of(put(2, 2), remove(1)));
        assertTrue(verify(unbounded, List.of(put(1, 1)), List.of(VOID), parallel,
                List.of(List.of(at(value(new java.util.TreeMap<>()), 0, 0)),
                        List.of(at(VOID, 0, 0), at(value(1), 0, 0))),
                List.of(), List.of()));
        assertFalse(verify(unbounded, List.of(put(1, 1)), List.of(VOID), parallel,
                List.of(List.of(at(value(new java.util.TreeMap<>(java.util.Map.of(1, 2))), 0, 0)),
                        List.of(at(VOID, 0, 0), at(value(1), 0, 0))),
                List.of(), List.of()), "1 never held 2");
    }

    @Test
    void putAllAndInvalidateAllOfKeysActOnEveryKeyNamed() {
        List<Actor> init = List.of(actor("putAllOf", 1, 2, 3), actor("invalidateAllOf", 2, 2));
        List<LincheckResult> initResults = List.of(VOID, VOID);
        assertTrue(verify(unbounded, init, initResults, List.of(), List.of(),
                List.of(get(1), get(2)), List.of(value(3), value(null))));
        assertFalse(verify(unbounded, init, initResults, List.of(), List.of(),
                List.of(get(1), get(2)), List.of(value(3), value(3))));
        assertFalse(verify(unbounded, init, initResults, List.of(), List.of(),
                List.of(get(1)), List.of(value(null))));
    }

    @Test
    void aComputedEntryGetsTheDefaultTtlRestarted() {
        // TTL 2 s: put at 0 s, compute at 1 s, so it lives until 3 s and is there at 2 s.
        List<Actor> init = List.of(put(1, 1), actor("advance"), actor("compute", 1, 2), actor("advance"));
        List<LincheckResult> initResults = List.of(VOID, VOID, value(2), VOID);
        assertTrue(verify(advancingTtl, init, initResults, List.of(), List.of(), List.of(get(1)), List.of(value(2))));
        assertFalse(verify(advancingTtl, init, initResults, List.of(), List.of(), List.of(get(1)), List.of(value(null))));
    }

    @Test
    void anEntryExpiresAtItsDeadline() {
        List<Actor> init = List.of(actor("putWithTtl", 1, 1, 1), actor("advance"));
        List<LincheckResult> initResults = List.of(VOID, VOID);
        assertTrue(verify(advancingTtl, init, initResults, List.of(), List.of(),
                List.of(actor("merge", 1, 2)), List.of(value(2))));
        assertFalse(verify(advancingTtl, init, initResults, List.of(), List.of(),
                List.of(get(1)), List.of(value(1))));
    }

    private boolean verify(List<Actor> init, List<LincheckResult> initResults,
            List<List<Actor>> parallel, List<List<ResultWithClock>> parallelResults,
            List<Actor> post, List<LincheckResult> postResults) {
        return verify(bounded, init, initResults, parallel, parallelResults, post, postResults);
    }

    private boolean verify(CacheModelVerifier verifier, List<Actor> init, List<LincheckResult> initResults,
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
        var method = Arrays.stream(AdvancingTtlLincheckTest.class.getMethods())
                .filter(m -> m.getName().equals(name) && m.getParameterCount() == arguments.length)
                .findFirst()
                .orElseThrow();
        return new Actor(method, List.of(arguments), false, false, false, false, false);
    }
}
