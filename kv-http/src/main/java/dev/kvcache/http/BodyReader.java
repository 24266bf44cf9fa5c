package dev.kvcache.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads one request body into an array without blocking ({@link BodyLoop}'s read/demand loop).
 *
 * <p>With a {@code Content-Length} the value's array is allocated once at its exact size and the
 * chunks are copied straight into it: the only copy of the bytes. A chunked body grows an array by
 * doubling, up to the limit, and is trimmed once at the end. A body that exceeds the limit is refused
 * as soon as it does, having buffered at most the limit. Subclasses hold what the request needs next.
 */
abstract class BodyReader extends BodyLoop {
    private static final int FIRST_CHUNKED_CAPACITY = 1024;

    private final int limit;
    private final long contentLength;
    private byte[] buffer;
    private int size;

    /**
     * @param contentLength the declared length, or -1 if the body is chunked; at most {@code limit}
     */
    BodyReader(Request request, long contentLength, int limit) {
        super(request);
        this.limit = limit;
        this.contentLength = contentLength;
        // Allocated with the first chunk, where an OutOfMemoryError reaches onOutOfMemory.
        this.buffer = contentLength == 0 ? Replies.empty() : null;
    }

    /** Called once, with the whole body; the array is the reader's to give away. */
    abstract void onBody(byte[] value);

    /** Called once, instead of {@link #onBody}, when the body exceeds the limit. */
    abstract void onTooLarge();

    /** Called once, instead of {@link #onBody}, when the body cannot be read (client gone, idle timeout). */
    abstract void onFailure(Throwable failure);

    /** Called once, instead of {@link #onBody}, when the heap has no room for the body's array. */
    abstract void onOutOfMemory(OutOfMemoryError error);

    @Override
    final boolean onChunk(Content.Chunk chunk) {
        boolean last = chunk.isLast();
        ByteBuffer bytes = chunk.getByteBuffer();
        int count = bytes.remaining();
        if (count > limit - size) {
            chunk.release();
            onTooLarge();
            return false;
        }
        if (count > 0) {
            try {
                ensureCapacity(size + count);
            } catch (OutOfMemoryError e) {
                buffer = null;
                chunk.release();
                onOutOfMemory(e);
                return false;
            }
            bytes.get(buffer, size, count);
            size += count;
        }
        chunk.release();
        if (last) {
            onBody(result());
            return false;
        }
        return true;
    }

    @Override
    final void onReadFailure(Throwable failure) {
        onFailure(failure);
    }

    private void ensureCapacity(int needed) {
        if (buffer == null) {
            buffer = contentLength > 0 ? new byte[(int) contentLength]
                    : new byte[Math.min(limit, Math.max(needed, FIRST_CHUNKED_CAPACITY))];
        } else if (buffer.length < needed) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max(needed, 2L * buffer.length)));
        }
    }

    private byte[] result() {
        if (buffer == null) {
            return Replies.empty();
        }
        return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
    }
}
