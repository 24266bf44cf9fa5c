package dev.kvcache.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One selector thread driving a share of the connections until the measured window closes, then
 * draining their in-flight requests for a bounded time.
 *
 * <p>Each connection keeps {@code pipelining} request slots busy. A slot whose GET is answered sends,
 * with the workload's probability, a POST next, else another GET; a slot whose POST is answered sends a
 * GET. Failures (refused or reset connections, malformed answers, timeouts) count every in-flight
 * request of the connection as an error, close it, and reconnect after a back-off while the run lasts.
 * The steady state allocates nothing per request.
 */
final class LoadWorker implements Runnable {

    private static final long HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int ERROR_SAMPLES = 8;

    final OpRecorder get;
    final OpRecorder post;
    long connects;
    long connectErrors;
    long connectionErrors;
    /** CPU time and heap allocation of this worker's thread over its whole run; -1 where the JVM cannot tell. */
    long cpuNanos = -1;
    long allocatedBytes = -1;
    final List<String> errorSamples = new ArrayList<>();

    private final LoadConfig config;
    private final Workload workload;
    private final RequestEncoder encoder;
    private final Connection[] connections;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final long windowStartNanos;
    private final long windowNanos;
    private final long timeoutNanos;
    /** Bound once: a method reference made in the loop would allocate on every select. */
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private Selector selector;
    private boolean stopping;
    private long nowNanos;

