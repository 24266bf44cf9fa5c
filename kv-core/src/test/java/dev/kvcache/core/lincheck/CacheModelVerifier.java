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
 * operation is one step, except the multi-key ones ({@link CacheModel#isMultiKey}): {@code removeIf},
 * which is one {@link CacheModel#removeIfHolds} step per key (weakly consistent, as ConcurrentHashMap's
 * bulk operations are: no atomic snapshot, but each key is looked at once and removed only if it still
 * holds the value looked at) and returns whether any step removed; and {@code getAllPresent},
 * {@code putAll} and {@code invalidateAll(keys)}, one single-key step per key named (atomic per key,
 * not as a whole). Their steps come in any order, all within the call.
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
    private record State(int part, List<Integer> done, List<Integer> visited, List<Object> acc, CacheModel model) {}

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
            return search(INIT, new int[1], new int[1], new Object[1], new CacheModel(defaultTtlSeconds));
        }

        /**
         * Whether the rest of the scenario can be explained from here. {@code done[t]} counts thread
         * {@code t}'s finished operations; if its next is a multi-key operation, {@code visited[t]} is
         * the bit set of keys it has stepped through and {@code acc[t]} its result so far.
         */
        private boolean search(int part, int[] done, int[] visited, Object[] acc, CacheModel model) {
            State state = new State(part, toList(done), toList(visited), toList(acc), model);
            if (deadEnds.contains(state)) {
                return false;
            }
            if (explain(part, done, visited, acc, model)) {
                return true;
            }
            deadEnds.add(state);
            return false;
        }

        private boolean explain(int part, int[] done, int[] visited, Object[] acc, CacheModel model) {
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
                if (CacheModel.isMultiKey(actor)) {
                    if (stepMultiKey(part, t, actor, result, done, visited, acc, model)) {
                        return true;
                    }
                    continue;
                }
                CacheModel next = model.copy();
                if (matches(next.apply(actor), result)) {
                    done[t]++;
                    boolean ok = search(part, done, visited, acc, next);
                    done[t]--;
                    if (ok) {
                        return true;
                    }
                }
            }
            if (finished) {
                return part == POST || nextPart(part, model);
            }
            return evictions(part, done, visited, acc, model);
        }

        /**
         * Each key that thread {@code t}'s multi-key operation has not stepped through yet may be its
         * next step; the last step's accumulated result must be the operation's.
         */
        private boolean stepMultiKey(int part, int t, Actor actor, LincheckResult result,
                int[] done, int[] visited, Object[] acc, CacheModel model) {
            int all = CacheModel.keyBits(actor);
            for (int key = 1; key <= CacheOperations.MAX_KEY; key++) {
                int bit = 1 << (key - 1);
                if ((all & bit) == 0 || (visited[t] & bit) != 0) {
                    continue;
                }
                CacheModel next = model.copy();
                Object before = visited[t] == 0 ? CacheModel.initialAccumulator(actor) : acc[t];
                Object after = next.step(actor, key, before);
                int savedVisited = visited[t];
                Object savedAcc = acc[t];
                boolean ok;
                if ((visited[t] | bit) == all) {
                    if (!matches(CacheModel.resultOf(actor, after), result)) {
                        continue;
                    }
                    visited[t] = 0;
                    acc[t] = null;
                    done[t]++;
                    ok = search(part, done, visited, acc, next);
                    done[t]--;
                } else {
                    visited[t] |= bit;
                    acc[t] = after;
                    ok = search(part, done, visited, acc, next);
                }
                visited[t] = savedVisited;
                acc[t] = savedAcc;
                if (ok) {
                    return true;
                }
            }
            return false;
        }

        /** While over the bound, any live entry may vanish before the next step. */
        private boolean evictions(int part, int[] done, int[] visited, Object[] acc, CacheModel model) {
            List<Integer> live = model.liveKeys();
            if (live.size() <= bound) {
                return false;
            }
            for (int key : live) {
                CacheModel evicted = model.copy();
                evicted.evict(key);
                if (search(part, done, visited, acc, evicted)) {
                    return true;
                }
            }
            return false;
        }

        private boolean nextPart(int part, CacheModel model) {
            if (part == INIT) {
                int threads = scenario.getParallelExecution().size();
                return search(PARALLEL, new int[threads], new int[threads], new Object[threads], model);
            }
            return search(POST, new int[1], new int[1], new Object[1], model);
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

    private static List<Object> toList(Object[] a) {
        return Arrays.asList(a.clone()); // may hold nulls (no operation in progress)
    }
}
