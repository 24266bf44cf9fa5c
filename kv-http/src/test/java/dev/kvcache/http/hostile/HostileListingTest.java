package dev.kvcache.http.hostile;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kvcache.http.server.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/http.md "Listing keys". */
@Tag("heavy") // .ci/run runs it on JDK 17 only: HTTP logic whose outcome does not depend on the JDK
class HostileListingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String UNKNOWN = "Unknown or expired cursor: each cursor serves one page and expires once idle; start the listing again without a cursor";

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void everyLiveKeyOnceAndNoneExpiredWhileTheTableChurns(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            Set<String> stable = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                String key = "p:" + i + (i % 7 == 0 ? "\"q\u00e9\u2028" : "");
                assertEquals(204, c.send("PUT", "/kv/" + enc(key) + "?ttl=never", "v").statusCode(), key);
                stable.add(key);
            }
            // keys no URI can carry, written by a batch: the listing's JSON must escape them
            ObjectMapper json = new ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode batch = json.createObjectNode();
            com.fasterxml.jackson.databind.node.ArrayNode ops = batch.putArray("ops");
            for (String key : new String[] {"p:tab\t", "p:nl\n", "p:back\\slash", "p:nul\u0000", "p:del\u007f", "p:\ud83d\ude00"}) {
                ops.addObject().put("op", "put").put("key", key).put("value", "v").put("ttl", "1h");
                stable.add(key);
            }
            HttpResponse<String> b = c.send("POST", "/kv/", json.writeValueAsString(batch));
            assertTrue(b.body().matches("\\{\"results\":\\[(\\{\"status\":204,\"etag\":\"[^}]*\"\\},?){6}\\]\\}"), b.body());
            for (int i = 0; i < 100; i++) {
                c.send("PUT", "/kv/p:short" + i + "?ttl=1s", "v");
            }
            c.send("PUT", "/kv/other", "v");
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            boolean expiredOnce = false;
            do {
                String q = cursor == null ? "/kv/?prefix=p:&limit=17" : "/kv/?cursor=" + enc(cursor) + "&limit=" + (3 + pages % 20);
                HttpResponse<String> r = c.get(q);
                assertEquals(200, r.statusCode(), r.body());
                JsonNode page = JSON.readTree(r.body());
                assertTrue(page.get("keys").size() <= (cursor == null ? 17 : 3 + pages % 20));
                page.get("keys").forEach(k -> seen.add(k.asText()));
                cursor = page.get("cursor").isNull() ? null : page.get("cursor").asText();
                pages++;
                if (pages == 2 && !expiredOnce) {
                    server.ticker.advance(Duration.ofSeconds(2));
                    expiredOnce = true;
                }
                // churn: growth and overwrites between pages
                for (int i = 0; i < 200; i++) {
                    c.send("PUT", "/kv/grow" + pages + "_" + i, "v");
                }
                assertTrue(pages < 500);
            } while (cursor != null);
            Set<String> unique = new HashSet<>(seen);
            assertEquals(seen.size(), unique.size(), "duplicates");
            assertTrue(unique.containsAll(stable), "missing " + missing(stable, unique));
            for (String k : unique) {
                assertTrue(k.startsWith("p:"), k);
            }
            // after the first two pages the short keys were expired: those seen later must not be there
            long shortSeen = unique.stream().filter(k -> k.startsWith("p:short")).count();
            assertTrue(shortSeen <= 17 + 3 + 1, "expired keys listed: " + shortSeen);
        }
    }

    private static Set<String> missing(Set<String> a, Set<String> b) {
        Set<String> m = new HashSet<>(a);
        m.removeAll(b);
        return m;
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void cursorsAreOneShotAndUnforgeable(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--list-cursor-idle", "5s")) {
            Client c = new Client(server, proto);
            for (int i = 0; i < 10; i++) {
                c.send("PUT", "/kv/a" + i, "v");
            }
            JsonNode first = JSON.readTree(c.get("/kv/?prefix=a&limit=2").body());
            String cursor = first.get("cursor").asText();
            // a bad limit is refused before the cursor is used: the walk goes on
            assertEquals(400, c.get("/kv/?cursor=" + enc(cursor) + "&limit=0").statusCode());
            HttpResponse<String> next = c.get("/kv/?cursor=" + enc(cursor) + "&prefix=a&limit=2");
            assertEquals(200, next.statusCode(), next.body());
            HttpResponse<String> again = c.get("/kv/?cursor=" + enc(cursor) + "&limit=2");
            assertEquals(400, again.statusCode());
            assertEquals(UNKNOWN, again.body().trim());
            // another prefix is refused and, as its message says, closes the listing
            String other = JSON.readTree(next.body()).get("cursor").asText();
            HttpResponse<String> wrong = c.get("/kv/?cursor=" + enc(other) + "&prefix=b");
            assertEquals(400, wrong.statusCode());
            assertTrue(wrong.body().startsWith("prefix must be the listing's own"), wrong.body());
            assertEquals(UNKNOWN, c.get("/kv/?cursor=" + enc(other)).body().trim());
            for (String forged : new String[] {"AAAAAAAAAAAAAAAAAAAAAA", "x", "", "%00", enc(cursor + "A"), "../../etc",
                    enc(cursor.substring(1)), "AAAAAAAAAAAAAAAAAAAAAA==", enc("\u00e9\u00e9")}) {
                HttpResponse<String> r = c.get("/kv/?cursor=" + forged);
                assertEquals(400, r.statusCode(), forged + ": " + r.body());
            }
            // idle expiry
            String c2 = JSON.readTree(c.get("/kv/?prefix=a&limit=2").body()).get("cursor").asText();
            server.ticker.advance(Duration.ofSeconds(6));
            HttpResponse<String> stale = c.get("/kv/?cursor=" + enc(c2));
            assertEquals(400, stale.statusCode(), "idle cursor still served: " + stale.body());
            assertEquals(UNKNOWN, stale.body().trim());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void limitBounds(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer()) {
            Client c = new Client(server, proto);
            for (String l : new String[] {"0", "-1", "1001", "abc", "1.5", "", "99999999999999999999"}) {
                HttpResponse<String> r = c.get("/kv/?limit=" + l);
                assertEquals(400, r.statusCode(), l);
                assertEquals("limit must be a whole number from 1 to 1000, was '" + l + "'", r.body().trim());
            }
            assertEquals(200, c.get("/kv/?limit=1000").statusCode());
            HttpResponse<String> head = c.send("HEAD", "/kv/?limit=5", null);
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
        }
    }

    @ParameterizedTest
    @EnumSource(Client.Proto.class)
    void fullCursorTableIs429AndAFinishedListingNeedsNone(Client.Proto proto) throws Exception {
        try (TestServer server = new TestServer("--max-list-cursors", "2")) {
            Client c = new Client(server, proto);
            for (int i = 0; i < 10; i++) {
                c.send("PUT", "/kv/a" + i, "v");
            }
            String c1 = JSON.readTree(c.get("/kv/?limit=1").body()).get("cursor").asText();
            JSON.readTree(c.get("/kv/?limit=1").body());
            HttpResponse<String> full = c.get("/kv/?limit=1");
            assertEquals(429, full.statusCode(), full.body());
            assertEquals("1", full.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(full.body().startsWith("Too many key listings are open (the limit is 2, --max-list-cursors)"), full.body());
            // a listing that ends on its first page needs no cursor
            HttpResponse<String> whole = c.get("/kv/?limit=1000");
            assertEquals(200, whole.statusCode(), whole.body());
            assertTrue(JSON.readTree(whole.body()).get("cursor").isNull());
            // following a cursor frees its slot and takes one: the walk can go on to its end
            String cur = c1;
            int n = 1;
            while (cur != null) {
                HttpResponse<String> r = c.get("/kv/?cursor=" + enc(cur) + "&limit=1");
                assertEquals(200, r.statusCode(), r.body());
                JsonNode page = JSON.readTree(r.body());
                n += page.get("keys").size();
                cur = page.get("cursor").isNull() ? null : page.get("cursor").asText();
            }
            assertEquals(10, n);
            assertFalse(c.get("/kv/?limit=1").statusCode() == 429, "a finished walk kept its slot");
        }
    }
}
