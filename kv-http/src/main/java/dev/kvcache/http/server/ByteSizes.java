package dev.kvcache.http.server;

/**
 * Parses byte sizes given on the command line: a whole number with an optional binary unit,
 * {@code KiB}, {@code MiB} or {@code GiB} (also {@code k}, {@code m}, {@code g}, case-insensitive);
 * {@code 1048576}, {@code 1MiB} and {@code 1m} are the same size.
 */
final class ByteSizes {
    private ByteSizes() {}

    /**
     * Parses a size.
     *
     * @param text the text, not null
     * @return the size in bytes, zero or more
     * @throws IllegalArgumentException if the text is not a size in the accepted forms
     */
    static long parse(String text) {
        String trimmed = text.trim();
        int digits = 0;
        while (digits < trimmed.length() && Character.isDigit(trimmed.charAt(digits))) {
            digits++;
        }
        if (digits == 0 || digits > 18) {
            throw invalid(text);
        }
        long value = Long.parseLong(trimmed.substring(0, digits));
        int shift;
        switch (trimmed.substring(digits).toLowerCase(java.util.Locale.ROOT)) {
            case "": case "b": shift = 0; break;
            case "k": case "kib": shift = 10; break;
            case "m": case "mib": shift = 20; break;
            case "g": case "gib": shift = 30; break;
            default: throw invalid(text);
        }
        if (value > (Long.MAX_VALUE >> shift)) {
            throw invalid(text);
        }
        return value << shift;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "invalid size '" + text + "': expected bytes, or with a unit: 512KiB, 1MiB, 2GiB");
    }

    /**
     * Formats a size for people: {@code 250 B}, {@code 8 KiB}, {@code 1.5 GiB} (one decimal at most,
     * rounded down, so that a bound is never overstated).
     *
     * @param bytes zero or more
     */
    static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int unit = 0;
        while (unit + 1 < units.length && bytes >= 1L << (10 * (unit + 1))) {
            unit++;
        }
        if (unit == 0) {
            return bytes + " B";
        }
        long tenths = (long) Math.floor(bytes * 10.0 / (1L << (10 * unit)));
        return (tenths % 10 == 0 ? Long.toString(tenths / 10) : tenths / 10 + "." + tenths % 10) + " " + units[unit];
    }
}