    /**
     * @param windowStartNanos the {@link System#nanoTime()} at which the measured window opens
     */
    LoadWorker(LoadConfig config, int connectionCount, SplittableRandom random, long windowStartNanos) {
        this.config = config;
        this.workload = new Workload(config.keyRange(), config.readRatio());
        this.encoder = new RequestEncoder(config.basePath(), config.hostHeader());
        this.windowStartNanos = windowStartNanos;
        this.windowNanos = TimeUnit.SECONDS.toNanos(config.durationSeconds());
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis());
        int buckets = (int) (windowNanos / OpRecorder.BUCKET_NANOS);
        this.get = new OpRecorder(buckets);
        this.post = new OpRecorder(buckets);
        this.connections = new Connection[connectionCount];
        for (int i = 0; i < connectionCount; i++) {
            connections[i] = new Connection(config.pipelining(), encoder.maxRequestBytes(), random.split());
        }
    }

    @Override
    public void run() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuAtStart = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
        long allocatedAtStart = allocatedBytes(threads);
        try (Selector opened = Selector.open()) {
            selector = opened;
            loop();
        } catch (IOException | ClosedSelectorException e) {
            sample("selector: " + e);
        } finally {
            closeAll();
            if (cpuAtStart >= 0) {
                cpuNanos = threads.getCurrentThreadCpuTime() - cpuAtStart;
            }
            if (allocatedAtStart >= 0) {
                allocatedBytes = allocatedBytes(threads) - allocatedAtStart;
            }
        }
    }

    private static long allocatedBytes(ThreadMXBean threads) {
        if (threads instanceof com.sun.management.ThreadMXBean hotspot && hotspot.isThreadAllocatedMemorySupported()
                && hotspot.isThreadAllocatedMemoryEnabled()) {
            return hotspot.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    private void loop() throws IOException {
        nowNanos = System.nanoTime();
        for (Connection connection : connections) {
            open(connection);
        }
        long windowEnd = windowStartNanos + windowNanos;
        long drainEnd = Long.MAX_VALUE;
        long nextHousekeeping = nowNanos;
        while (!Thread.currentThread().isInterrupted()) {
            nowNanos = System.nanoTime();
            if (!stopping && nowNanos - windowEnd >= 0) {
                stopping = true;
                drainEnd = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.drainMillis());
                closeIdle();
            }
            if (stopping && (inFlight() == 0 || nowNanos - drainEnd >= 0)) {
                return;
            }
            if (nowNanos - nextHousekeeping >= 0) {
                housekeeping();
                nextHousekeeping = nowNanos + HOUSEKEEPING_NANOS;
            }
            long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextHousekeeping - nowNanos));
            selector.select(onSelected, waitMillis);
        }
    }

    private void onSelected(SelectionKey key) {
        Connection connection = (Connection) key.attachment();
        nowNanos = System.nanoTime();
        if (!key.isValid()) {
            return;
        }
        if (key.isConnectable()) {
            finishConnect(connection);
            return;
        }
        if (key.isReadable()) {
            read(connection);
        }
        if (connection.state == Connection.OPEN && key.isValid() && key.isWritable()) {
            flush(connection);
        }
    }

    private void open(Connection connection) {
        connection.clear();
        try {
            SocketChannel channel = SocketChannel.open();
            connection.channel = channel;
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            connection.state = Connection.CONNECTING;
            connection.stateNanos = nowNanos;
            if (channel.connect(config.address())) {
                connection.key = channel.register(selector, 0, connection);
                connected(connection);
            } else {
                connection.key = channel.register(selector, SelectionKey.OP_CONNECT, connection);
            }
        } catch (IOException e) {
            connectErrors++;
            sample("connect: " + e);
            close(connection);
            backOff(connection);
        }
    }

    private void finishConnect(Connection connection) {
        try {
            connection.channel.finishConnect();
        } catch (IOException e) {
            connectErrors++;
            sample("connect: " + e);
            close(connection);
            backOff(connection);
            return;
        }
        connected(connection);
    }

    private void connected(Connection connection) {
        connects++;
        connection.state = Connection.OPEN;
        connection.key.interestOps(SelectionKey.OP_READ);
        if (!stopping && config.batch()) {
            sendBatch(connection);
        } else if (!stopping) {
            int posts = connection.carriedPosts();
            for (int i = 0; i < posts; i++) {
                sendPost(connection, connection.carriedPostValue(i));
            }
            for (int i = posts; i < connection.capacity(); i++) {
                sendGet(connection);
            }
        }
        connection.dropCarriedPosts();
        flush(connection);
    }

    private void read(Connection connection) {
        ByteBuffer buffer = readBuffer;
        buffer.clear();
        int count;
        try {
            count = connection.channel.read(buffer);
        } catch (IOException e) {
            fail(connection, "read: " + e, false);
            return;
        }
        ResponseParser parser = connection.parser;
        if (count < 0) {
            try {
                if (parser.endOfInput()) {
                    answered(connection, false);
                }
            } catch (HttpParseException e) {
                fail(connection, "bad response: " + e.getMessage(), false);
                return;
            }
            if (connection.inFlight() > 0) {
                fail(connection, "connection closed by server with requests in flight", false);
            } else {
                reconnect(connection);
            }
            return;
        }
        byte[] bytes = buffer.array();
        int offset = 0;
        try {
            while (offset < count) {
                offset += parser.feed(bytes, offset, count - offset);
                if (parser.isComplete()) {
                    if (connection.inFlight() == 0) {
                        fail(connection, "answer to no request", false);
                        return;
                    }
                    boolean keepAlive = parser.keepAlive();
                    answered(connection, keepAlive);
                    if (!keepAlive) {
                        if (connection.inFlight() > 0) {
                            fail(connection, "server closed a connection with requests in flight", false);
                        } else {
                            reconnect(connection);
                        }
                        return;
                    }
                }
            }
        } catch (HttpParseException e) {
            fail(connection, "bad response: " + e.getMessage(), false);
            return;
        }
        flush(connection);
    }

    /**
     * Files the answer to the oldest request and sends the slot's next request: on this connection if
     * it stays open, else on the next one (a POST is carried over; a GET is what a new connection
     * starts with anyway).
     */
    private void answered(Connection connection, boolean sendNext) {
        ResponseParser parser = connection.parser;
        byte kind = connection.headKind();
        long latencyNanos = nowNanos - connection.headStartNanos();
        connection.pop();
        long sinceWindowStart = nowNanos - windowStartNanos;
        if (config.batch()) {
            OpRecorder recorder = kind == Connection.GET ? get : post;
            recorder.answered(parser.status(), kind == Connection.GET ? 404 : -1, latencyNanos, parser.wireBytes(),
                    sinceWindowStart, windowNanos);
            if (sendNext && !stopping && connection.inFlight() == 0) {
                sendBatch(connection);
            }
            return;
        }
        if (kind == Connection.GET) {
            get.answered(parser.status(), 404, latencyNanos, parser.wireBytes(), sinceWindowStart, windowNanos);
            if (!stopping) {
                boolean post = workload.postAfterGet(connection.random);
                if (!sendNext) {
                    if (post) {
                        connection.carryPost(Workload.postValue(parser));
                    }
                } else if (post) {
                    sendPost(connection, Workload.postValue(parser));
                } else {
                    sendGet(connection);
                }
            }
        } else {
            post.answered(parser.status(), -1, latencyNanos, parser.wireBytes(), sinceWindowStart, windowNanos);
            if (sendNext && !stopping) {
                sendGet(connection);
            }
        }
    }

    /** A new batch: {@code pipelining} requests, each a POST of a small integer with the workload's share. */
    private void sendBatch(Connection connection) {
        for (int i = 0; i < connection.capacity(); i++) {
            if (workload.postInBatch(connection.random)) {
                sendPost(connection, 1 + connection.random.nextInt(9));
            } else {
                sendGet(connection);
            }
        }
    }

    private void sendGet(Connection connection) {
        int length = encoder.encodeGet(connection.out, workload.nextKey(connection.random));
        connection.enqueued(Connection.GET, length, nowNanos);
        get.sent++;
    }

    private void sendPost(Connection connection, long value) {
        int length = encoder.encodePost(connection.out, workload.nextKey(connection.random), value);
        connection.enqueued(Connection.POST, length, nowNanos);
        post.sent++;
    }

    private void flush(Connection connection) {
        try {
            boolean done = connection.flush(nowNanos);
            int wanted = done ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE;
            if (connection.key.interestOps() != wanted) {
                connection.key.interestOps(wanted);
            }
        } catch (IOException e) {
            fail(connection, "write: " + e, false);
        }
    }

    private void housekeeping() {
        for (Connection connection : connections) {
            switch (connection.state) {
                case Connection.CONNECTING -> {
                    if (nowNanos - connection.stateNanos > timeoutNanos) {
                        connectErrors++;
                        sample("connect: timed out");
                        close(connection);
                        backOff(connection);
                    }
                }
                case Connection.OPEN -> {
                    if (connection.inFlight() > 0 && nowNanos - connection.headStartNanos() > timeoutNanos) {
                        fail(connection, "answer timed out", true);
                    }
                }
                case Connection.BACKOFF -> {
                    if (!stopping && nowNanos - connection.stateNanos >= 0) {
                        open(connection);
                    }
                }
                default -> { }
            }
        }
    }

    /** Counts the connection's in-flight requests as errors, closes it, and reconnects later. */
    private void fail(Connection connection, String reason, boolean timedOut) {
        connectionErrors++;
        sample(reason);
        for (int i = 0; i < connection.inFlight(); i++) {
            OpRecorder recorder = connection.kindAt(i) == Connection.GET ? get : post;
            recorder.errors++;
            if (timedOut && i == 0) {
                recorder.timeouts++;
            }
        }
        connection.clear();
        connection.dropCarriedPosts();
        close(connection);
        backOff(connection);
    }

    private void reconnect(Connection connection) {
        close(connection);
        if (!stopping) {
            open(connection);
        }
    }

    private void backOff(Connection connection) {
        connection.state = Connection.BACKOFF;
        long backoff = Math.min(MAX_BACKOFF_NANOS, TimeUnit.MILLISECONDS.toNanos(50) << Math.min(connection.failures, 5));
        connection.failures++;
        connection.stateNanos = nowNanos + backoff;
    }

    private void close(Connection connection) {
        if (connection.key != null) {
            connection.key.cancel();
            connection.key = null;
        }
        if (connection.channel != null) {
            try {
                connection.channel.close();
            } catch (IOException ignored) {
                // Nothing left to do with a socket that will not close.
            }
            connection.channel = null;
        }
        connection.state = Connection.IDLE;
    }

    /** When the window closes, connections without requests in flight have nothing left to do. */
    private void closeIdle() {
        for (Connection connection : connections) {
            if (connection.state != Connection.OPEN || connection.inFlight() == 0) {
                close(connection);
            }
        }
    }

    private void closeAll() {
        for (Connection connection : connections) {
            for (int i = 0; i < connection.inFlight(); i++) {
                (connection.kindAt(i) == Connection.GET ? get : post).abandoned++;
            }
            connection.clear();
            close(connection);
        }
    }

    private int inFlight() {
        int total = 0;
        for (Connection connection : connections) {
            if (connection.state == Connection.OPEN) {
                total += connection.inFlight();
            }
        }
        return total;
    }

    private void sample(String message) {
        if (errorSamples.size() < ERROR_SAMPLES && !errorSamples.contains(message)) {
            errorSamples.add(message);
        }
    }
}
