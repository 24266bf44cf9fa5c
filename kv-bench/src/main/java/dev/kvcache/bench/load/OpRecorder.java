package dev.kvcache.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What one worker thread saw of one kind of request (GET or POST) during a run.
 *
 * <p>Answers are filed by the time their last byte was parsed: before the measured window (warm-up),
 * inside it (counted in every figure), or after it while in-flight requests drain (counted only as
 * {@code drained}). Errors and timeouts are counted whenever they happen. Single-threaded: each worker
 * owns its recorders, and they are merged after the workers stop.
 */
final class OpRecorder {

    /** An hour in microseconds: no latency can exceed it, since the timeout caps every wait. */
    static final long HIGHEST_LATENCY_MICROS = 3_600_000_000L;
    /** Resolution of the time series: requests/s over time is charted at this step. */
    static final long BUCKET_NANOS = 100_000_000L;

    final Histogram latencyMicros = new Histogram(HIGHEST_LATENCY_MICROS, 3);
    /** Answers per {@link #BUCKET_NANOS} slice of the measured window. */
    final long[] answersPerBucket;
    final long[] bytesPerBucket;

    long sent;
    long answeredInWarmup;
    long measured;
    long ok2xx;
    long misses;
    long non2xx;
    long bytes;
    long drained;
    long errors;
    long timeouts;
    long abandoned;

    OpRecorder(int buckets) {
        answersPerBucket = new long[buckets];
        bytesPerBucket = new long[buckets];
    }

    /**
     * Files one answer.
     *
     * @param missStatus the status that means "absent key" for this kind (404 for GET), or -1
     * @param sinceWindowStartNanos the answer's time relative to the start of the measured window
     */
    void answered(int status, int missStatus, long latencyNanos, long wireBytes, long sinceWindowStartNanos,
                  long windowNanos) {
        if (sinceWindowStartNanos < 0) {
            answeredInWarmup++;
            return;
        }
        if (sinceWindowStartNanos >= windowNanos) {
            drained++;
            return;
        }
        measured++;
        if (status >= 200 && status < 300) {
            ok2xx++;
        } else if (status == missStatus) {
            misses++;
        } else {
            non2xx++;
        }
        bytes += wireBytes;
        int bucket = (int) (sinceWindowStartNanos / BUCKET_NANOS);
        answersPerBucket[bucket]++;
        bytesPerBucket[bucket] += wireBytes;
        // Round to the nearest microsecond; loopback answers can take less than one.
        long micros = (latencyNanos + 500) / 1000;
        latencyMicros.recordValue(Math.min(Math.max(micros, 0), HIGHEST_LATENCY_MICROS));
    }

    /** All answers, in and out of the measured window. */
    long answered() {
        return answeredInWarmup + measured + drained;
    }

    void add(OpRecorder other) {
        latencyMicros.add(other.latencyMicros);
        for (int i = 0; i < answersPerBucket.length; i++) {
            answersPerBucket[i] += other.answersPerBucket[i];
            bytesPerBucket[i] += other.bytesPerBucket[i];
        }
        sent += other.sent;
        answeredInWarmup += other.answeredInWarmup;
        measured += other.measured;
        ok2xx += other.ok2xx;
        misses += other.misses;
        non2xx += other.non2xx;
        bytes += other.bytes;
        drained += other.drained;
        errors += other.errors;
        timeouts += other.timeouts;
        abandoned += other.abandoned;
    }
}
