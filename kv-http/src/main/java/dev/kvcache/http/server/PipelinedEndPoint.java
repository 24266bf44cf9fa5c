package dev.kvcache.http.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadPendingException;
import java.nio.channels.WritePendingException;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

/**
 * The endpoint an HTTP/1.1 connection writes through: while the connection works through requests a
 * client pipelined, it holds back each complete response until the last of those already read, and sends
 * them in a single write.
 *
 * <p>Jetty writes each response as soon as it is complete: ten pipelined requests cost ten {@code
 * writev} calls and wake the client ten times, which on loopback is most of a small request's CPU. Here a
 * response's bytes are copied to a buffer (at most {@code capacity} bytes) and its write reported done
 * when, and only when, all of these hold:
 * <ul>
 *   <li>the write comes from the connection's own processing of what it read ({@code onFillable} on this
 *       thread), not from a handler finishing later on another thread;
 *   <li>the write ends the response and the connection stays open (so the client will read on);
 *   <li>the connection's request buffer still holds bytes of another request the client sent;
 *   <li>the response fits in the rest of the buffer.
 * </ul>
 * The one other write held is an upgrade's 101 ({@link #holdNextWrite}), whatever its size: Jetty does
 * not wait for it before it upgrades. Any other write sends what is held together with its own bytes, in
 * order, in one write. What is held
 * is also sent before the connection waits for input ({@link #fillInterested}), before output is shut
 * down, and when the processing that held it returns ({@link #sendHeld}): it never waits for the client,
 * for a handler that answers later, or for a timer.
 *
 * <p>At most one write is on the socket at a time, and bytes reach it in the order the connection wrote
 * them: a write that comes while another is on the wire waits for it ({@link #queued}), and held bytes
 * to be sent then go with it or right after it. Two threads can be in {@code onFillable} for a moment
 * (one returning, the next called because input came), which is why the order is kept here, under this
 * object's lock, rather than assumed.
 */
final class PipelinedEndPoint implements EndPoint, EndPoint.Wrapper {
    private final EndPoint endPoint;
    private final ByteBufferPool pool;
    private final int capacity;
    private HttpConnection connection;

    // Guarded by this.
    /** Bytes of complete responses reported written but not yet handed to the socket; null when none. */
    private RetainableByteBuffer.Mutable held;
    /** True while a write of the socket's is pending. */
    private boolean writing;
    /** The connection's write that came while {@link #writing}; it goes next (with what is held first). */
    private Callback queuedCallback;
    private ByteBuffer[] queued;
    /** What is held is to be sent as soon as the write on the wire completes. */
    private boolean sendHeldNext;
    /** Output is to be shut down once everything before it has been written. */
    private boolean shutdownAfter;

    /** The next write is an upgrade's 101: held whatever its size ({@link #holdNextWrite}). */
    private boolean holdNext;

    private volatile boolean upgraded;

    PipelinedEndPoint(EndPoint endPoint, ByteBufferPool pool, int capacity) {
        this.endPoint = endPoint;
        this.pool = pool;
        this.capacity = capacity;
    }

    /** The connection whose request buffer and generator say whether a response may wait. */
    void attach(HttpConnection connection) {
        this.connection = connection;
    }

    @Override
    public void write(Callback callback, ByteBuffer... buffers) throws WritePendingException {
        RetainableByteBuffer.Mutable before = null;
        boolean hold = true;
        synchronized (this) {
            if (queued != null) {
                throw new WritePendingException();
            }
            if (holdNext) {
                holdNext = false;
                holdWhole(buffers);
            } else if (mayHold(buffers)) {
                if (held == null) {
                    held = pool.acquire(capacity, true);
                }
                for (ByteBuffer buffer : buffers) {
                    held.append(buffer); // all of it: mayHold checked the space
                }
            } else if (writing) {
                queuedCallback = callback;
                queued = buffers;
                return;
            } else {
                hold = false;
                before = held;
                held = null;
                writing = true;
            }
        }
        if (hold) {
            callback.succeeded();
        } else {
            send(before, callback, buffers);
        }
    }

