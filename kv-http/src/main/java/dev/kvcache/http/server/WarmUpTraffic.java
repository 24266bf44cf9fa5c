package dev.kvcache.http.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The client side of the loopback warm-up ({@link LoopbackWarmUp}): one connection that sends the seed
 * workload's requests (80 % {@code GET /k}, 20 % {@code POST /k} of a digit, keys in [0, 10^6)) with a few
 * of the other routes mixed in, {@code depth} at a time pipelined, and reads every answer before it sends
 * the next batch. It frames answers by their {@code Content-Length} only, which is all the kvcache server's
 * answers to these requests use; anything else ends the run, as does any I/O error: the warm-up is only an
 * optimisation, and the server it talks to is a throwaway twin.
 *
 * <p>Its keys and values fit the server's {@code --max-key-bytes} and {@code --max-value-bytes}: a key or value
 * over them would make the twin answer 414 or 413, and close the connection for a write whose body it did
 * not read, so that the warm-up would train the JIT on refusals, and end after a few requests. When the
 * server closes the connection anyway after an answer ({@code Connection: close}, or at an answer's end),
 * the run goes on on a new one, up to {@link #MAX_CONNECTIONS}.
 *
 * <p>Runs on a blocking {@link SocketChannel}, so an interrupt of its thread closes the channel and ends
 * the run at once (a stop signal during the start).
 */
final class WarmUpTraffic {
    /** The seed's keys: [0, 10^6), as long as the key limit allows. */
    private static final int KEY_DIGITS = 6;
    /** The {@code PUT /kv/} values: [0, 1000), as long as the value limit allows. */
    private static final int PUT_DIGITS = 3;
    /** Connections a run opens at most, each after the server closed the previous one. */
    static final int MAX_CONNECTIONS = 64;

    private final InetSocketAddress address;
    private final int depth;
    private final String authorization;
    private final SplittableRandom random;
    private final int keys;
    private final int putValues;
    private final boolean emptyValues;
    private final String host;
    private final StringBuilder batch = new StringBuilder(2_048);
    private final boolean[] heads;
    private ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    private long answers;
    private String failure;
    private boolean closing; // the last answer read said Connection: close
    private int connections;

    /**
     * @param port the twin's port on 127.0.0.1
     * @param depth requests per batch: 10 as the seed's load test pipelines, 1 for a client that waits
     * @param token the bearer token to send, or {@code null}
     * @param seed the random keys' seed
     */
    WarmUpTraffic(int port, int depth, String token, long seed) {
        this(port, depth, token, seed, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * As {@link #WarmUpTraffic(int, int, String, long)}, with keys of at most {@code maxKeyBytes} and values
     * of at most {@code maxValueBytes} (the server's limits).
     */
    WarmUpTraffic(int port, int depth, String token, long seed, long maxKeyBytes, long maxValueBytes) {
        this.keys = pow10((int) Math.max(1, Math.min(KEY_DIGITS, maxKeyBytes)));
        this.putValues = pow10((int) Math.max(0, Math.min(PUT_DIGITS, maxValueBytes)));
        this.emptyValues = maxValueBytes < 1;
        this.address = new InetSocketAddress("127.0.0.1", port);
        this.depth = depth;
        this.host = " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"; // as clients send it: the port, unless 80
        this.authorization = token == null ? "" : "Authorization: Bearer " + token + "\r\n";
        this.random = new SplittableRandom(seed);
        this.heads = new boolean[depth];
    }

    /**
     * Sends batches until {@code deadlineNanos} ({@link System#nanoTime()}), an interrupt, or a failure.
     *
     * @return the answers read
     */
    long run(long deadlineNanos) {
        while (connections < MAX_CONNECTIONS && !Thread.currentThread().isInterrupted()
                && System.nanoTime() - deadlineNanos < 0) {
            failure = null;
            long before = answers;
            connections++;
            if (!connection(deadlineNanos) || answers == before) {
                break; // a failure, the deadline or a stop; or a server that closes before it answers
            }
        }
        return answers;
    }

    /** @return the connections the last {@link #run} opened */
    int connections() {
        return connections;
    }

    /**
     * One connection's batches, until the deadline, an interrupt, a failure, or the server's close after an
     * answer.
     *
     * @return whether the server closed the connection after an answer, and the run may go on on a new one
     *     ({@link #failure()} then says how it closed)
     */
    private boolean connection(long deadlineNanos) {
        in.clear();
        try (SocketChannel channel = SocketChannel.open(address)) {
            channel.socket().setTcpNoDelay(true);
            while (System.nanoTime() - deadlineNanos < 0 && !Thread.currentThread().isInterrupted()) {
                ByteBuffer out = ByteBuffer.wrap(nextBatch());
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                for (int i = 0; i < depth; i++) {
                    String refused = readAnswer(channel, heads[i]);
                    if (refused != null) {
                        failure = refused;
                        return refused.equals(CLOSED_BETWEEN_ANSWERS); // an idle timeout, say
                    }
                    answers++;
                    if (closing) {
                        failure = "the server closed the connection (Connection: close)";
                        return true; // the rest of the batch is never answered
                    }
                }
            }
        } catch (java.nio.channels.ClosedByInterruptException e) {
            // a stop: not a failure
        } catch (IOException | RuntimeException e) {
            failure = e.toString(); // refused or reset: the warm-up ends there
        }
        return false;
    }

    private static final String CLOSED_BETWEEN_ANSWERS = "the connection closed between two answers";

    private static int pow10(int digits) {
        int n = 1;
        for (int i = 0; i < digits; i++) {
            n *= 10;
        }
        return n;
    }

    /** @return {@code value} as a body, or an empty one under a value limit of 0 */
    private String value(int value) {
        return emptyValues ? "" : Integer.toString(value);
    }

    /** @return why the last {@link #run} ended before its deadline, other than an interrupt; {@code null} if not */
    String failure() {
        return failure;
    }

    private byte[] nextBatch() {
        batch.setLength(0);
        for (int i = 0; i < depth; i++) {
            String key = Integer.toString(random.nextInt(keys));
            int pick = random.nextInt(100);
            heads[i] = false;
            if (pick < 72) {
                request("GET /", key, null);
            } else if (pick < 90) {
                request("POST /", key, value(1 + random.nextInt(9)));
            } else if (pick < 94) {
                request("GET /kv/", key, null);
            } else if (pick < 97) {
                request("PUT /kv/", key, value(random.nextInt(putValues)));
            } else if (pick < 98) {
                request("DELETE /kv/", key, null);
            } else if (pick < 99) {
                heads[i] = true;
                request("HEAD /kv/", key, null);
            } else {
                request("POST /", "size", null);
            }
        }
        return batch.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private void request(String methodAndPrefix, String key, String body) {
        batch.append(methodAndPrefix).append(key).append(host);
        batch.append(authorization);
        if (body != null) {
            batch.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
        } else {
            batch.append("\r\n");
        }
    }

    /**
     * Reads one answer: its head up to the blank line, then {@code Content-Length} bytes of body (none for a
     * HEAD, a 204 or a 304).
     *
     * @return {@code null}, or why the answer could not be read: the connection closed, or no framing
     */
    private String readAnswer(SocketChannel channel, boolean head) throws IOException {
        int end;
        while ((end = headEnd()) < 0) {
            if (!fill(channel)) {
                return in.position() == 0 ? CLOSED_BETWEEN_ANSWERS
                        : "the connection closed before an answer's head ended";
            }
        }
        String text = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
        int status = parseStatus(text);
        long length = contentLength(text);
        boolean bodyless = head || status == 204 || status == 304;
        if (status < 100 || (length < 0 && !bodyless)) {
            return "an answer without a status or a Content-Length: " + text.lines().findFirst().orElse("");
        }
        closing = connectionClose(text);
        long body = bodyless ? 0 : length;
        consume(end + 4);
        while (body > 0) {
            if (in.position() == 0 && !fill(channel)) {
                return "the connection closed inside an answer's body";
            }
            int take = (int) Math.min(body, in.position());
            consume(take);
            body -= take;
        }
        return null;
    }

    /** @return the index of the {@code \r\n\r\n} that ends the head at the buffer's start, or -1 */
    private int headEnd() {
        byte[] bytes = in.array();
        for (int i = 0, n = in.position() - 3; i < n; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private boolean fill(SocketChannel channel) throws IOException {
        if (!in.hasRemaining()) {
            if (in.capacity() >= 1 << 20) {
                throw new IOException("an answer's head longer than 1 MiB"); // none of these requests' is
            }
            ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
            in.flip();
            bigger.put(in);
            in = bigger;
        }
        return channel.read(in) > 0;
    }

    /** Drops the first {@code n} bytes read. */
    private void consume(int n) {
        in.flip();
        in.position(n);
        in.compact();
    }

    private static int parseStatus(String head) {
        if (head.length() < 12 || !head.startsWith("HTTP/1.1 ")) {
            return -1;
        }
        try {
            return Integer.parseInt(head, 9, 12, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** @return the head's {@code Content-Length}, or -1 if it has none */
    private static long contentLength(String head) {
        String value = field(head, "Content-Length:");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** @return whether the head says the server closes the connection after this answer */
    private static boolean connectionClose(String head) {
        String value = field(head, "Connection:");
        return value != null && value.toLowerCase(java.util.Locale.ROOT).contains("close");
    }

    /** @return the trimmed value of the head's first field named {@code nameAndColon}, or {@code null} */
    private static String field(String head, String nameAndColon) {
        int at = 0;
        while ((at = head.indexOf("\r\n", at)) >= 0) {
            at += 2;
            if (head.regionMatches(true, at, nameAndColon, 0, nameAndColon.length())) {
                int lineEnd = head.indexOf("\r\n", at);
                return head.substring(at + nameAndColon.length(), lineEnd < 0 ? head.length() : lineEnd).trim();
            }
        }
        return null;
    }
}
