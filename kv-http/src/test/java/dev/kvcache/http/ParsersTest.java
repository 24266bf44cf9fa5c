package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/** The request parsers: durations, routes, keys, query parameters, preconditions. */
class ParsersTest {
    @Test
    void durations() {
        assertEquals(1_500, TtlParser.parseMillis("1500ms"));
        assertEquals(1_500, TtlParser.parseMillis("1500"));
        assertEquals(10_000, TtlParser.parseMillis("10s"));
        assertEquals(60_000, TtlParser.parseMillis("1m"));
        assertEquals(7_200_000, TtlParser.parseMillis("2h"));
        for (String bad : new String[] {"", "0", "0s", "-1", "1.5s", "s", "10sec", "1d", "10 s", " 10s", "99999999999999999999",
            "3153600001s"}) {
            assertThrows(IllegalArgumentException.class, () -> TtlParser.parseMillis(bad), bad);
        }
    }

    @Test
    void aMalformedDurationIsReportedAsMalformedHoweverManyDigitsItHas() {
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                () -> TtlParser.parseMillis("99999999999999999999x"));
        assertEquals("invalid duration '99999999999999999999x': expected a positive whole number of ms, or with a"
                + " unit: 1500ms, 10s, 1m, 2h", malformed.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> TtlParser.parseMillis("99999999999999999999s"));
        assertEquals("invalid duration '99999999999999999999s': too long, at most 3153600000000ms (100 years)",
                tooLong.getMessage());
    }

    @Test
    void routes() {
        assertEquals(Route.NO_KEY, Route.of("/"));
        assertEquals(Route.NO_KEY, Route.of("//x"));
        assertEquals(Route.NO_KEY, Route.of("/kv"));
        assertEquals(Route.KEYS, Route.of("/kv/"));
        assertEquals(Route.NO_KEY, Route.of("/kv/x".substring(0, 3)));
        assertEquals(Route.SIZE, Route.of("/size"));
        assertEquals(Route.SIZE, Route.of("/size/extra"));
        assertEquals(Route.METRICS, Route.of("/metrics"));
        assertEquals(Route.STATS, Route.of("/stats"));
        assertEquals(Route.HEALTH, Route.of("/health"));
        assertEquals(Route.KEY, Route.of("/sizes"));
        assertEquals(Route.KEY, Route.of("/Size"));
        assertEquals(Route.KEY, Route.of("/kv/size"));
        assertEquals(Route.KEY, Route.of("/kvx"));
        assertEquals(Route.KEY, Route.of("/k1"));
        for (String reserved : Route.RESERVED) {
            assertTrue(Route.of("/" + reserved) != Route.KEY, reserved);
        }
    }

    @Test
    void keys() {
        assertEquals("k1", KeyParser.key("/k1"));
        assertEquals("k1", KeyParser.key("/k1/rest"));
        assertEquals("size", KeyParser.key("/kv/size"));
        assertEquals("a/b/", KeyParser.key("/kv/a/b/"));
        for (String text : new String[] {"", "abc", "é", "日本", "😀x", "a\u0800b"}) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, KeyParser.utf8Length(text), text);
        }
    }

    @Test
    void queryParameters() {
        assertEquals("10s", Query.parse("ttl=10s").get("ttl"));
        assertEquals("5", Query.parse("a=1&ttl=5&b=2").get("ttl"));
        assertEquals("", Query.parse("ttl=").get("ttl"));
        assertFalse(Query.parse("ttl=").isBare("ttl"));
        assertTrue(Query.parse("a&&ttl").isBare("ttl"));
        assertNull(Query.parse("xttl=5&ttlx=6").get("ttl"));
        assertNull(Query.parse(null).get("ttl"));
        assertEquals("a b=é", Query.parse("x=1&%74tl=a+b%3D%C3%A9").get("ttl"));
        assertEquals("1", Query.parse("ttl=1&ttl=2").get("ttl"));
        assertThrows(IllegalArgumentException.class, () -> Query.parse("ttl=%٣٣"), "only ASCII hex digits");
    }

    private static Conditions conditions(String ifMatch, String ifNoneMatch) {
        HttpFields.Mutable headers = HttpFields.build();
        if (ifMatch != null) {
            headers.put("If-Match", ifMatch);
        }
        if (ifNoneMatch != null) {
            headers.put("If-None-Match", ifNoneMatch);
        }
        return Conditions.of(headers);
    }

    @Test
    void preconditions() {
        StoredValue current = new StoredValue(new byte[0], Replies.TEXT_PLAIN, 42);
        String tag = current.etag();
        assertEquals("\"16\"", tag);
        assertTrue(conditions(null, null).isNone());
        assertTrue(conditions(null, " * ").createOnly());
        assertFalse(conditions(null, "*").allowsWrite(current));
        assertTrue(conditions(null, "*").allowsWrite(null));
        assertTrue(conditions(tag, null).allowsWrite(current));
        assertTrue(conditions("\"a\",  " + tag + " ,\"b\"", null).allowsWrite(current));
        assertFalse(conditions("W/" + tag, null).allowsWrite(current));
        assertFalse(conditions(tag, null).allowsWrite(null));
        assertFalse(conditions("\"16", null).allowsWrite(current));
        assertTrue(conditions("*", null).allowsWrite(current));
        assertFalse(conditions("*", null).allowsWrite(null));
        assertFalse(conditions(null, tag).allowsWrite(current));
        assertTrue(conditions(null, "\"x\"").allowsWrite(current));
        assertTrue(conditions(null, "W/" + tag).notModified(current));
        assertFalse(conditions(null, "\"x\"").notModified(current));
        assertTrue(conditions("\"x\"", null).readFails(current));
        assertFalse(conditions(tag, null).readFails(current));
    }

    @Test
    void storedValuesAreEqualExactlyWhenTheyAreTheSameWrite() {
        StoredValue a = new StoredValue("x".getBytes(StandardCharsets.UTF_8), Replies.TEXT_PLAIN, 1);
        StoredValue sameWrite = new StoredValue(new byte[0], Replies.JSON, 1);
        StoredValue sameBytes = new StoredValue("x".getBytes(StandardCharsets.UTF_8), Replies.TEXT_PLAIN, 2);
        assertEquals(a, sameWrite);
        assertEquals(a.hashCode(), sameWrite.hashCode());
        assertFalse(a.equals(sameBytes));
    }
}
