package dev.kvcache.core.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Mutes the engine's logger ({@code dev.kvcache.core}) while a test class runs, for classes whose
 * listeners throw on purpose: the engine logs each such failure with its stack trace, as it must, and
 * the expected ones would bury the build's real output. Use with
 * {@code @ExtendWith(MutedEngineLog.class)}; the logger's level is restored after the class.
 *
 * <p>The engine logs through {@link System.Logger}, by default java.util.logging. Reflective: the
 * tests compile inside the module, which does not read java.logging.
 */
public final class MutedEngineLog implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MutedEngineLog.class);

    /*
     * The muted logger and the level it had. Holding the logger matters: java.util.logging keeps
     * loggers weakly, and a collected one would come back at its configured level, unmuted.
     */
    private record Muted(Object logger, Object previousLevel) {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws ReflectiveOperationException {
        Class<?> loggerClass = Class.forName("java.util.logging.Logger");
        Class<?> levelClass = Class.forName("java.util.logging.Level");
        Object logger = loggerClass.getMethod("getLogger", String.class).invoke(null, "dev.kvcache.core");
        Object previousLevel = loggerClass.getMethod("getLevel").invoke(logger);
        context.getStore(NAMESPACE).put(Muted.class, new Muted(logger, previousLevel));
        loggerClass.getMethod("setLevel", levelClass).invoke(logger, levelClass.getField("OFF").get(null));
    }

    @Override
    public void afterAll(ExtensionContext context) throws ReflectiveOperationException {
        Muted muted = context.getStore(NAMESPACE).remove(Muted.class, Muted.class);
        Class<?> loggerClass = Class.forName("java.util.logging.Logger");
        loggerClass.getMethod("setLevel", Class.forName("java.util.logging.Level"))
                .invoke(muted.logger(), muted.previousLevel());
    }
}
