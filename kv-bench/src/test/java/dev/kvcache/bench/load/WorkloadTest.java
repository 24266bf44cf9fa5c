package dev.kvcache.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void postProbabilityYieldsTheReadRatio() {
        assertEquals(0.25, Workload.postProbability(0.8), 1e-12);
        assertEquals(0.0, Workload.postProbability(1.0), 1e-12);
        assertEquals(1.0, Workload.postProbability(0.5), 1e-12);
        // One POST per p GETs on average: the share of GETs is 1 / (1 + p).
        for (double ratio : new double[] {0.5, 0.6, 0.8, 0.95, 1.0}) {
            assertEquals(ratio, 1 / (1 + Workload.postProbability(ratio)), 1e-12);
        }
    }

    @Test
    void rejectsRatiosNoSlotCanReach() {
        assertThrows(IllegalArgumentException.class, () -> new Workload(10, 0.4));
        assertThrows(IllegalArgumentException.class, () -> new Workload(10, 1.1));
        assertThrows(IllegalArgumentException.class, () -> new Workload(0, 0.8));
    }

    @Test
    void keysStayInRangeAndReachBothEnds() {
        Workload workload = new Workload(5, 0.8);
        SplittableRandom random = new SplittableRandom(1);
        boolean[] seen = new boolean[5];
        for (int i = 0; i < 1000; i++) {
            long key = workload.nextKey(random);
            assertTrue(key >= 0 && key < 5, "key " + key);
            seen[(int) key] = true;
        }
        for (boolean hit : seen) {
            assertTrue(hit);
        }
    }

    @Test
    void readOnlyWorkloadNeverPosts() {
        Workload workload = new Workload(10, 1.0);
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 1000; i++) {
            assertFalse(workload.postAfterGet(random));
        }
    }

    @Test
    void postValueIncrementsIntegerBodiesElseOne() {
        assertEquals(42, Workload.postValue(parsed("41")));
        assertEquals(-4, Workload.postValue(parsed("-5")));
        assertEquals(1, Workload.postValue(parsed("not found")));
        assertEquals(1, Workload.postValue(parsed("")));
        // Go's int wraps on overflow, and so does this.
        assertEquals(Long.MIN_VALUE, Workload.postValue(parsed(Long.toString(Long.MAX_VALUE))));
    }

    private static ResponseParser parsed(String body) {
        byte[] data = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
        ResponseParser parser = new ResponseParser();
        parser.feed(data, 0, data.length);
        assertTrue(parser.isComplete());
        return parser;
    }
}
