package dev.kvcache.bench.httpjmh;

import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Measures the bytes one request allocates on the thread that handles it, exactly: the handler's own
 * objects and those of the response it hands to Jetty (fields, metadata, the write), counted by the JVM
 * ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}) around each {@code handle} call, over a socket so
 * that no in-memory connector copies the responses into the heap (the noise of
 * {@link HttpHandlerBenchmark}'s {@code -prof gc} figures). Same peers, keys and pipelining as that
 * benchmark: kvcache (TTL one hour, {@value HttpHandlerBenchmark#HIT_KEYS} keys written first) and the
 * hello-world handler. A {@code POST}'s body read after {@code handle} returns (a demand callback) is not
 * counted; GETs do all their work inside {@code handle}.
 *
 * <p>Expect the difference between the peers to be the handler's per-request allocation: the key, the
 * cache entry, the ETag, the metering callback and the extra header fields.
 *
 * <pre>{@code
 * java -cp kv-bench/target/benchmarks.jar dev.kvcache.bench.httpjmh.HandlerAllocation
 * }</pre>
 */
public final class HandlerAllocation {
    private static final int WARMUP_BATCHES = 30_000;
    private static final int MEASURED_BATCHES = 20_000;

    private HandlerAllocation() {}

    /** Prints, per peer and operation, the bytes allocated per request while handling it. */
    public static void main(String[] args) throws Exception {
        String[] operations = {"getHit", "getMiss", "post"};
        for (String peer : new String[] {"kvcache", "hello"}) {
            for (String operation : operations) {
                System.out.printf("%-8s %-8s %8.1f B/request%n", peer, operation, measure(peer, operation));
            }
        }
    }

    static double measure(String peer, String operation) throws Exception {
        Counting counting = new Counting("kvcache".equals(peer)
                ? new KvHandler(KvHandlerOptions.builder().defaultTtl(Duration.ofHours(1)).build())
                : new HttpHandlerBenchmark.HelloHandler());
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(counting);
        server.start();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), connector.getLocalPort())) {
            Thread drain = drain(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            SplittableRandom random = new SplittableRandom(42);
            StringBuilder batch = new StringBuilder();
            for (int key = 0; key < HttpHandlerBenchmark.HIT_KEYS; key++) {
                batch.setLength(0);
                HttpHandlerBenchmark.appendPost(batch, key, key % 100);
                out.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
            }
            send(out, random, operation, WARMUP_BATCHES);
            awaitCount(counting, HttpHandlerBenchmark.HIT_KEYS + (long) WARMUP_BATCHES * HttpHandlerBenchmark.BATCH);
            counting.reset();
            send(out, random, operation, MEASURED_BATCHES);
            long measured = (long) MEASURED_BATCHES * HttpHandlerBenchmark.BATCH;
            awaitCount(counting, measured);
            socket.shutdownOutput();
            drain.join(10_000);
            return (double) counting.bytes.sum() / counting.requests.sum();
        } finally {
            server.stop();
        }
    }

    private static void send(OutputStream out, SplittableRandom random, String operation, int batches)
            throws IOException {
        StringBuilder batch = new StringBuilder();
        for (int b = 0; b < batches; b++) {
            batch.setLength(0);
            for (int i = 0; i < HttpHandlerBenchmark.BATCH; i++) {
                switch (operation) {
                    case "getHit" -> HttpHandlerBenchmark.appendGet(batch, random.nextInt(HttpHandlerBenchmark.HIT_KEYS));
                    case "getMiss" -> HttpHandlerBenchmark.appendGet(batch, HttpHandlerBenchmark.KEY_RANGE
                            + random.nextInt(HttpHandlerBenchmark.KEY_RANGE));
                    default -> HttpHandlerBenchmark.appendPost(batch, random.nextInt(HttpHandlerBenchmark.HIT_KEYS),
                            random.nextInt(100));
                }
            }
            out.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
    }

    private static void awaitCount(Counting counting, long requests) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (counting.requests.sum() < requests) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + counting.requests.sum() + " of " + requests + " requests in 60 s");
            }
            Thread.sleep(5);
        }
    }

    /** Reads and discards the responses, so that the server never blocks on a full socket. */
    private static Thread drain(InputStream in) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                while (in.read(buffer) >= 0) {
                    // discarded
                }
            } catch (IOException e) {
                // the socket closed
            }
        }, "drain");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Counts the bytes the handling thread allocates inside each {@code handle} call. */
    static final class Counting extends Handler.Wrapper {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final LongAdder bytes = new LongAdder();
        final LongAdder requests = new LongAdder();

        Counting(Handler handler) {
            super(handler);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            boolean handled = super.handle(request, response, callback);
            bytes.add(THREADS.getCurrentThreadAllocatedBytes() - before);
            requests.increment();
            return handled;
        }

        void reset() {
            bytes.reset();
            requests.reset();
        }
    }
}
