package dev.kvcache.core.lincheck;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionResult;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.execution.ResultWithClock;
import org.jetbrains.kotlinx.lincheck.util.LincheckResult;
import org.jetbrains.kotlinx.lincheck.util.ValueResult;
import org.jetbrains.kotlinx.lincheck.util.VoidResult;
import org.jetbrains.lincheck.datastructures.verifier.Verifier;

/**
 * Linearizability against {@link CacheModel}: the results must be those of some order of the
 * operations' steps that respects their real-time order (Lincheck's happens-before clocks). Every
 * operation is one step, except {@code removeIf}, which is one {@link CacheModel#removeIfHolds} step
 * per key, in any order, all within the call (weakly consistent, as ConcurrentHashMap's bulk
 * operations are: no atomic snapshot, but each key is looked at once and removed only if it still
 * holds the value looked at); it returns whether any step removed.
 *
 * <p>A bounded configuration ({@link CacheOperations#bound()}) may in addition drop any entry at any
 * moment while it holds more live entries than its bound: an eviction, done by whichever thread
 * maintains the cache. Which entry S3-FIFO evicts depends on reads' access marks and on the order in
 * which maintenance drains writes, both recorded just after the operations' linearization points, so
 * the choice is left free. An entry never vanishes while the map is within its bound or before its
 * deadline, values never change without a write, and every other result is the model's.
 *
 * <p>The search is exhaustive over the scenario (a handful of operations); states already shown to
 * lead nowhere are remembered, which keeps the free orders of {@code removeIf}'s steps cheap.
 */
public final class CacheModelVerifier implements Verifier {
    private final long bound;
    private final long defaultTtlSeconds;

    /** Lincheck's constructor contract: the configuration is read from an instance of the test class. */
    public CacheModelVerifier(Class<?> sequentialSpecification) {
        CacheOperations configuration;
        try {
            configuration = (CacheOperations) sequentialSpecification.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(sequentialSpecification + " is not a CacheOperations test class", e);
        }
        this.bound = configuration.bound();
        this.defaultTtlSeconds = configuration.defaultTtlSeconds();
    }

    @Override
    public boolean verifyResults(ExecutionScenario scenario, ExecutionResult results) {
        return new Search(scenario, results).run();
    }

    /** Where a search stands: the part of the scenario, each thread's progress, and the model. */
    private record State(int part, List<Integer> done, List<Integer> visited, List<Boolean> removed, CacheModel model) {}

    private final class Search {
        private static final int INIT = 0;
        private static final int PARALLEL = 1;
        private static final int POST = 2;

        private final ExecutionScenario scenario;
        private final ExecutionResult results;
        private final Set<State> deadEnds = new HashSet<>();

        Search(ExecutionScenario scenario, ExecutionResult results) {
            this.scenario = scenario;
            this.results = results;
        }

        boolean run() {
            return search(INIT, new int[1], new int[1], new boolean[1], new CacheModel(defaultTtlSeconds));
        }

        /**
         * Whether the rest of the scenario can be explained from here. {@code done[t]} counts thread
         * {@code t}'s finished operations; if its next is a {@code removeIf}, {@code visited[t]} is the
         * bit set of keys it has stepped through and {@code removed[t]} whether any step removed.
         */
        private boolean search(int part, int[] done, int[] visited, boolean[] removed, CacheModel model) {
            State state = new State(part, toList(done), toList(visited), toList(removed), model);
            if (deadEnds.contains(state)) {
                return false;
            }
            if (explain(part, done, visited, removed, model)) {
                return true;
            }
            deadEnds.add(state);
            return false;
        }

