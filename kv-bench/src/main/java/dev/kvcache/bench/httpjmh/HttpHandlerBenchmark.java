package dev.kvcache.bench.httpjmh;

import dev.kvcache.http.KvHandler;
import dev.kvcache.http.KvHandlerOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Measures the cost of one HTTP/1.1 request through {@link KvHandler}, in process: each operation
 * is one request handed to a Jetty {@link LocalConnector} (the real HTTP/1.1 parser, connection,
 * request and response objects and generator, without sockets or a selector) on a kept-alive
 * connection, {@value #BATCH} pipelined per write as in the seed's load, and ends when its whole
 * response is parsed. The peer is a hello-world Jetty core handler
 * ({@code 200 text/plain "hello"} to everything) on the same kind of connector: the ceiling, the same
 * HTTP stack doing no work. Keys are random integers: {@code getHit} reads one of {@value #HIT_KEYS}
 * keys written in set-up (TTL one hour, so none expires), {@code getMiss} one never written,
 * {@code post} overwrites a hit key with a small integer body, {@code seedMix} is the seed's 80/20
 * GET/POST mix on keys in {@code [0, 1e6)}.
 *
 * <p>Expect kvcache within a few tens of percent of hello's ops/s on every operation: the handler's
 * own work (route, key, cache lookup or write, a few pre-encoded headers) is small next to Jetty's
 * per-request parsing, objects and the hand-off to a pool thread, which both peers pay. {@code -prof gc}
 * bytes/op count every thread: the benchmark thread's request bytes and the connector's copies of the
 * responses (its stand-in for a socket, several KB per operation and noisy, as they depend on how many
 * responses each take finds) are paid by both peers. Responses are counted by {@link ResponseCounter},
 * not parsed, so that a peer sending more headers is not charged for the parsing. The difference of the
 * means is the handler's own allocation, give or take the noise (use 10 or more iterations).
 *
 * <pre>{@code
 * mvn -B -q -DskipTests package && java -jar kv-bench/target/benchmarks.jar HttpHandlerBenchmark -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class HttpHandlerBenchmark {
    static final int HIT_KEYS = 100_000;
    static final int KEY_RANGE = 1_000_000;
    /** Requests pipelined per write, as the seed's load (10 in flight per connection). */
    static final int BATCH = 10;
    private static final long TIMEOUT_SECONDS = 10;

    /** The handler behind the connector: the kvcache handler, or the hello-world ceiling. */
    @Param({"kvcache", "hello"})
    public String handler;

    private Server server;
    private LocalConnector connector;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        connector = new LocalConnector(server, new HttpConnectionFactory(http));
        server.addConnector(connector);
        server.setHandler(switch (handler) {
            case "kvcache" -> new KvHandler(KvHandlerOptions.builder().defaultTtl(Duration.ofHours(1)).build());
            case "hello" -> new HelloHandler();
            default -> throw new IllegalArgumentException("unknown handler " + handler);
        });
        server.start();
        LocalConnector.LocalEndPoint endpoint = connector.connect();
        for (int key = 0; key < HIT_KEYS; key++) {
            StringBuilder request = new StringBuilder();
            appendPost(request, key, key % 100);
            expect(HttpStatus.OK_200, exchange(endpoint, request.toString()), "prefill POST /" + key);
        }
        StringBuilder hit = new StringBuilder();
        appendGet(hit, HIT_KEYS - 1);
        StringBuilder miss = new StringBuilder();
        appendGet(miss, KEY_RANGE + 1);
        // Fail fast if the benchmark would not measure what it names.
        expect(HttpStatus.OK_200, exchange(endpoint, hit.toString()), "GET of a written key");
        expect("kvcache".equals(handler) ? HttpStatus.NOT_FOUND_404 : HttpStatus.OK_200,
                exchange(endpoint, miss.toString()), "GET of a key never written");
        endpoint.close();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        server.stop();
    }

    /** One kept-alive connection and a random source per benchmark thread. */
    @State(Scope.Thread)
    public static class ThreadConnection {
        LocalConnector.LocalEndPoint endpoint;
        final SplittableRandom random = new SplittableRandom(42);
        private final StringBuilder requests = new StringBuilder(BATCH * 80);

        StringBuilder batch() {
            requests.setLength(0);
            return requests;
        }

        private final ResponseCounter responses = new ResponseCounter();

        /** Sends the batch in one write (pipelined) and reads its {@value #BATCH} responses; returns their bytes. */
        int exchange() throws Exception {
            endpoint.addInputAndExecute(ByteBuffer.wrap(requests.toString().getBytes(StandardCharsets.US_ASCII)));
            return responses.await(endpoint, BATCH);
        }

        @Setup(Level.Trial)
        public void connect(HttpHandlerBenchmark benchmark) {
            endpoint = benchmark.connector.connect();
        }

        @TearDown(Level.Trial)
        public void close() {
            endpoint.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int getHit(ThreadConnection connection) throws Exception {
        SplittableRandom random = connection.random;
        StringBuilder batch = connection.batch();
        for (int i = 0; i < BATCH; i++) {
            appendGet(batch, random.nextInt(HIT_KEYS));
        }
        return connection.exchange();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int getMiss(ThreadConnection connection) throws Exception {
        SplittableRandom random = connection.random;
        StringBuilder batch = connection.batch();
        for (int i = 0; i < BATCH; i++) {
            appendGet(batch, KEY_RANGE + random.nextInt(KEY_RANGE));
        }
        return connection.exchange();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int post(ThreadConnection connection) throws Exception {
        SplittableRandom random = connection.random;
        StringBuilder batch = connection.batch();
        for (int i = 0; i < BATCH; i++) {
            appendPost(batch, random.nextInt(HIT_KEYS), random.nextInt(100));
        }
        return connection.exchange();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int seedMix(ThreadConnection connection) throws Exception {
        SplittableRandom random = connection.random;
        StringBuilder batch = connection.batch();
        for (int i = 0; i < BATCH; i++) {
            int key = random.nextInt(KEY_RANGE);
            if (random.nextInt(5) == 0) {
                appendPost(batch, key, random.nextInt(100));
            } else {
                appendGet(batch, key);
            }
        }
        return connection.exchange();
    }

    static void appendGet(StringBuilder out, int key) {
        out.append("GET /").append(key).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }

    static void appendPost(StringBuilder out, int key, int value) {
        int length = value < 10 ? 1 : value < 100 ? 2 : Integer.toString(value).length();
        out.append("POST /").append(key).append(" HTTP/1.1\r\nHost: localhost\r\nContent-Length: ").append(length)
                .append("\r\n\r\n").append(value);
    }

    /** Sends requests on a kept-alive connection and returns the first raw response once it is complete. */
    static ByteBuffer exchange(LocalConnector.LocalEndPoint endpoint, String requests) throws Exception {
        endpoint.addInputAndExecute(ByteBuffer.wrap(requests.getBytes(StandardCharsets.US_ASCII)));
        return awaitResponse(endpoint);
    }

    static ByteBuffer awaitResponse(LocalConnector.LocalEndPoint endpoint) throws Exception {
        ByteBuffer response = endpoint.waitForResponse(false, TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (response == null) {
            throw new IllegalStateException("no response within " + TIMEOUT_SECONDS + " s");
        }
        return response;
    }

    private static void expect(int status, ByteBuffer response, String what) {
        String text = StandardCharsets.ISO_8859_1.decode(response.duplicate()).toString();
        if (!text.startsWith("HTTP/1.1 " + status + " ")) {
            throw new IllegalStateException(what + ": expected " + status + ", got " + text);
        }
    }

    /** The ceiling: answers 200 "hello" to every request, as {@code HelloServer} in kv-load does. */
    static final class HelloHandler extends Handler.Abstract.NonBlocking {
        private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(HttpStatus.OK_200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, HELLO.length);
            response.write(true, ByteBuffer.wrap(HELLO), callback);
            return true;
        }
    }
}
