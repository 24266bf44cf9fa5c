package dev.kvcache.core.lincheck;

import java.util.Arrays;
import kotlin.Unit;
import kotlin.reflect.KFunction;
import kotlin.reflect.jvm.ReflectJvmMapping;
import org.jetbrains.lincheck.datastructures.DSLThreadScenario;

/** Builds Lincheck custom scenarios from Java, naming operations by method name. */
final class Scenarios {
    private Scenarios() {}

    /** Adds operation {@code name} of {@code testClass}, with these arguments, to a scenario thread. */
    static Unit actor(DSLThreadScenario thread, Class<?> testClass, String name, Object... arguments) {
        KFunction<?> function = Arrays.stream(testClass.getMethods())
                .filter(m -> m.getName().equals(name) && m.getParameterCount() == arguments.length)
                .map(ReflectJvmMapping::getKotlinFunction)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no operation " + name + " in " + testClass));
        thread.actor(function, arguments);
        return Unit.INSTANCE;
    }
}
