package dev.kvcache.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Gates} judges each target fork by fork, from JMH's per-fork raw data. */
class GatesTest {
    @TempDir
    Path directory;

    @Test
    void targetIsMetOnlyIfEveryForkMeetsIt() throws Exception {
        // kvcache at 0.9x CHM in fork 1 but 0.8x in fork 2: the overall mean 0.85x would pass.
        String json = "[" + result("ConcurrentHashMap", "[[10.0, 10.0], [10.0, 10.0]]", "[[0.0], [0.0]]")
                + "," + result("Caffeine", "[[2.0], [2.0]]", "[[0.0], [0.0]]")
                + "," + result("cache2k", "[[10.0], [10.0]]", "[[0.0], [0.0]]")
                + "," + result("kvcache", "[[9.0, 9.0], [8.0, 8.0]]", "[[0.0], [0.5]]") + "]";
        String out = gates(json);
        assertTrue(out.contains("| 0.90 / 0.80 |"), out);
        assertTrue(out.contains(">= 0.85x CHM: MISSED (worst fork 0.80)"), out);
        assertTrue(out.contains(">= 3.00x Caffeine: met (worst fork 4.00)"), out);
        assertTrue(out.contains("ahead of cache2k: MISSED (worst fork 0.80)"), out);
        assertTrue(out.contains("0 B/op: MISSED (most 0.500 B/op)"), out);
        assertTrue(out.contains("Targets met in every fork: 1; missed in at least one: 3."), out);
    }

    @Test
    void chmDeadlineIsShownForTheRecordAndJudgesNothing() throws Exception {
        String json = "[" + result("ConcurrentHashMap", "[[10.0], [10.0]]", "[[0.0], [0.0]]")
                + "," + result("chm-deadline", "[[9.0], [10.0]]", "[[0.0], [0.0]]")
                + "," + result("kvcache", "[[9.0], [8.0]]", "[[0.0], [0.0]]") + "]";
        String out = gates(json);
        // kvcache / CHM, then kvcache / chm-deadline and chm-deadline / CHM per fork, at the row's end.
        assertTrue(out.contains("| 0.90 / 0.80 | – | – | 0.00 / 0.00 | >= 0.85x CHM: MISSED (worst fork 0.80);"
                + " 0 B/op: met (most 0.000 B/op) | 1.00 / 0.80 | 0.90 / 1.00 |"), out);
        assertTrue(out.contains("Targets met in every fork: 1; missed in at least one: 1."), out);
    }

    private String gates(String json) throws Exception {
        Path file = directory.resolve("result.json");
        Files.writeString(file, json);
        PrintStream standardOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Gates.main(new String[] {file.toString()});
        } finally {
            System.setOut(standardOut);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static String result(String peer, String rawOps, String rawBytes) {
        return "{\"benchmark\": \"dev.kvcache.bench.jmh.CacheBenchmark.getHit\", \"threads\": 1,"
                + " \"params\": {\"peer\": \"" + peer + "\", \"distribution\": \"uniform\","
                + " \"keys\": \"scrambled\", \"size\": \"1000000\"},"
                + " \"primaryMetric\": {\"score\": 1.0, \"scoreError\": \"NaN\", \"rawData\": " + rawOps + "},"
                + " \"secondaryMetrics\": {\"gc.alloc.rate.norm\": {\"score\": 0.0, \"rawData\": " + rawBytes
                + "}}}";
    }
}
