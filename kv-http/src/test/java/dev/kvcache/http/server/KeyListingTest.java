package dev.kvcache.http.server;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.http.KvHandler;
import dev.kvcache.http.StoredValue;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code GET /kv/?prefix=P&limit=N&cursor=C}. */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP logic whose outcome does not depend on the JDK
class KeyListingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Page(List<String> keys, String cursor) {}

    static Page page(Protocol.Client client, String query) throws Exception {
        HttpResponse<String> response = client.get("/kv/?" + query);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode json = JSON.readTree(response.body());
        List<String> keys = new ArrayList<>();
        json.get("keys").forEach(k -> keys.add(k.asText()));
        return new Page(keys, json.get("cursor").isNull() ? null : json.get("cursor").asText());
    }

    /** Every key of a listing, with how often it was returned; {@code between} runs between pages. */
    static Map<String, Integer> listAll(Protocol.Client client, String prefix, int limit, Runnable between) throws Exception {
        Map<String, Integer> seen = new HashMap<>();
        String cursor = null;
        do {
            String query = "limit=" + limit + (cursor == null ? "&prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)
                    : "&cursor=" + cursor);
            Page page = page(client, query);
            assertTrue(page.keys().size() <= limit);
            page.keys().forEach(k -> seen.merge(k, 1, Integer::sum));
            cursor = page.cursor();
            between.run();
        } while (cursor != null);
        return seen;
    }

    private static void write(KvHandler handler, String key, Duration ttl) {
        handler.restore(key, StoredValue.of(key.getBytes(StandardCharsets.UTF_8), "text/plain"), ttl);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void listsThePrefixAPageAtATime(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            Protocol.Client client = protocol.client(server);
            for (String key : List.of("a1", "a2", "a3", "a4", "a5", "b1", "b2", "ä/x y")) {
                client.send("PUT", "/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20")
                        .replace("%2F", "/"), "v");
            }
            Map<String, Integer> a = listAll(client, "a", 2, () -> { });
            assertEquals(Set.of("a1", "a2", "a3", "a4", "a5"), a.keySet());
            assertTrue(a.values().stream().allMatch(n -> n == 1), a.toString());
            assertEquals(Set.of("ä/x y"), listAll(client, "ä/", 10, () -> { }).keySet());
            Page all = page(client, "");
            assertEquals(8, all.keys().size());
            assertNull(all.cursor());
            assertEquals(List.of(), page(client, "prefix=zz").keys());
            // Expired keys are not listed.
            client.send("PUT", "/kv/a-short?ttl=1s", "v");
            assertEquals(6, page(client, "prefix=a").keys().size());
            server.ticker.advance(Duration.ofSeconds(1));
            assertEquals(5, page(client, "prefix=a").keys().size());
            assertEquals(200, client.send("HEAD", "/kv/?prefix=a", null).statusCode());
            assertTrue(client.get("/metrics").body().contains("kv_operations_total{op=\"list\"}"));
        }
    }

    /**
     * A key live for the whole walk is returned exactly once, while between pages the table grows
     * many times over (resizes) and other keys are written and removed.
     */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void everyKeyLiveForTheWholeWalkComesExactlyOnceAcrossResizesAndWrites(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            KvHandler handler = server.server.handler();
            Protocol.Client client = protocol.client(server);
            Set<String> stable = new TreeSet<>();
            for (int i = 0; i < 2_000; i++) {
                stable.add("s" + i);
                write(handler, "s" + i, Duration.ofHours(1));
                write(handler, "churn" + i, Duration.ofHours(1));
            }
            int[] round = {0};
            Map<String, Integer> seen = listAll(client, "", 100, () -> {
                int r = round[0]++;
                if (r >= 20) {
                    return; // the table grew from 4 000 to 44 000 entries; now let the walk end
                }
                for (int i = 0; i < 2_000; i++) {
                    write(handler, "new" + r + "-" + i, Duration.ofHours(1));
                }
                for (int i = r * 50; i < r * 50 + 50; i++) {
                    write(handler, "churn" + i, Duration.ofHours(1)); // overwritten
                    try {
                        assertEquals(204, client.send("DELETE", "/kv/churn" + (1_000 + i), null).statusCode());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            });
            assertTrue(round[0] > 20, "pages: " + round[0]);
            for (String key : stable) {
                assertEquals(1, seen.getOrDefault(key, 0), key);
            }
            for (Map.Entry<String, Integer> e : seen.entrySet()) {
                assertEquals(1, e.getValue(), "returned twice: " + e.getKey());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aRarePrefixGetsShortPagesWithinTheScanBudget(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--max-list-limit", "10")) {
            KvHandler handler = server.server.handler();
            for (int i = 0; i < 1_000; i++) {
                write(handler, "common" + i, Duration.ofHours(1));
            }
            write(handler, "rare", Duration.ofHours(1));
            Protocol.Client client = protocol.client(server);
            Page first = page(client, "prefix=rare&limit=10");
            assertNotNull(first.cursor(), "a page examines at most 100 keys, not 1 001");
            int pages = 1;
            List<String> found = new ArrayList<>(first.keys());
            String cursor = first.cursor();
            while (cursor != null) {
                Page next = page(client, "cursor=" + cursor);
                found.addAll(next.keys());
                cursor = next.cursor();
                pages++;
            }
            assertEquals(List.of("rare"), found);
            assertTrue(pages >= 10 && pages <= 12, "pages: " + pages);
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void badLimitsAndCursorsAre400(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer()) {
            KvHandler handler = server.server.handler();
            for (int i = 0; i < 20; i++) {
                write(handler, "k" + i, Duration.ofHours(1));
            }
            Protocol.Client client = protocol.client(server);
            for (String limit : List.of("0", "1001", "-1", "x", "")) {
                HttpResponse<String> reply = client.get("/kv/?limit=" + limit);
                assertEquals(400, reply.statusCode(), limit);
                assertEquals("limit must be a whole number from 1 to 1000, was '" + limit + "'\n", reply.body());
            }
            String unknown = "Unknown or expired cursor: each cursor serves one page and expires once idle; start the"
                    + " listing again without a cursor\n";
            HttpResponse<String> bogus = client.get("/kv/?cursor=AAAAAAAAAAAAAAAAAAAAAA");
            assertEquals(400, bogus.statusCode());
            assertEquals(unknown, bogus.body());
            Page first = page(client, "limit=5");
            assertNotNull(first.cursor());
            Page second = page(client, "cursor=" + first.cursor());
            // A cursor serves one page: reusing it is refused.
            assertEquals(unknown, client.get("/kv/?cursor=" + first.cursor()).body());
            // An idle cursor expires.
            server.ticker.advance(Duration.ofSeconds(60));
            assertEquals(unknown, client.get("/kv/?cursor=" + second.cursor()).body());
            Page again = page(client, "limit=5&prefix=k");
            HttpResponse<String> other = client.get("/kv/?prefix=j&cursor=" + again.cursor());
            assertEquals(400, other.statusCode());
            assertTrue(other.body().startsWith("prefix must be the listing's own"), other.body());
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aFullCursorTableIs429UntilACursorIdlesOut(Protocol protocol) throws Exception {
        try (TestServer server = new TestServer("--max-list-cursors", "2", "--list-cursor-idle", "10s")) {
            KvHandler handler = server.server.handler();
            for (int i = 0; i < 20; i++) {
                write(handler, "k" + i, Duration.ofHours(1));
            }
            Protocol.Client client = protocol.client(server);
            Page one = page(client, "limit=1");
            Page two = page(client, "limit=1");
            HttpResponse<String> full = client.get("/kv/?limit=1");
            assertEquals(429, full.statusCode());
            assertEquals("1", full.headers().firstValue("Retry-After").orElseThrow());
            assertEquals("Too many key listings are open (the limit is 2, --max-list-cursors): finish or abandon a"
                    + " listing (its cursor expires once idle), then retry\n", full.body());
            // A listing in progress goes on; a short one that ends keeps no cursor.
            assertNotNull(page(client, "limit=1&cursor=" + one.cursor()).cursor());
            assertEquals(200, client.get("/kv/?prefix=k1&limit=1000").statusCode());
            assertTrue(client.get("/metrics").body().contains("kv_list_cursors 2"));
            server.ticker.advance(Duration.ofSeconds(10));
            assertEquals(200, client.get("/kv/?limit=1").statusCode());
            assertEquals(400, client.get("/kv/?cursor=" + two.cursor()).statusCode());
        }
    }
}
