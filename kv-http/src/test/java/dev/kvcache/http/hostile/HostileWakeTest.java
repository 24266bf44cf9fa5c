package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Watches woken by flushes and batch deletes; a chunked batch over the byte bound. */
class HostileWakeTest {
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void flushAndBatchDeleteWakeWatches(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--allow-flush")) {
            Client c = new Client(server, proto);
            c.send("PUT", "/kv/f:1", "v");
            c.send("PUT", "/kv/b:1", "v");
            long vf = Long.parseLong(c.get("/kv/f:1?index=0").headers().firstValue("X-Kv-Index").orElseThrow());
            long vb = Long.parseLong(c.get("/kv/b:1?index=0").headers().firstValue("X-Kv-Index").orElseThrow());
            CompletableFuture<HttpResponse<String>> wf = c.async("GET", "/kv/f:1?index=" + vf + "&wait=60s", null);
            CompletableFuture<HttpResponse<String>> wb = c.async("GET", "/kv/b:1?index=" + vb + "&wait=60s", null);
            Thread.sleep(200);
            assertTrue(!wf.isDone() && !wb.isDone());
            assertEquals(200, c.send("DELETE", "/kv/?prefix=f:", null).statusCode());
            HttpResponse<String> rf = wf.get(10, TimeUnit.SECONDS);
            assertEquals(404, rf.statusCode());
            assertEquals("0", rf.headers().firstValue("X-Kv-Index").orElseThrow());
            c.send("POST", "/kv/", "{\"ops\":[{\"op\":\"delete\",\"key\":\"b:1\"}]}");
            HttpResponse<String> rb = wb.get(10, TimeUnit.SECONDS);
            assertEquals(404, rb.statusCode());
        }
    }

    @Test
    void aChunkedBatchPastTheBoundIs413AndNotApplied() throws Exception {
        try (TestServer server = new TestServer("--batch-max-bytes", "1024"); RawHttp raw = new RawHttp(server.port())) {
            String head = "{\"ops\":[{\"op\":\"put\",\"key\":\"c\",\"value\":\"1\"},{\"op\":\"put\",\"key\":\"d\",\"value\":\"";
            StringBuilder req = new StringBuilder("POST /kv/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/json\r\n\r\n");
            req.append(Integer.toHexString(head.length())).append("\r\n").append(head).append("\r\n");
            String pad = "y".repeat(600);
            for (int i = 0; i < 4; i++) {
                req.append(Integer.toHexString(pad.length())).append("\r\n").append(pad).append("\r\n");
            }
            String tail = "\"}]}";
            req.append(Integer.toHexString(tail.length())).append("\r\n").append(tail).append("\r\n0\r\n\r\n");
            raw.send(req.toString());
            RawHttp.Reply reply = raw.read();
            assertEquals(413, reply.status(), reply.body());
            assertEquals("Batch too large: the limit is 1024 bytes of body (--batch-max-bytes)", reply.body().trim());
            Client c = new Client(server, Client.Proto.HTTP_1_1);
            assertEquals(404, c.get("/kv/c").statusCode());
        }
    }
}
