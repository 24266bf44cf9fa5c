package dev.kvcache.bench.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.core.testing.FakeTicker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs an {@link HttpOp} sequence against the real server (over HTTP/1.1, through {@link KvTestServer})
 * and the {@link HttpModel} side by side, and checks every answer against the model: status, body,
 * {@code Content-Type}, {@code ETag} (present, fresh on every write, the current one on reads),
 * {@code Kv-Ttl-Remaining-Ms} and {@code Cache-Control: max-age} exactly (the clock is the fake one),
 * and after every step that {@code /size} lies between the live entries and the keys in use.
 */
final class HttpHarness {
    static final String DEFAULT_TYPE = "text/plain; charset=utf-8";
    private static final byte[] PRECONDITION_FAILED = "Precondition Failed\n".getBytes(StandardCharsets.UTF_8);

    private final KvTestServer server;
    private final HttpModel model = new HttpModel();
    private final FakeTicker ticker;
    private int nextValue;

    /** Resets the server (fresh handler and clock) for this run. */
    HttpHarness(KvTestServer server) {
        this.server = server;
        this.ticker = server.reset();
    }

    void run(List<HttpOp> ops) {
        for (int i = 0; i < ops.size(); i++) {
            HttpOp op = ops.get(i);
            String step = "step " + i + ": " + op;
            if (op instanceof HttpOp.Write w) {
                write(w, step);
            } else if (op instanceof HttpOp.Read r) {
                read(r, step);
            } else if (op instanceof HttpOp.Delete d) {
                delete(d, step);
            } else if (op instanceof HttpOp.Advance a) {
                ticker.advance(Duration.ofMillis(a.millis()));
                model.advance(a.millis());
            } else {
                throw new AssertionError("unknown op " + op);
            }
            checkSize(step);
        }
    }

    private void write(HttpOp.Write w, String step) {
        byte[] body = w.emptyBody() ? new byte[0]
                : ("v" + nextValue++ + "-\u00e9").getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = server.request(HttpOp.path(w.key(), w.namespaced()) + w.ttl().query())
                .method(w.method(), HttpRequest.BodyPublishers.ofByteArray(body));
        if (w.ttl().source() == HttpOp.TtlSource.HEADER) {
            request.header("Kv-Ttl", w.ttl().text());
        }
        if (w.contentType() != null) {
            request.header("Content-Type", w.contentType());
        }
        HttpModel.Entry live = model.live(w.key());
        boolean allowed = precondition(request, w.precondition(), w.key(), live);
        HttpResponse<byte[]> response = server.send(request.build());
        if (!allowed) {
            expectPreconditionFailed(response, step);
            return;
        }
        boolean put = w.method().equals("PUT");
        int status = !put ? 200 : w.precondition() == HttpOp.Precondition.CREATE_ONLY ? 201 : 204;
        assertEquals(status, response.statusCode(), () -> step + " status; live before: " + describe(live));
        String etag = header(response, "ETag", step);
        assertTrue(etag.matches("\"[0-9a-z]+\""), () -> step + ": strong ETag expected, was " + etag);
        assertFalse(model.everIssued(etag), () -> step + ": ETag " + etag + " was issued before");
        String type = w.contentType() == null ? DEFAULT_TYPE : w.contentType();
        if (put) {
            assertArrayEquals(new byte[0], response.body(), () -> step + " body");
        } else {
            assertArrayEquals(body, response.body(), () -> step + " echoed body");
            assertEquals(type, header(response, "Content-Type", step), () -> step + " Content-Type");
        }
        long ttlMillis = w.ttl().source() == HttpOp.TtlSource.DEFAULT
                ? KvTestServer.DEFAULT_TTL.toMillis() : w.ttl().millis();
        model.store(w.key(), body, type, etag, ttlMillis);
    }

