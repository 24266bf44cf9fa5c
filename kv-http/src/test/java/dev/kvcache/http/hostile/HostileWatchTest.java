package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import dev.kvcache.http.server.TestServer;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/http.md "Watch". */
@Tag("heavy") // .ci/run runs it on JDK 17 only: watches wait in real time, whatever the JDK
class HostileWatchTest {
    static long index(HttpResponse<String> r) {
        return Long.parseLong(r.headers().firstValue("X-Kv-Index").orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void wakesOnWriteDeleteCounterAndNotOnTouch(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            HttpResponse<String> put = c.send("PUT", "/kv/w?ttl=1h", "a");
            HttpResponse<String> first = c.get("/kv/w?index=0");
            long v = index(first);
            String etag = put.headers().firstValue("ETag").orElseThrow();
            assertEquals(etag, "\"" + BigInteger.valueOf(v).toString(36) + "\"");

            CompletableFuture<HttpResponse<String>> w = c.async("GET", "/kv/w?index=" + v + "&wait=20s", null);
            c.send("POST", "/kv/w?touch&ttl=2h", null);
            assertFalse(waitDone(w, 300), "touch woke a watch");
            c.send("PUT", "/kv/w", "b");
            HttpResponse<String> woke = w.get(10, TimeUnit.SECONDS);
            assertEquals(200, woke.statusCode());
            assertEquals("b", woke.body());
            long v2 = index(woke);
            assertTrue(v2 != v);

            CompletableFuture<HttpResponse<String>> d = c.async("GET", "/kv/w?index=" + v2 + "&wait=20s", null);
            c.send("DELETE", "/kv/w", null);
            HttpResponse<String> del = d.get(10, TimeUnit.SECONDS);
            assertEquals(404, del.statusCode());
            assertEquals("0", del.headers().firstValue("X-Kv-Index").orElseThrow());

            CompletableFuture<HttpResponse<String>> n = c.async("GET", "/kv/w?index=0&wait=20s", null);
            assertFalse(waitDone(n, 300));
            c.send("POST", "/kv/w?incr", null);
            HttpResponse<String> inc = n.get(10, TimeUnit.SECONDS);
            assertEquals("1", inc.body());

            CompletableFuture<HttpResponse<String>> b = c.async("GET", "/kv/w?index=" + index(inc) + "&wait=20s", null);
            c.send("POST", "/kv/", "{\"ops\":[{\"op\":\"put\",\"key\":\"w\",\"value\":\"z\"}]}");
            assertEquals("z", b.get(10, TimeUnit.SECONDS).body());

            // timeout answers the current state with the same index
            HttpResponse<String> t = c.get("/kv/w?index=" + index(c.get("/kv/w?index=0")) + "&wait=100ms");
            assertEquals(200, t.statusCode());
            assertEquals("z", t.body());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void badWatchParameters(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--watch-max-wait", "1m")) {
            Client c = new Client(server, proto);
            HttpResponse<String> tooLong = c.get("/kv/w?index=0&wait=10m");
            assertEquals(400, tooLong.statusCode());
            assertEquals("wait must be at most 60000ms (--watch-max-wait), was 10m", tooLong.body().trim());
            for (String q : new String[] {"index=-1", "index=abc", "index=1.5", "index=", "index=0&wait=0", "index=0&wait=soon",
                    "index=0&wait=-1s", "index=99999999999999999999"}) {
                assertEquals(400, c.get("/kv/w?" + q).statusCode(), q);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void watcherBoundAndManyWatchersOnFewThreads(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--max-watchers", "40")) {
            Client c = new Client(server, proto);
            List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                waits.add(c.async("GET", "/kv/many" + (i % 5) + "?index=0&wait=30s", null));
            }
            // wait until all 40 are registered (gauge kv_watchers): the 41st must be refused
            for (int attempt = 0; attempt < 200 && !c.get("/metrics").body().contains("\nkv_watchers 40\n"); attempt++) {
                Thread.sleep(25);
            }
            HttpResponse<String> over = c.get("/kv/x?index=0&wait=10ms");
            String watchers = c.get("/metrics").body().lines().filter(l -> l.startsWith("kv_watchers")).toList().toString();
            long done = waits.stream().filter(CompletableFuture::isDone).count();
            assertEquals(429, over.statusCode(), over.body() + watchers + " done=" + done
                    + (done > 0 ? waits.stream().filter(CompletableFuture::isDone).findFirst().get().toString() : ""));
            assertEquals("Too many watches are waiting (the limit is 40, --max-watchers); retry later", over.body().trim());
            assertEquals("1", over.headers().firstValue("Retry-After").orElseThrow());
            // the server keeps answering (16 threads hold 40 watches)
            for (int i = 0; i < 20; i++) {
                assertEquals(204, c.send("PUT", "/kv/other" + i, "v").statusCode());
            }
            for (int i = 0; i < 5; i++) {
                c.send("PUT", "/kv/many" + i, "v" + i);
            }
            for (int i = 0; i < 40; i++) {
                HttpResponse<String> r = waits.get(i).get(10, TimeUnit.SECONDS);
                assertEquals("v" + (i % 5), r.body());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void missStatus200WatchSeesDeleteAs200(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--miss-status", "200")) {
            Client c = new Client(server, proto);
            c.send("PUT", "/kv/m", "a");
            long v = index(c.get("/kv/m?index=0"));
            CompletableFuture<HttpResponse<String>> w = c.async("GET", "/kv/m?index=" + v + "&wait=20s", null);
            assertFalse(waitDone(w, 200));
            c.send("DELETE", "/kv/m", null);
            HttpResponse<String> r = w.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals("", r.body());
            assertEquals("0", r.headers().firstValue("X-Kv-Index").orElseThrow());
        }
    }

    /**
     * Over HTTP/1.1 the server does not read a connection whose request waits, so it cannot see the close
     * before the wait ends (Jetty's own account, jetty/jetty.project#824); then the slot must come back.
     */
    @org.junit.jupiter.api.Test
    void aClosedHttp11WatchGivesItsSlotBackWhenItsWaitEnds() throws Exception {
        try (TestServer server = new TestServer("--max-watchers", "2")) {
            // Waits long enough that a loaded machine still sees both held before they end (the gauge
            // is polled every 25 ms), short enough that probeUntil's 5 s covers the first batch's end.
            List<RawHttp> raws = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                RawHttp raw = new RawHttp(server.port());
                raw.send(RawHttp.request("GET", "/kv/gone?index=0&wait=3s", null));
                raws.add(raw);
            }
            Client c = new Client(server, Client.Proto.HTTP_1_1);
            awaitWatchers(c, 2);
            assertEquals(429, c.get("/kv/probe?index=0&wait=10ms").statusCode());
            for (RawHttp raw : raws) {
                raw.close();
            }
            assertEquals(404, probeUntil(c, 404), "slots of closed HTTP/1.1 connections are still held after their wait");
            // and for good: the bound is still 2, not 2 minus leaked slots
            List<RawHttp> again = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                RawHttp raw = new RawHttp(server.port());
                raw.send(RawHttp.request("GET", "/kv/gone?index=0&wait=4s", null));
                again.add(raw);
            }
            awaitWatchers(c, 2);
            assertEquals(429, c.get("/kv/probe?index=0&wait=10ms").statusCode());
            for (RawHttp raw : again) {
                assertEquals(404, raw.read().status());
                raw.close();
            }
            assertEquals(404, probeUntil(c, 404));
        }
    }

    @org.junit.jupiter.api.Test
    void anH2StreamResetFreesItsSlot() throws Exception {
        try (TestServer server = new TestServer("--max-watchers", "2")) {
            Client h2 = new Client(server, Client.Proto.H2C);
            List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                waits.add(h2.async("GET", "/kv/gone?index=0&wait=5m", null));
            }
            Client c = new Client(server, Client.Proto.HTTP_1_1);
            awaitWatchers(c, 2);
            assertEquals(429, c.get("/kv/probe?index=0&wait=10ms").statusCode());
            for (CompletableFuture<HttpResponse<String>> w : waits) {
                w.cancel(true);
            }
            assertEquals(404, probeUntil(c, 404), "slots of reset h2 streams are still held after 5 s");
        }
    }

    /** Waits (at most about 5 s) until gauge kv_watchers says {@code n}, without taking a slot. */
    private static void awaitWatchers(Client c, int n) throws Exception {
        String line = "\nkv_watchers " + n + "\n";
        for (int attempt = 0; attempt < 200 && !c.get("/metrics").body().contains(line); attempt++) {
            Thread.sleep(25);
        }
        assertTrue(c.get("/metrics").body().contains(line), "kv_watchers never reached " + n);
    }

    /** Probes with a 10 ms watch until it answers {@code want}, for at most about 5 s; the last status. */
    private static int probeUntil(Client c, int want) throws Exception {
        int status = 0;
        for (int attempt = 0; attempt < 100 && status != want; attempt++) {
            status = c.get("/kv/probe?index=0&wait=10ms").statusCode();
            if (status != want) {
                Thread.sleep(50);
            }
        }
        return status;
    }

    @org.junit.jupiter.api.Test
    void stopAnswersEveryWatchPromptly() throws Exception {
        TestServer server = new TestServer();
        Client c = new Client(server, Client.Proto.HTTP_1_1);
        Client h2 = new Client(server, Client.Proto.H2C);
        c.send("PUT", "/kv/s", "x");
        long v = index(c.get("/kv/s?index=0"));
        List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waits.add((i % 2 == 0 ? c : h2).async("GET", "/kv/s?index=" + v + "&wait=5m", null));
            waits.add((i % 2 == 0 ? c : h2).async("GET", "/kv/absent?index=0&wait=5m", null));
        }
        Thread.sleep(300);
        long start = System.nanoTime();
        server.close();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 3000, "stop took " + ms + " ms");
        for (CompletableFuture<HttpResponse<String>> w : waits) {
            HttpResponse<String> r = w.get(5, TimeUnit.SECONDS);
            assertTrue(r.statusCode() == 200 || r.statusCode() == 404, "status " + r.statusCode());
        }
    }

    private static boolean waitDone(CompletableFuture<?> f, long ms) throws InterruptedException {
        try {
            f.get(ms, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }
}
