package dev.kvcache.http.server;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where each setting's value comes from when the command line does not give it: the environment
 * variable named after the long flag ({@code --max-key-bytes} is {@code KV_MAX_KEY_BYTES}), else the
 * option's default. Remembers which values it handed out, so that a message about a value names the
 * place the operator wrote it.
 */
final class ConfigSources implements CommandLine.IDefaultValueProvider {
    static final String ENV_PREFIX = "KV_";

    /** Where one value came from. */
    sealed interface Source {
        /** @return how a message names a setting from this source: {@code --ttl}, {@code KV_TTL (environment)} */
        String label(OptionSpec option);
    }

    record Flag() implements Source {
        @Override
        public String label(OptionSpec option) {
            return option.longestName();
        }
    }

    record Environment() implements Source {
        @Override
        public String label(OptionSpec option) {
            return environmentVariable(option) + " (environment)";
        }
    }

    record Default() implements Source {
        @Override
        public String label(OptionSpec option) {
            return option.longestName();
        }
    }

    private record Supplied(Source source, String value) {}

    private final Map<String, String> env;
    private final Map<String, Supplied> supplied = new HashMap<>();

    ConfigSources(Map<String, String> env) {
        this.env = env;
    }

    /** @return the environment variable of an option: {@code --max-key-bytes} gives {@code KV_MAX_KEY_BYTES} */
    static String environmentVariable(OptionSpec option) {
        return ENV_PREFIX + option.longestName().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Forgets the values handed out, before a new parse. */
    void reset() {
        supplied.clear();
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String value = env.get(environmentVariable(option));
        if (value == null || value.isBlank()) {
            return null;
        }
        supplied.put(option.longestName(), new Supplied(new Environment(), value.trim()));
        return value.trim();
    }

    /**
     * @param matched whether the command line gave the option
     * @return where the option's value came from
     */
    Source source(OptionSpec option, boolean matched) {
        if (matched) {
            return new Flag();
        }
        Supplied value = supplied.get(option.longestName());
        return value == null ? new Default() : value.source();
    }

    /**
     * @return the exception with one sentence naming where the refused value came from and the rule,
     *     in place of picocli's message (which names the flag even for a variable's value, and a
     *     converter's exception class)
     */
    CommandLine.ParameterException explain(CommandLine.ParameterException e) {
        Throwable cause = e.getCause();
        if (!(e.getArgSpec() instanceof OptionSpec option) || !(cause instanceof CommandLine.TypeConversionException
                || cause instanceof IllegalArgumentException)) {
            return e;
        }
        Supplied value = supplied.get(option.longestName());
        // A value the command line gave is not asked of this provider, so a refused value equal to the one
        // handed out came from here (or equals it, and then either name is right).
        Source source = value != null && value.value().equals(e.getValue()) ? value.source() : new Flag();
        return new CommandLine.ParameterException(e.getCommandLine(), source.label(option) + ": " + cause.getMessage(),
                cause, option, e.getValue());
    }
}
