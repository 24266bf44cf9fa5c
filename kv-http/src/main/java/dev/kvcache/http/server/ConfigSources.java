package dev.kvcache.http.server;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where each setting's value comes from when the command line does not give it: the environment
 * variable named after the long flag ({@code --max-key-bytes} is {@code KV_MAX_KEY_BYTES}), else the
 * same name in the {@code --config} file ({@link ConfigFile}), else the option's default. Remembers
 * which values it handed out, so that a message about a value names the place the operator wrote it,
 * and {@code --print-config} shows where each setting came from.
 */
final class ConfigSources implements CommandLine.IDefaultValueProvider {
    static final String ENV_PREFIX = "KV_";
    static final String CONFIG = "--config";
    static final String PRINT_CONFIG = "--print-config";
    /** Settings whose values {@code --print-config} does not show. */
    private static final Set<String> SECRETS = Set.of("--auth-token", "--tls-password");

    /** Where one value came from. */
    sealed interface Source {
        /** @return how a message names a setting from this source: {@code --ttl}, {@code KV_TTL (environment)} */
        String label(OptionSpec option);

        /** @return where the value came from, as {@code --print-config} shows it */
        String describe(OptionSpec option);
    }

    record Flag() implements Source {
        @Override
        public String label(OptionSpec option) {
            return option.longestName();
        }

        @Override
        public String describe(OptionSpec option) {
            return "flag " + option.longestName();
        }
    }

    record Environment() implements Source {
        @Override
        public String label(OptionSpec option) {
            return environmentVariable(option) + " (environment)";
        }

        @Override
        public String describe(OptionSpec option) {
            return "environment " + environmentVariable(option);
        }
    }

    record FileLine(Path file, int line) implements Source {
        @Override
        public String label(OptionSpec option) {
            return environmentVariable(option) + " (" + file + ":" + line + ")";
        }

        @Override
        public String describe(OptionSpec option) {
            return "file " + file + ":" + line;
        }
    }

    record Default() implements Source {
        @Override
        public String label(OptionSpec option) {
            return option.longestName();
        }

        @Override
        public String describe(OptionSpec option) {
            return "default";
        }
    }

    private record Supplied(Source source, String value) {}

    private final Map<String, String> env;
    private final Map<String, Supplied> supplied = new HashMap<>();
    private ConfigFile file;

    ConfigSources(Map<String, String> env) {
        this.env = env;
    }

    /** @return the environment variable of an option: {@code --max-key-bytes} gives {@code KV_MAX_KEY_BYTES} */
    static String environmentVariable(OptionSpec option) {
        return ENV_PREFIX + option.longestName().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** @return whether an option is a setting (one with a variable), not an action such as {@code --help} */
    static boolean isSetting(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp() && !option.longestName().equals(PRINT_CONFIG);
    }

    /** Forgets the values handed out and the file, before a new parse. */
    void reset() {
        supplied.clear();
        file = null;
    }

    /**
     * Reads the config file, a source from now on, behind the environment; forgets the values handed
     * out, since the next parse may take others.
     *
     * @param label how messages name the setting that named the file
     * @throws CommandLine.ParameterException if the file cannot be read or has a bad line
     */
    void readFile(CommandLine commandLine, Path path, String label) {
        Set<String> known = new TreeSet<>();
        for (OptionSpec option : commandLine.getCommandSpec().options()) {
            if (isSetting(option) && !option.longestName().equals(CONFIG)) {
                known.add(environmentVariable(option));
            }
        }
        supplied.clear();
        try {
            file = ConfigFile.read(path, known);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, label + ": " + e.getMessage());
        }
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || !isSetting(option)) {
            return null;
        }
        String variable = environmentVariable(option);
        String value = env.get(variable);
        if (value != null && !value.isBlank()) {
            supplied.put(option.longestName(), new Supplied(new Environment(), value.trim()));
            return value.trim();
        }
        ConfigFile.Setting setting = file == null || option.longestName().equals(CONFIG) ? null : file.get(variable);
        if (setting == null) {
            return null;
        }
        supplied.put(option.longestName(), new Supplied(new FileLine(file.path(), setting.line()), setting.value()));
        return setting.value();
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

    /**
     * Prints every setting as a line of the config file, with where its value came from, secrets
     * masked; settings without a value are commented out.
     */
    void print(CommandLine commandLine, PrintWriter out) {
        CommandLine.ParseResult result = commandLine.getParseResult();
        for (OptionSpec option : commandLine.getCommandSpec().options()) {
            if (!isSetting(option)) {
                continue;
            }
            boolean matched = result.hasMatchedOption(option);
            Source source = source(option, matched);
            String value = rawValue(option, matched ? result.matchedOption(option.longestName()) : null);
            if (value == null) {
                out.println("# " + environmentVariable(option) + " is not set");
                continue;
            }
            String shown = SECRETS.contains(option.longestName()) ? "********" : value;
            String effective = option.longestName().equals("--max-bytes") && shown.endsWith("%")
                    ? ByteSizes.format((Long) option.getValue()) + " of this heap, " : "";
            out.println(environmentVariable(option) + "=" + shown + "  # " + effective + source.describe(option));
        }
        out.flush();
    }

    /** @return the value as the operator wrote it, or {@code null} if the setting has none */
    private String rawValue(OptionSpec option, OptionSpec matched) {
        if (option.type() == boolean.class || option.type() == Boolean.class) {
            return String.valueOf(option.<Object>getValue());
        }
        if (matched != null) {
            java.util.List<String> given = matched.originalStringValues();
            return given.isEmpty() ? String.valueOf(option.<Object>getValue()) : given.get(given.size() - 1);
        }
        Supplied value = supplied.get(option.longestName());
        if (value != null) {
            return value.value();
        }
        return option.defaultValue();
    }
}
