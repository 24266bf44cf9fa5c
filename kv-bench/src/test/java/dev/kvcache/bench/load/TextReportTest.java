package dev.kvcache.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextReportTest {

    @Test
    void formatsSizesLikeGoHumanize() {
        assertEquals("9 B", TextReport.bytes(9));
        assertEquals("10 B", TextReport.bytes(10));
        assertEquals("1.0 kB", TextReport.bytes(1000));
        assertEquals("1.5 kB", TextReport.bytes(1500));
        assertEquals("83 MB", TextReport.bytes(82_854_982));
        assertEquals("1000 kB", TextReport.bytes(999_999));
    }

    @Test
    void formatsCountsLikeTheSeed() {
        assertEquals("999", TextReport.bigNumber(999));
        assertEquals("1k", TextReport.bigNumber(1000));
        assertEquals("721k", TextReport.bigNumber(721_020));
        assertEquals("0.825 ms", TextReport.millis(825));
    }

    @Test
    void perSecondSamplesTakeTheSmallestValueCoveringThePercentile() {
        long[] values = new long[100];
        for (int i = 0; i < values.length; i++) {
            values[i] = 100 - i;
        }
        LoadReport.Samples samples = LoadReport.samples(values);
        assertEquals(1, samples.p1());
        assertEquals(3, samples.p2_5());
        assertEquals(50, samples.p50());
        assertEquals(98, samples.p97_5());
        assertEquals(1, samples.min());
        assertEquals(100, samples.max());
        assertEquals(50.5, samples.mean(), 1e-9);
        assertEquals(Math.sqrt((100.0 * 100 - 1) / 12), samples.stdev(), 1e-9);
    }

    @Test
    void drawsTablesWithAlignedColumns() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TextReport.table(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of("Stat", "50%"),
                List.of(List.of("Latency", "0.825 ms")));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of(
                "+---------+----------+",
                "|  STAT   |   50%    |",
                "+---------+----------+",
                "| Latency | 0.825 ms |",
                "+---------+----------+"), lines);
        assertTrue(lines.stream().allMatch(line -> line.length() == lines.get(0).length()));
    }
}
