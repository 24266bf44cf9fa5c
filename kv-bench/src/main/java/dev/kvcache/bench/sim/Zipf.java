package dev.kvcache.bench.sim;

import java.util.SplittableRandom;

/**
 * Draws integers in {@code [0, n)} from a Zipf distribution with exponent {@code s}: the item of rank
 * {@code r} (1-based) has probability proportional to {@code 1 / r^s}. Ranks are mapped to items by a
 * fixed random permutation, so that the popular items are scattered over the range instead of being
 * its first few numbers (adjacent numbers would share hash buckets and CPU cache lines, which no real
 * workload gets for free). The permutation depends on {@code n} only, so samplers with different seeds
 * (one per thread) agree on which items are popular.
 *
 * <p>Sampling is by inversion on a cumulative table of {@code n} doubles and a binary search: exact,
 * {@code O(log n)} per draw, and simple enough to check by eye. Instances are deterministic for a
 * given seed and not thread-safe; give each thread its own.
 */
public final class Zipf {
    private static final long PERMUTATION_SEED = 0x5EED_2026L;

    private final double[] cumulative;
    private final int[] itemOfRank;
    private final SplittableRandom random;

    /**
     * Creates a sampler.
     *
     * @param n the number of items, positive
     * @param s the exponent, zero or more (0 is uniform; 0.99 is the usual "skewed" web workload)
     * @param seed the seed of the draws
     * @throws IllegalArgumentException if {@code n} is not positive or {@code s} is negative
     */
    public Zipf(int n, double s, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, was " + n);
        }
        if (!(s >= 0)) {
            throw new IllegalArgumentException("s must be >= 0, was " + s);
        }
        cumulative = new double[n];
        double sum = 0;
        for (int rank = 1; rank <= n; rank++) {
            sum += 1 / Math.pow(rank, s);
            cumulative[rank - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
        // Guards against rounding leaving the last bucket just below 1, out of reach of a draw.
        cumulative[n - 1] = 1.0;
        random = new SplittableRandom(seed);
        itemOfRank = permutation(n, new SplittableRandom(PERMUTATION_SEED));
    }

    /**
     * Returns the next item.
     *
     * @return an item in {@code [0, n)}
     */
    public int next() {
        double u = random.nextDouble();
        int low = 0;
        int high = cumulative.length - 1;
        // The first rank whose cumulative probability reaches u.
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (cumulative[middle] < u) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return itemOfRank[low];
    }

    /**
     * Returns the probability of the most popular item, the share of requests it gets.
     *
     * @return the probability of rank 1
     */
    public double topProbability() {
        return cumulative[0];
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] items = new int[n];
        for (int i = 0; i < n; i++) {
            items[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = items[i];
            items[i] = items[j];
            items[j] = swap;
        }
        return items;
    }
}