        private boolean explain(int part, int[] done, int[] visited, boolean[] removed, CacheModel model) {
            boolean finished = true;
            for (int t = 0; t < done.length; t++) {
                List<Actor> actors = actors(part, t);
                if (done[t] == actors.size()) {
                    continue;
                }
                finished = false;
                if (visited[t] == 0 && !mayStart(part, t, done)) {
                    continue;
                }
                Actor actor = actors.get(done[t]);
                LincheckResult result = result(part, t, done[t]);
                if (CacheModel.isRemoveIf(actor)) {
                    if (stepRemoveIf(part, t, actor, result, done, visited, removed, model)) {
                        return true;
                    }
                    continue;
                }
                CacheModel next = model.copy();
                if (matches(next.apply(actor), result)) {
                    done[t]++;
                    boolean ok = search(part, done, visited, removed, next);
                    done[t]--;
                    if (ok) {
                        return true;
                    }
                }
            }
            if (finished) {
                return part == POST || nextPart(part, model);
            }
            return evictions(part, done, visited, removed, model);
        }

        /** Each key thread {@code t}'s removeIf has not looked at yet may be its next step. */
        private boolean stepRemoveIf(int part, int t, Actor actor, LincheckResult result,
                int[] done, int[] visited, boolean[] removed, CacheModel model) {
            int value = (Integer) actor.getArguments().get(0);
            int all = (1 << CacheOperations.MAX_KEY) - 1;
            for (int key = 1; key <= CacheOperations.MAX_KEY; key++) {
                int bit = 1 << (key - 1);
                if ((visited[t] & bit) != 0) {
                    continue;
                }
                CacheModel next = model.copy();
                boolean removedAny = next.removeIfHolds(key, value) || removed[t];
                int savedVisited = visited[t];
                boolean savedRemoved = removed[t];
                boolean ok;
                if ((visited[t] | bit) == all) {
                    if (!matches(removedAny, result)) {
                        continue;
                    }
                    visited[t] = 0;
                    removed[t] = false;
                    done[t]++;
                    ok = search(part, done, visited, removed, next);
                    done[t]--;
                } else {
                    visited[t] |= bit;
                    removed[t] = removedAny;
                    ok = search(part, done, visited, removed, next);
                }
                visited[t] = savedVisited;
                removed[t] = savedRemoved;
                if (ok) {
                    return true;
                }
            }
            return false;
        }

        /** While over the bound, any live entry may vanish before the next step. */
        private boolean evictions(int part, int[] done, int[] visited, boolean[] removed, CacheModel model) {
            List<Integer> live = model.liveKeys();
            if (live.size() <= bound) {
                return false;
            }
            for (int key : live) {
                CacheModel evicted = model.copy();
                evicted.evict(key);
                if (search(part, done, visited, removed, evicted)) {
                    return true;
                }
            }
            return false;
        }

        private boolean nextPart(int part, CacheModel model) {
            if (part == INIT) {
                int threads = scenario.getParallelExecution().size();
                return search(PARALLEL, new int[threads], new int[threads], new boolean[threads], model);
            }
            return search(POST, new int[1], new int[1], new boolean[1], model);
        }

        /** Whether every operation that completed before this one started is already ordered. */
        private boolean mayStart(int part, int thread, int[] done) {
            if (part != PARALLEL) {
                return true;
            }
            ResultWithClock result = results.getParallelResultsWithClock().get(thread).get(done[thread]);
            for (int other = 0; other < done.length; other++) {
                if (other != thread && done[other] < result.getClockOnStart().get(other)) {
                    return false;
                }
            }
            return true;
        }

        private List<Actor> actors(int part, int thread) {
            return switch (part) {
                case INIT -> scenario.getInitExecution();
                case PARALLEL -> scenario.getParallelExecution().get(thread);
                default -> scenario.getPostExecution();
            };
        }

        private LincheckResult result(int part, int thread, int index) {
            return switch (part) {
                case INIT -> results.getInitResults().get(index);
                case PARALLEL -> results.getParallelResultsWithClock().get(thread).get(index).getResult();
                default -> results.getPostResults().get(index);
            };
        }
    }

    private static boolean matches(Object expected, LincheckResult actual) {
        if (actual instanceof VoidResult) {
            return expected == CacheModel.VOID;
        }
        return actual instanceof ValueResult value && Objects.equals(expected, value.getValue());
    }

    private static List<Integer> toList(int[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    private static List<Boolean> toList(boolean[] a) {
        Boolean[] boxed = new Boolean[a.length];
        for (int i = 0; i < a.length; i++) {
            boxed[i] = a[i];
        }
        return List.of(boxed);
    }
}
