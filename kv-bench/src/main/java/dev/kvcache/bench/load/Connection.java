package dev.kvcache.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.SplittableRandom;

/**
 * One pipelined connection: its socket, the bytes queued for it, and the requests in flight on it in
 * the order their answers must come back.
 *
 * <p>A request's latency runs from the write call that sent its last byte to the parse of its answer's
 * last byte, so the ring keeps, per request, where its bytes end in the output stream; a write stamps
 * every request it completed. Owned by one worker thread.
 */
final class Connection {

    static final byte GET = 0;
    static final byte POST = 1;

    static final int IDLE = 0;
    static final int CONNECTING = 1;
    static final int OPEN = 2;
    static final int BACKOFF = 3;

    final ByteBuffer out;
    final ResponseParser parser = new ResponseParser();
    final SplittableRandom random;

    SocketChannel channel;
    SelectionKey key;
    int state = IDLE;
    /** When the current connect began (CONNECTING) or when to retry (BACKOFF). */
    long stateNanos;
    int failures;

    /**
     * POST bodies of slots whose GET was answered just before the server closed the connection; they
     * are sent first on the next connection, so such servers still get the workload's mix.
     */
    private final long[] carriedPostValues;
    private int carriedPosts;
    private final byte[] kinds;
    private final long[] startNanos;
    private final long[] endOffsets;
    private int head;
    private int inFlight;
    private int written;
    private long queuedBytes;
    private long writtenBytes;

    Connection(int pipelining, int maxRequestBytes, SplittableRandom random) {
        this.carriedPostValues = new long[pipelining];
        this.kinds = new byte[pipelining];
        this.startNanos = new long[pipelining];
        this.endOffsets = new long[pipelining];
        this.out = ByteBuffer.allocateDirect(Math.max(4096, pipelining * maxRequestBytes));
        this.random = random;
    }

    int inFlight() {
        return inFlight;
    }

    int capacity() {
        return kinds.length;
    }

    /** Records a request whose {@code length} bytes were just appended to {@link #out}. */
    void enqueued(byte kind, int length, long nowNanos) {
        int index = slot(inFlight);
        kinds[index] = kind;
        // Until its last byte is written, the timeout clock runs from the time it was queued.
        startNanos[index] = nowNanos;
        queuedBytes += length;
        endOffsets[index] = queuedBytes;
        inFlight++;
    }

    /**
     * Writes what the socket takes of the queued bytes.
     *
     * @return true if nothing is left to write
     */
    boolean flush(long nowNanos) throws IOException {
        if (out.position() == 0) {
            return true;
        }
        out.flip();
        int count = channel.write(out);
        out.compact();
        writtenBytes += count;
        while (written < inFlight && endOffsets[slot(written)] <= writtenBytes) {
            startNanos[slot(written)] = nowNanos;
            written++;
        }
        return out.position() == 0;
    }

    /** Keeps a POST for the next connection; at most one per slot. */
    void carryPost(long value) {
        if (carriedPosts < carriedPostValues.length) {
            carriedPostValues[carriedPosts++] = value;
        }
    }

    int carriedPosts() {
        return carriedPosts;
    }

    long carriedPostValue(int index) {
        return carriedPostValues[index];
    }

    void dropCarriedPosts() {
        carriedPosts = 0;
    }

    byte headKind() {
        return kinds[head];
    }

    long headStartNanos() {
        return startNanos[head];
    }

    byte kindAt(int offsetFromHead) {
        return kinds[slot(offsetFromHead)];
    }

    /** Removes the oldest request, whose answer has arrived. */
    void pop() {
        head = slot(1);
        inFlight--;
        if (written > 0) {
            written--;
        }
    }

    /** Forgets every request and byte, for a new socket. */
    void clear() {
        head = 0;
        inFlight = 0;
        written = 0;
        queuedBytes = 0;
        writtenBytes = 0;
        out.clear();
        parser.reset();
    }

    private int slot(int offsetFromHead) {
        int index = head + offsetFromHead;
        return index >= kinds.length ? index - kinds.length : index;
    }
}
