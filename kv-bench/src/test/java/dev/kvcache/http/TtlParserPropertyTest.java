package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;

/**
 * Properties of {@link TtlParser} (package-private, hence this package): every duration it accepts
 * round-trips in each accepted form, and on arbitrary strings over the characters durations are made
 * of it agrees with an independent specification (a regular expression plus exact arithmetic on the
 * range {@code [1 ms, 100 years]}).
 */
class TtlParserPropertyTest {
    @Test
    void everyAcceptedDurationRoundTripsInEachForm() {
        qt().withExamples(2_000)
                .forAll(integers().between(0, DurationSpec.UNITS.size() - 1), longs().between(1, Long.MAX_VALUE))
                .checkAssert((unit, seed) -> {
                    long max = TtlParser.MAX_MILLIS / DurationSpec.UNIT_MILLIS[unit];
                    // Small values are where mistakes hide; large ones near the limit too.
                    long value = seed % 3 == 0 ? 1 + seed % 1_000 : seed % 3 == 1 ? max - seed % 1_000 : 1 + seed % max;
                    String text = value + DurationSpec.UNITS.get(unit);
                    assertEquals(value * DurationSpec.UNIT_MILLIS[unit], TtlParser.parseMillis(text), text);
                });
    }

    @Test
    void acceptsExactlyTheSpecifiedForms() {
        assertEquals(TtlParser.MAX_MILLIS, DurationSpec.MAX_MILLIS, "the specification's upper bound");
        qt().withExamples(3_000).forAll(DurationSpec.durationLike()).checkAssert(text -> {
            Long expected = DurationSpec.specifiedMillis(text);
            if (expected == null) {
                assertThrows(IllegalArgumentException.class, () -> TtlParser.parseMillis(text), text);
            } else {
                assertEquals(expected.longValue(), TtlParser.parseMillis(text), text);
            }
        });
    }
}
