package dev.kvcache.http.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A value whose entry would weigh more than the whole byte bound is refused with 413, not acknowledged and
 * evicted at once with others (hostile8): declared, streamed and in a batch.
 */
class HostileOverweightValueTest {
    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void aValueTheByteBoundCannotHoldIsRefusedNotAcknowledgedAndDropped(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--max-entries", "10", "--max-bytes", "4KiB")) {
            Client c = new Client(server, proto);
            assertEquals(204, c.send("PUT", "/kv/small", "s").statusCode());
            HttpResponse<String> big = c.send("PUT", "/kv/big", "x".repeat(5_000));
            assertEquals(413, big.statusCode(), "an entry heavier than --max-bytes: " + big.headers().map());
            assertTrue(big.body().contains("--max-bytes"), big.body());
            // 4 KiB less the 256-byte estimate and the 3-byte key. (Small bodies: a body the server refuses unread
            // must fit the socket buffers, or the client may see the connection close before the 413.)
            assertTrue(big.body().contains("at most 3837 bytes for this key"), big.body());
            assertEquals(404, c.get("/kv/big").statusCode());
            assertEquals("s", c.get("/kv/small").body(), "the refused write evicted nothing");
            // An entry of exactly the bound's weight is accepted (the policy may then evict it like any other
            // entry); one byte more is refused, and leaves what the key held.
            assertEquals(204, c.send("PUT", "/kv/small", "t").statusCode());
            assertEquals(413, c.send("PUT", "/kv/small", "x".repeat(3_836)).statusCode());
            assertEquals("t", c.get("/kv/small").body(), "the refused overwrite kept the value");
            assertEquals(204, c.send("PUT", "/kv/big", "x".repeat(3_837)).statusCode());
            assertEquals(413, c.send("PUT", "/kv/big", "x".repeat(3_838)).statusCode());
            String batch = "{\"ops\":[{\"op\":\"put\",\"key\":\"b1\",\"value\":\"" + "y".repeat(4_000) + "\"}]}";
            HttpResponse<String> answer = c.send("POST", "/kv/", batch, "Content-Type", "application/json");
            assertTrue(answer.body().contains("\"status\":413"), answer.body());
            assertEquals(404, c.get("/kv/b1").statusCode());
        }
    }
}