    /**
     * Says that the connection's next write is the 101 of an upgrade, which Jetty does not wait for: it
     * is held and reported written at once, so that its completion never comes after the upgrade.
     */
    void holdNextWrite() {
        synchronized (this) {
            holdNext = true;
        }
    }

    /** Appends all of {@code buffers} to {@link #held}, in a larger buffer if they do not fit. */
    private void holdWhole(ByteBuffer[] buffers) {
        long size = remaining(buffers);
        if (held == null) {
            held = pool.acquire((int) Math.max(capacity, size), true);
        } else if (held.space() < size) {
            RetainableByteBuffer.Mutable larger = pool.acquire((int) (held.remaining() + size), true);
            larger.append(held.getByteBuffer());
            held.release();
            held = larger;
        }
        for (ByteBuffer buffer : buffers) {
            held.append(buffer);
        }
    }

    private boolean mayHold(ByteBuffer[] buffers) {
        HttpConnection http = connection;
        if (upgraded || http == null || HttpConnection.getCurrentConnection() != http || http.isRequestBufferEmpty()) {
            return false;
        }
        HttpGenerator generator = http.getGenerator();
        if (!generator.isPersistent() || !(generator.isState(HttpGenerator.State.COMPLETING) || generator.isEnd())) {
            return false;
        }
        long size = remaining(buffers);
        return size > 0 && size <= capacity - (held == null ? 0 : held.remaining());
    }

    private static long remaining(ByteBuffer[] buffers) {
        long size = 0;
        for (ByteBuffer buffer : buffers) {
            size += buffer.remaining();
        }
        return size;
    }

    /**
     * Hands {@code before} (held bytes, or null) and {@code buffers} to the socket in one write; the caller
     * has set {@link #writing}.
     */
    private void send(RetainableByteBuffer.Mutable before, Callback callback, ByteBuffer... buffers) {
        ByteBuffer[] all = buffers;
        if (before != null) {
            all = new ByteBuffer[buffers.length + 1];
            all[0] = before.getByteBuffer();
            System.arraycopy(buffers, 0, all, 1, buffers.length);
        }
        endPoint.write(new Written(before, callback), all);
    }

    /**
     * Sends what is held, now or right after the write on the wire: the connection calls it when its
     * processing of what it read returns, and before a request that may take long ({@link SendHeldFirst}).
     */
    void sendHeld() {
        RetainableByteBuffer.Mutable toSend;
        synchronized (this) {
            if (held == null) {
                return;
            }
            if (writing) {
                sendHeldNext = true;
                return;
            }
            toSend = held;
            held = null;
            writing = true;
        }
        send(toSend, null);
    }

    /** @return whether bytes are held, not yet handed to the socket */
    synchronized boolean holding() {
        return held != null;
    }

    /** The completion of one write of the socket's: starts what waited for it, then tells the connection. */
    private final class Written implements Callback {
        private final RetainableByteBuffer.Mutable sent;
        private final Callback callback;

        Written(RetainableByteBuffer.Mutable sent, Callback callback) {
            this.sent = sent;
            this.callback = callback;
        }

        @Override
        public void succeeded() {
            if (sent != null) {
                sent.release();
            }
            next();
            if (callback != null) {
                callback.succeeded();
            }
        }

        @Override
        public void failed(Throwable failure) {
            if (sent != null) {
                sent.release();
            }
            Callback waiting;
            RetainableByteBuffer.Mutable dropped;
            synchronized (PipelinedEndPoint.this) {
                writing = false;
                sendHeldNext = false;
                shutdownAfter = false;
                waiting = queuedCallback;
                queuedCallback = null;
                queued = null;
                dropped = held;
                held = null;
            }
            if (dropped != null) {
                dropped.release();
            }
            if (callback != null) {
                callback.failed(failure);
            }
            if (waiting != null) {
                waiting.failed(failure);
            }
        }

        /**
         * A send of held bytes has no callback of its own, but its completion starts the write that
         * queued behind it ({@link #next}), which may complete at once, on this thread, and run that
         * write's callback (a handler's, Jetty's request completion, the access log): it may block, so
         * the selector must not run it. Said non-blocking, the selector ran such a callback itself and
         * read no other connection meanwhile.
         */
        @Override
        public InvocationType getInvocationType() {
            return callback == null ? InvocationType.BLOCKING : callback.getInvocationType();
        }
    }

