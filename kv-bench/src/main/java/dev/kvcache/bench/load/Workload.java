package dev.kvcache.bench.load;

import java.util.SplittableRandom;

/**
 * The seed's workload, one decision at a time: every request slot sends {@code GET /<k>} for a uniform
 * random key, and after each answered GET, with probability {@code p = (1 - r) / r} for read ratio
 * {@code r}, sends {@code POST /<k2>} for an independent key before its next GET. With the default
 * {@code r = 0.8}, {@code p = 0.25}: four GETs per POST.
 *
 * <p>The POST body is the GET body plus one when that body is a decimal integer, else {@code 1}, as the
 * seed's tool computed it with {@code strconv.Atoi}.
 */
final class Workload {

    private final long keyRange;
    private final double postProbability;
    private final double postShare;

    /**
     * @param keyRange keys are drawn uniformly from {@code [0, keyRange)}, which must be positive
     * @param readRatio the share of GETs among requests, in {@code [0.5, 1]}
     */
    Workload(long keyRange, double readRatio) {
        if (keyRange <= 0) {
            throw new IllegalArgumentException("key range must be positive: " + keyRange);
        }
        if (!(readRatio >= 0.5 && readRatio <= 1.0)) {
            throw new IllegalArgumentException("read ratio must be in [0.5, 1]: " + readRatio);
        }
        this.keyRange = keyRange;
        this.postProbability = postProbability(readRatio);
        this.postShare = 1.0 - readRatio;
    }

    /** The probability of a POST after an answered GET that yields read ratio {@code readRatio}. */
    static double postProbability(double readRatio) {
        return (1.0 - readRatio) / readRatio;
    }

    long nextKey(SplittableRandom random) {
        return random.nextLong(keyRange);
    }

    boolean postAfterGet(SplittableRandom random) {
        return postProbability > 0 && random.nextDouble() < postProbability;
    }

    /** In batch mode: whether a request of a new batch is a POST (probability {@code 1 - readRatio}). */
    boolean postInBatch(SplittableRandom random) {
        return postShare > 0 && random.nextDouble() < postShare;
    }

    /** The POST body that follows a GET whose parsed body is described by {@code parser}. */
    static long postValue(ResponseParser parser) {
        return parser.bodyIsInteger() ? parser.bodyInteger() + 1 : 1;
    }
}
