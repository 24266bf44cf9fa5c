package dev.kvcache.core.lincheck;

import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionResult;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.execution.ResultWithClock;
import org.jetbrains.kotlinx.lincheck.util.LincheckResult;
import org.jetbrains.kotlinx.lincheck.util.ValueResult;
import org.jetbrains.kotlinx.lincheck.util.VoidResult;
import org.jetbrains.lincheck.datastructures.verifier.Verifier;

/**
 * Linearizability of a bounded cache whose choice of victim is free: the results must be those of
 * some order of the operations that respects their real-time order (Lincheck's happens-before clocks)
 * on a map from which, whenever it holds more than {@link BoundedLincheckTest#MAXIMUM_SIZE} entries,
 * any entry may vanish at any moment (an eviction, done by whichever thread maintains the cache).
 * An entry never vanishes while the map is within its bound, values never change without a write,
 * and every other result is the map's.
 *
 * <p>The sequential run of the cache is no specification here: which entry S3-FIFO evicts depends on
 * reads' access marks and on the order in which maintenance drains writes, both recorded just after
 * the operations' linearization points, so a concurrent run may legitimately evict another entry than
 * any sequential order would. The search is exhaustive over the scenario (a handful of operations).
 */
public final class EvictingMapVerifier implements Verifier {

    public EvictingMapVerifier(Class<?> sequentialSpecification) {
        // The specification is the model below; Lincheck's constructor contract passes the class.
    }

    @Override
    public boolean verifyResults(ExecutionScenario scenario, ExecutionResult results) {
        return new Search(scenario, results).run();
    }

    private static final class Search {
        private final ExecutionScenario scenario;
        private final ExecutionResult results;
        private final int threads;

        Search(ExecutionScenario scenario, ExecutionResult results) {
            this.scenario = scenario;
            this.results = results;
            this.threads = scenario.getParallelExecution().size();
        }

        boolean run() {
            return init(0, new TreeMap<>());
        }

        private boolean init(int index, TreeMap<Integer, Integer> map) {
            return withEvictions(map, m -> {
                if (index == scenario.getInitExecution().size()) {
                    return parallel(new int[threads], m);
                }
                TreeMap<Integer, Integer> next = new TreeMap<>(m);
                return matches(apply(scenario.getInitExecution().get(index), next),
                        results.getInitResults().get(index)) && init(index + 1, next);
            });
        }

        private boolean parallel(int[] done, TreeMap<Integer, Integer> map) {
            return withEvictions(map, m -> {
                boolean finished = true;
                for (int t = 0; t < threads; t++) {
                    List<Actor> actors = scenario.getParallelExecution().get(t);
                    if (done[t] == actors.size()) {
                        continue;
                    }
                    finished = false;
                    ResultWithClock result = results.getParallelResultsWithClock().get(t).get(done[t]);
                    if (!startedAfterAllItMustFollow(result, done, t)) {
                        continue;
                    }
                    TreeMap<Integer, Integer> next = new TreeMap<>(m);
                    if (matches(apply(actors.get(done[t]), next), result.getResult())) {
                        done[t]++;
                        boolean ok = parallel(done, next);
                        done[t]--;
                        if (ok) {
                            return true;
                        }
                    }
                }
                return finished && post(0, m);
            });
        }

        /** Whether every operation that completed before this one started is already ordered. */
        private boolean startedAfterAllItMustFollow(ResultWithClock result, int[] done, int thread) {
            for (int other = 0; other < threads; other++) {
                if (other != thread && done[other] < result.getClockOnStart().get(other)) {
                    return false;
                }
            }
            return true;
        }

        private boolean post(int index, TreeMap<Integer, Integer> map) {
            if (index == scenario.getPostExecution().size()) {
                return true;
            }
            return withEvictions(map, m -> {
                TreeMap<Integer, Integer> next = new TreeMap<>(m);
                return matches(apply(scenario.getPostExecution().get(index), next),
                        results.getPostResults().get(index)) && post(index + 1, next);
            });
        }

        /** Tries {@code rest} on the map as is and after each possible eviction while over the bound. */
        private boolean withEvictions(TreeMap<Integer, Integer> map, Step rest) {
            if (rest.from(map)) {
                return true;
            }
            if (map.size() <= BoundedLincheckTest.MAXIMUM_SIZE) {
                return false;
            }
            for (Integer key : map.keySet()) {
                TreeMap<Integer, Integer> evicted = new TreeMap<>(map);
                evicted.remove(key);
                if (withEvictions(evicted, rest)) {
                    return true;
                }
            }
            return false;
        }
    }

    private interface Step {
        boolean from(TreeMap<Integer, Integer> map);
    }

    private static boolean matches(Object expected, LincheckResult actual) {
        if (actual instanceof VoidResult) {
            return expected == VOID;
        }
        return actual instanceof ValueResult value && Objects.equals(expected, value.getValue());
    }

    private static final Object VOID = new Object();

    /** Applies one {@link CacheOperations} operation to the model and returns its expected result. */
    private static Object apply(Actor actor, TreeMap<Integer, Integer> map) {
        List<Object> args = actor.getArguments();
        Integer key = (Integer) args.get(0);
        switch (actor.getMethod().getName()) {
            case "getIfPresent":
                return map.get(key);
            case "getOrLoad":
                return map.computeIfAbsent(key, CacheOperations::loaded);
            case "put":
            case "putWithTtl": // the ticker never moves in this configuration
                map.put(key, (Integer) args.get(1));
                return VOID;
            case "putIfAbsent":
                return map.putIfAbsent(key, (Integer) args.get(1));
            case "replace":
                return map.replace(key, (Integer) args.get(1));
            case "replaceIfEquals":
                return map.replace(key, (Integer) args.get(1), (Integer) args.get(2));
            case "remove":
                return map.remove(key);
            case "removeIfEquals":
                return map.remove(key, args.get(1));
            default:
                throw new IllegalArgumentException("no model of " + actor);
        }
    }
}