    /** After a write: the queued write (with what is held before it), else what is held, else a shutdown. */
    private void next() {
        Callback waiting;
        ByteBuffer[] buffers;
        RetainableByteBuffer.Mutable toSend;
        boolean shutdown = false;
        synchronized (this) {
            waiting = queuedCallback;
            buffers = queued;
            queuedCallback = null;
            queued = null;
            toSend = null;
            if (waiting != null || (sendHeldNext && held != null)) {
                toSend = held;
                held = null;
            } else {
                writing = false;
                shutdown = shutdownAfter && held == null;
                if (shutdown) {
                    shutdownAfter = false;
                }
            }
            sendHeldNext = false;
        }
        if (waiting != null) {
            send(toSend, waiting, buffers);
        } else if (toSend != null) {
            send(toSend, null);
        } else if (shutdown) {
            endPoint.shutdownOutput();
        }
    }

    @Override
    public void fillInterested(Callback callback) throws ReadPendingException {
        sendHeld();
        endPoint.fillInterested(callback);
    }

    @Override
    public boolean tryFillInterested(Callback callback) {
        sendHeld();
        return endPoint.tryFillInterested(callback);
    }

    @Override
    public void shutdownOutput() {
        synchronized (this) {
            if (held != null || writing) {
                shutdownAfter = true;
            }
        }
        sendHeld();
        boolean now;
        synchronized (this) {
            now = !shutdownAfter;
        }
        if (now) {
            endPoint.shutdownOutput();
        }
    }

    @Override
    public boolean flush(ByteBuffer... buffers) throws IOException {
        synchronized (this) {
            if (held != null || writing) {
                throw new WritePendingException();
            }
        }
        return endPoint.flush(buffers);
    }

    @Override
    public void close(Throwable cause) {
        RetainableByteBuffer.Mutable dropped;
        synchronized (this) {
            dropped = held;
            held = null;
        }
        if (dropped != null) {
            dropped.release();
        }
        endPoint.close(cause);
    }

    @Override
    public void upgrade(Connection newConnection) {
        upgraded = true;
        endPoint.upgrade(newConnection);
    }

    // Everything else is the socket's.

    @Override
    public EndPoint unwrap() {
        return endPoint;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return endPoint.getLocalSocketAddress();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return endPoint.getRemoteSocketAddress();
    }

    @Override
    public boolean isOpen() {
        return endPoint.isOpen();
    }

    @Override
    public long getCreatedTimeStamp() {
        return endPoint.getCreatedTimeStamp();
    }

    @Override
    public boolean isOutputShutdown() {
        return endPoint.isOutputShutdown();
    }

    @Override
    public boolean isInputShutdown() {
        return endPoint.isInputShutdown();
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        return endPoint.fill(buffer);
    }

    @Override
    public Object getTransport() {
        return endPoint.getTransport();
    }

    @Override
    public long getIdleTimeout() {
        return endPoint.getIdleTimeout();
    }

    @Override
    public void setIdleTimeout(long idleTimeout) {
        endPoint.setIdleTimeout(idleTimeout);
    }

    @Override
    public boolean isFillInterested() {
        return endPoint.isFillInterested();
    }

    @Override
    public Callback cancelWrite(Throwable cause) {
        return endPoint.cancelWrite(cause);
    }

    @Override
    public Connection getConnection() {
        return endPoint.getConnection();
    }

    @Override
    public void setConnection(Connection connection) {
        endPoint.setConnection(connection);
    }

    @Override
    public void onOpen() {
        endPoint.onOpen();
    }

    @Override
    public void onClose(Throwable cause) {
        endPoint.onClose(cause);
    }

    @Override
    public SslSessionData getSslSessionData() {
        return endPoint.getSslSessionData();
    }

    @Override
    public boolean isSecure() {
        return endPoint.isSecure();
    }

    @Override
    public String toString() {
        return "Pipelined@" + endPoint;
    }
}
