package dev.kvcache.bench.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ZipfTest {
    private static final int N = 1000;
    private static final int DRAWS = 1_000_000;

    @Test
    void frequenciesFollowThePowerLaw() {
        Zipf zipf = new Zipf(N, 0.99, 7);
        int[] counts = new int[N];
        for (int i = 0; i < DRAWS; i++) {
            counts[zipf.next()]++;
        }
        int[] byRank = IntStream.of(counts).boxed().sorted((a, b) -> b - a).mapToInt(Integer::intValue).toArray();
        double harmonic = IntStream.rangeClosed(1, N).mapToDouble(r -> 1 / Math.pow(r, 0.99)).sum();
        assertEquals(1 / harmonic, zipf.topProbability(), 1e-12);
        // Rank 1, 2 and 10 against 1/(r^s H): binomial standard deviation is under 0.1 % of DRAWS.
        for (int rank : new int[] {1, 2, 10}) {
            double expected = DRAWS / Math.pow(rank, 0.99) / harmonic;
            assertEquals(expected, byRank[rank - 1], 0.05 * expected, "rank " + rank);
        }
        assertTrue(IntStream.of(counts).allMatch(c -> c > 0), "every item is drawn at some point");
    }

    @Test
    void exponentZeroIsUniform() {
        Zipf zipf = new Zipf(N, 0, 3);
        int[] counts = new int[N];
        for (int i = 0; i < DRAWS; i++) {
            counts[zipf.next()]++;
        }
        double expected = (double) DRAWS / N;
        assertTrue(IntStream.of(counts).allMatch(c -> Math.abs(c - expected) < 0.2 * expected));
    }

    @Test
    void sameSeedSameDrawsAndAllSeedsAgreeOnThePopularItem() {
        int[] first = draws(new Zipf(N, 0.99, 11), 100);
        assertArrayEquals(first, draws(new Zipf(N, 0.99, 11), 100));
        assertEquals(mostFrequent(new Zipf(N, 1.2, 1)), mostFrequent(new Zipf(N, 1.2, 2)));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Zipf(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Zipf(10, -0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new Zipf(10, Double.NaN, 1));
    }

    private static int[] draws(Zipf zipf, int count) {
        return IntStream.range(0, count).map(i -> zipf.next()).toArray();
    }

    private static int mostFrequent(Zipf zipf) {
        int[] counts = new int[N];
        for (int i = 0; i < 100_000; i++) {
            counts[zipf.next()]++;
        }
        return IntStream.range(0, N).reduce((a, b) -> counts[a] >= counts[b] ? a : b).getAsInt();
    }
}
