package dev.kvcache.http;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body and drops it, within a bound, without blocking and without buffering: each
 * chunk is released as soon as it is counted (which is also what returns its flow-control credit to an
 * HTTP/2 client). Start it with {@link #run()}; it ends exactly once, through {@link #onEnd}, when the
 * last chunk was read, when more than {@code limitBytes} were read (the chunk that crosses the limit is
 * read whole), when {@link #onDiscarded} says to stop, or when the body cannot be read.
 *
 * <p>Public for the standalone server's HTTP/2 drain ({@code dev.kvcache.http.server}); within this
 * package, {@code POST /size} uses it to ignore a small body.
 */
public abstract class BodyDiscarder extends BodyLoop {
    private final long limitBytes;
    private long read;

    /**
     * @param request the request whose body to read
     * @param limitBytes the most to read: the discard ends at the first chunk that takes it past this
     */
    protected BodyDiscarder(Request request, long limitBytes) {
        super(request);
        this.limitBytes = limitBytes;
    }

    /**
     * Called after each chunk was dropped, the last one included. Runs on the thread that read it and must
     * not block.
     *
     * @param bytes the chunk's size, possibly 0
     * @return whether to read on (if the body has more); the default always does
     */
    protected boolean onDiscarded(int bytes) {
        return true;
    }

    /**
     * Called once, when the discard ends. Runs on the thread that read the last chunk and must not block.
     *
     * @param wholeBody whether the body was read to its end; {@code false} if the discard stopped before
     *     (limit, {@link #onDiscarded} or a read failure)
     */
    protected abstract void onEnd(boolean wholeBody);

    @Override
    final boolean onChunk(Content.Chunk chunk) {
        int count = chunk.remaining();
        boolean last = chunk.isLast();
        chunk.release();
        read += count;
        boolean goOn = onDiscarded(count);
        if (last || read > limitBytes || !goOn) {
            onEnd(last);
            return false;
        }
        return true;
    }

    @Override
    final void onReadFailure(Throwable failure) {
        onEnd(false);
    }
}
