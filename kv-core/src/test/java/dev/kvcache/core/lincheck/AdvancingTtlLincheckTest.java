package dev.kvcache.core.lincheck;

import dev.kvcache.core.KvCache;
import java.time.Duration;
import kotlin.Unit;
import org.jetbrains.lincheck.datastructures.DSLThreadScenario;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Linearizability with expiry happening during the test: a shared ticker that an operation advances
 * by one second while other operations run, a default TTL of two seconds, and entries written with
 * TTLs of one or two seconds, so that entries expire between and during operations and maintenance
 * reclaims them concurrently.
 */
public class AdvancingTtlLincheckTest extends CacheOperations implements LincheckChecks {
    /** The ticker's step; an entry put with a TTL of one second expires at the next advance. */
    static final long STEP_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long TTL_SECONDS = 2;

    public AdvancingTtlLincheckTest() {
        super(ticker -> KvCache.builder().ticker(ticker).timeToLive(Duration.ofSeconds(TTL_SECONDS)).build());
    }

    @Override
    long defaultTtlSeconds() {
        return TTL_SECONDS;
    }

    @Operation
    public void advance() {
        ticker.advance(STEP_NANOS);
    }

    @Override
    void beforeQuiescentChecks() {
        cache.cleanUp(); // reclaims what expired, so that the estimate is exact
    }

    /**
     * A write that reads the time, sees the key's entry live and is descheduled before its effect,
     * while the other thread advances the ticker past that entry's deadline and reads the key. Before
     * writes took effect by CAS on the old node (with readers pinning the expiry they see), the read
     * returned {@code null} and the replace its old value, which no sequential order explains; the
     * model checker found exactly that interleaving. Random scenarios rarely build it (an entry must
     * expire at exactly that advance), so it is checked on its own.
     */
    @Test
    void writeDescheduledAcrossAnExpiryIsLinearizable() {
        LincheckBudget.customScenario()
                .addCustomScenario(scenario -> {
                    scenario.initial(t -> actor(t, "putWithTtl", 1, 1, 1)); // expires at the advance
                    scenario.parallel(p -> {
                        p.thread(t -> actor(t, "replace", 1, 2));
                        p.thread(t -> {
                            actor(t, "advance");
                            return actor(t, "getIfPresent", 1);
                        });
                        return Unit.INSTANCE;
                    });
                    scenario.post(t -> actor(t, "getIfPresent", 1));
                    return Unit.INSTANCE;
                })
                .check(getClass());
    }

    /** touch() and setTimeToLive() racing the expiry they would prevent (issue 10): the same shape. */
    @Test
    void touchDescheduledAcrossAnExpiryIsLinearizable() {
        LincheckBudget.customScenario()
                .addCustomScenario(scenario -> {
                    scenario.initial(t -> actor(t, "putWithTtl", 1, 1, 1)); // expires at the advance
                    scenario.parallel(p -> {
                        p.thread(t -> {
                            actor(t, "touch", 1);
                            return actor(t, "setTimeToLive", 1, 2);
                        });
                        p.thread(t -> {
                            actor(t, "advance");
                            return actor(t, "getIfPresent", 1);
                        });
                        return Unit.INSTANCE;
                    });
                    scenario.post(t -> actor(t, "getIfPresent", 1));
                    return Unit.INSTANCE;
                })
                .check(getClass());
    }

    private static Unit actor(DSLThreadScenario thread, String name, Object... arguments) {
        return Scenarios.actor(thread, AdvancingTtlLincheckTest.class, name, arguments);
    }
}
