package dev.kvcache.bench.batch;

import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Measures reading 100 keys from a kvcache server in one round trip two ways, on one kept-alive
 * HTTP/1.1 connection to an in-process server (its own Jetty threads): 100 pipelined {@code GET}s in
 * one write (100 responses), against one {@code POST /kv/} batch of 100 gets (one JSON response).
 * Expect the batch to cost less server work per key (one request's Jetty overhead instead of 100) but
 * more per byte (JSON encoding), so it wins for small values.
 *
 * <p>Rounds alternate the two modes; each prints round trips per second and the p50/p99 time of one
 * round trip (100 keys). Values are 16 bytes, keys hit, 10 000 keys written first.
 *
 * <pre>mvn -B -q -DskipTests -pl kv-bench -am package &&
 * java -cp kv-bench/target/benchmarks.jar dev.kvcache.bench.batch.BatchVsPipeline [seconds-per-round] [rounds]</pre>
 */
public final class BatchVsPipeline {
    private static final int KEYS = 10_000;
    private static final int PER_TRIP = 100;

    private BatchVsPipeline() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new KvHandler(KvHandlerOptions.builder().defaultTtl(Duration.ofHours(1)).build()));
        server.start();
        try (Socket socket = new Socket("127.0.0.1", connector.getLocalPort())) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            for (int i = 0; i < KEYS; i++) {
                String body = "value-" + String.format("%010d", i);
                out.write(("PUT /kv/k" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.US_ASCII));
                if (i % 100 == 99) {
                    out.flush();
                    for (int j = 0; j < 100; j++) {
                        readResponse(in);
                    }
                }
            }
            SplittableRandom random = new SplittableRandom(42);
            // Warm-up: both modes, untimed.
            run(out, in, random, true, 2);
            run(out, in, random, false, 2);
            System.out.printf("mode       round  trips/s  keys/s    p50 µs  p99 µs%n");
            for (int round = 1; round <= rounds; round++) {
                for (boolean batch : new boolean[] {false, true}) {
                    long[] trips = run(out, in, random, batch, seconds);
                    Arrays.sort(trips);
                    double rate = trips.length / seconds;
                    System.out.printf("%-10s %5d %8.0f %8.0f %8d %7d%n", batch ? "batch" : "pipelined", round, rate,
                            rate * PER_TRIP, trips[trips.length / 2] / 1000, trips[(int) (trips.length * 0.99)] / 1000);
                }
            }
        } finally {
            server.stop();
        }
    }

    /** @return the nanoseconds of each round trip made in {@code seconds} */
    private static long[] run(OutputStream out, InputStream in, SplittableRandom random, boolean batch, double seconds)
            throws IOException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long[] trips = new long[1 << 16];
        int count = 0;
        ByteArrayOutputStream request = new ByteArrayOutputStream(8192);
        while (System.nanoTime() < end && count < trips.length) {
            request.reset();
            if (batch) {
                StringBuilder json = new StringBuilder(PER_TRIP * 32).append("{\"ops\":[");
                for (int i = 0; i < PER_TRIP; i++) {
                    json.append(i == 0 ? "" : ",").append("{\"op\":\"get\",\"key\":\"k").append(random.nextInt(KEYS)).append("\"}");
                }
                byte[] body = json.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
                request.write(("POST /kv/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                request.write(body);
            } else {
                for (int i = 0; i < PER_TRIP; i++) {
                    request.write(("GET /kv/k" + random.nextInt(KEYS) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                }
            }
            long start = System.nanoTime();
            request.writeTo(out);
            out.flush();
            for (int i = 0; i < (batch ? 1 : PER_TRIP); i++) {
                int status = readResponse(in);
                if (status != 200) {
                    throw new IllegalStateException("status " + status);
                }
            }
            trips[count++] = System.nanoTime() - start;
        }
        return Arrays.copyOf(trips, count);
    }

    /** Reads one response with a Content-Length body; @return its status. */
    private static int readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder(256);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            head.append((char) b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0) == (b == '\r') ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString();
        int status = Integer.parseInt(text.substring(9, 12));
        int at = text.toLowerCase().indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(text.substring(at + 15, text.indexOf('\r', at)).trim());
        in.readNBytes(length);
        return status;
    }
}
