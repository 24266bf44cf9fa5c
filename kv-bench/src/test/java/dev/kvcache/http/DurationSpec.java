package dev.kvcache.http;

import static org.quicktheories.generators.SourceDSL.lists;

import java.math.BigInteger;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * An independent specification of the duration strings docs/http.md accepts for TTLs (a positive
 * whole number with an optional unit {@code ms}, {@code s}, {@code m}, {@code h}; bare means
 * milliseconds; at most 100 years), and a generator of strings that look like durations. Test code,
 * public so that the HTTP-level properties in {@code dev.kvcache.bench.http} share it.
 */
public final class DurationSpec {
    /** The accepted units; "" is a bare number of milliseconds. */
    public static final List<String> UNITS = List.of("", "ms", "s", "m", "h");
    /** The length of each of {@link #UNITS} in milliseconds. */
    public static final long[] UNIT_MILLIS = {1, 1, 1_000, 60_000, 3_600_000};
    /** The longest TTL: 100 years of 365 days (longer is refused, not saturated). */
    public static final long MAX_MILLIS = 365L * 100 * 24 * 3_600_000;
    private static final Pattern FORM = Pattern.compile("([0-9]+)(ms|s|m|h)?");

    private DurationSpec() {}

    /** @return whether {@code text} has an accepted form but means more than {@link #MAX_MILLIS} */
    /** Whether the text is a well-formed zero ("0", "00s", "0ms"...): refused with a sentence of its own. */
    public static boolean isZero(String text) {
        return text.matches("0+(ms|s|m|h)?");
    }

    public static boolean tooLong(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return false;
        }
        String unit = m.group(2) == null ? "" : m.group(2);
        BigInteger millis = new BigInteger(m.group(1)).multiply(BigInteger.valueOf(UNIT_MILLIS[UNITS.indexOf(unit)]));
        return millis.compareTo(BigInteger.valueOf(MAX_MILLIS)) > 0;
    }

    /** @return the duration {@code text} specifies in milliseconds, or null if it must be refused */
    public static Long specifiedMillis(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return null;
        }
        String unit = m.group(2) == null ? "" : m.group(2);
        BigInteger millis = new BigInteger(m.group(1)).multiply(BigInteger.valueOf(UNIT_MILLIS[UNITS.indexOf(unit)]));
        if (millis.signum() <= 0 || millis.compareTo(BigInteger.valueOf(MAX_MILLIS)) > 0) {
            return null;
        }
        return millis.longValueExact();
    }

    /**
     * @return strings over the characters of durations and their usual mistakes (signs, decimals,
     *     other units, overflow), mostly short; all are URL-safe as they are
     */
    public static Gen<String> durationLike() {
        Gen<String> token = Generate.pick(List.of("0", "1", "5", "9", "00", "999", "1000", "99999999999999",
                "3153600000", "3153600001", "876000", "876001", "m", "s", "h", "ms", "d", "-", "+", ".", "sec",
                "M", "S"));
        return lists().of(token).ofSizeBetween(1, 4).map(parts -> parts.stream().collect(Collectors.joining()));
    }
}
