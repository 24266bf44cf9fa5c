package dev.kvcache.http;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * The non-blocking read/demand loop over one request body, shared by the reader that keeps the bytes
 * ({@link BodyReader}) and the one that drops them ({@link BodyDiscarder}). When no chunk is available
 * it registers itself with {@link Request#demand} and returns; Jetty runs it again when more arrive.
 * Being {@link InvocationType#NON_BLOCKING}, it may run on the thread that read the bytes.
 */
abstract class BodyLoop implements Runnable, Invocable {
    private final Request request;

    BodyLoop(Request request) {
        this.request = request;
    }

    Request request() {
        return request;
    }

    /**
     * Takes one chunk that is not a failure, and releases it.
     *
     * @return whether to read on; {@code false} once the loop has ended (the subclass has reported its end)
     */
    abstract boolean onChunk(Content.Chunk chunk);

    /** Called once, ending the loop, when the body cannot be read (client gone, idle timeout). */
    abstract void onReadFailure(Throwable failure);

    @Override
    public final InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public final void run() {
        for (;;) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                onReadFailure(chunk.getFailure());
                return;
            }
            if (!onChunk(chunk)) {
                return;
            }
        }
    }
}
