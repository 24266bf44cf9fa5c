package dev.kvcache.http.server;

import dev.kvcache.http.KvHandlerOptions;
import dev.kvcache.http.TtlParser;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * The value forms the server's settings take, one converter per form. Each refuses a bad value with
 * a {@link TypeConversionException} whose message is the rule, quoting the value; {@link ServerConfig}
 * prefixes it with the flag or variable the value came from.
 */
final class Converters {
    private Converters() {}

    private static TypeConversionException refused(IllegalArgumentException e) {
        return new TypeConversionException(e.getMessage());
    }

    /**
     * A boolean as environment files write it: {@code true}, {@code yes}, {@code on}, {@code 1} or
     * {@code false}, {@code no}, {@code off}, {@code 0}, in any case.
     */
    static final class Bool implements CommandLine.ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true": case "yes": case "on": case "1": return true;
                case "false": case "no": case "off": case "0": return false;
                default: throw new TypeConversionException("'" + value + "' is not a boolean: use true, yes, on or"
                        + " 1, or false, no, off or 0 (any case)");
            }
        }
    }

    /** A TCP port, 0 to 65535. */
    static final class Port implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String trimmed = value.trim();
            if (!trimmed.matches("[0-9]{1,5}") || Integer.parseInt(trimmed) > 65535) {
                throw new TypeConversionException("'" + value + "' is not a port: expected a whole number in"
                        + " [0, 65535]");
            }
            return Integer.parseInt(trimmed);
        }
    }

    /** A whole number that fits an {@code int}. */
    static final class Count implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
        }
    }

    /** A positive duration in {@link TtlParser}'s forms, in milliseconds. */
    static final class Duration implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return TtlParser.parseMillis(value.trim());
            } catch (IllegalArgumentException e) {
                throw refused(e);
            }
        }
    }

    /** As {@link Duration}, or 0 for "not at all". */
    static final class DurationOrZero implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            // zero in any of the duration forms (0, 0ms, 0s, 0m, 0h), as the docs promise every form
            return value.trim().matches("0+(ms|s|m|h)?") ? 0L : new Duration().convert(value);
        }
    }

    /** A byte size in {@link ByteSizes}' forms. */
    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw refused(e);
            }
        }
    }

    /** A size, or {@code N%} of the maximum heap ({@link KvHandlerOptions#defaultMaxBytes()} is 25 %). */
    static final class HeapShareOrSize implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String trimmed = value.trim();
            if (!trimmed.endsWith("%")) {
                return new Size().convert(trimmed);
            }
            double percent;
            try {
                percent = Double.parseDouble(trimmed.substring(0, trimmed.length() - 1));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("invalid percentage '" + value + "': expected a number in"
                        + " (0, 100] followed by %, such as 25%");
            }
            if (!(percent > 0 && percent <= 100)) {
                throw new TypeConversionException("percentage must be in (0, 100], was '" + value + "'");
            }
            return KvHandlerOptions.heapShare(percent);
        }
    }
}