    private void read(HttpOp.Read r, String step) {
        HttpRequest.Builder request = server.request(HttpOp.path(r.key(), r.namespaced()))
                .method(r.method(), HttpRequest.BodyPublishers.noBody());
        String lastSeen = model.lastSeen(r.key());
        String ifNoneMatch = lastSeen == null ? "\"never-issued\"" : lastSeen;
        if (r.ifNoneMatchLastSeen()) {
            request.header("If-None-Match", ifNoneMatch);
        }
        HttpResponse<byte[]> response = server.send(request.build());
        HttpModel.Entry live = model.live(r.key());
        if (live == null) {
            assertEquals(404, response.statusCode(), () -> step + " status (absent or expired at "
                    + model.nowMillis() + " ms)");
            assertArrayEquals(new byte[0], response.body(), () -> step + " body of a 404");
            return;
        }
        boolean notModified = r.ifNoneMatchLastSeen() && ifNoneMatch.equals(live.etag());
        assertEquals(notModified ? 304 : 200, response.statusCode(), () -> step + " status; live: " + describe(live));
        assertEquals(live.etag(), header(response, "ETag", step), () -> step + " ETag");
        long remaining = live.deadlineMillis() - model.nowMillis();
        assertEquals(Long.toString(remaining), header(response, "Kv-Ttl-Remaining-Ms", step),
                () -> step + " remaining");
        assertEquals("max-age=" + remaining / 1000, header(response, "Cache-Control", step), () -> step + " max-age");
        if (!notModified) {
            assertEquals(live.contentType(), header(response, "Content-Type", step), () -> step + " Content-Type");
            assertEquals("nosniff", header(response, "X-Content-Type-Options", step), () -> step + " nosniff");
        }
        if (r.method().equals("GET") && !notModified) {
            assertArrayEquals(live.body(), response.body(), () -> step + " body");
        } else {
            assertArrayEquals(new byte[0], response.body(), () -> step + " body of a " + response.statusCode());
        }
        if (r.method().equals("HEAD")) {
            assertEquals(Integer.toString(live.body().length), header(response, "Content-Length", step),
                    () -> step + " Content-Length of HEAD");
        }
        model.seen(r.key(), live.etag());
    }

    private void delete(HttpOp.Delete d, String step) {
        HttpRequest.Builder request = server.request(HttpOp.path(d.key(), d.namespaced())).DELETE();
        HttpModel.Entry live = model.live(d.key());
        boolean allowed = precondition(request, d.precondition(), d.key(), live);
        HttpResponse<byte[]> response = server.send(request.build());
        if (!allowed) {
            expectPreconditionFailed(response, step);
            return;
        }
        assertEquals(live == null ? 404 : 204, response.statusCode(), () -> step + " status; live: " + describe(live));
        model.remove(d.key());
    }

    /** Adds the precondition's header; returns whether the model says it holds. */
    private boolean precondition(HttpRequest.Builder request, HttpOp.Precondition precondition, int key,
            HttpModel.Entry live) {
        switch (precondition) {
            case NONE:
                return true;
            case CREATE_ONLY:
                request.header("If-None-Match", "*");
                // A delete of an absent key with If-None-Match: * holds and answers 404.
                return live == null;
            case IF_PRESENT:
                request.header("If-Match", "*");
                return live != null;
            case MATCH_LAST_SEEN: {
                String tag = model.lastSeen(key);
                request.header("If-Match", tag == null ? "\"never-issued\"" : tag);
                return live != null && live.etag().equals(tag);
            }
            case MATCH_STALE:
                request.header("If-Match", model.staleEtag(key));
                return false;
            default:
                throw new AssertionError(precondition);
        }
    }

    private void expectPreconditionFailed(HttpResponse<byte[]> response, String step) {
        assertEquals(412, response.statusCode(), () -> step + " status");
        assertArrayEquals(PRECONDITION_FAILED, response.body(), () -> step + " body of 412");
        assertEquals(DEFAULT_TYPE, header(response, "Content-Type", step), () -> step + " Content-Type of 412");
    }

    private void checkSize(String step) {
        HttpResponse<byte[]> size = server.send(server.request("/size").GET().build());
        assertEquals(200, size.statusCode(), () -> "/size after " + step);
        long count = Long.parseLong(new String(size.body(), StandardCharsets.US_ASCII));
        int live = model.liveCount();
        // An estimate: it may still count expired entries, never fewer than the live ones.
        assertTrue(count >= live && count <= HttpOps.KEYS,
                () -> "/size " + count + " after " + step + ", live entries " + live);
    }

    private static String header(HttpResponse<?> response, String name, String step) {
        Optional<String> value = response.headers().firstValue(name);
        assertTrue(value.isPresent(),
                () -> step + ": header " + name + " missing; headers " + response.headers().map());
        return value.get();
    }

    private String describe(HttpModel.Entry live) {
        return live == null ? "none" : "etag " + live.etag() + ", deadline " + live.deadlineMillis()
                + " ms, now " + model.nowMillis() + " ms";
    }
}
