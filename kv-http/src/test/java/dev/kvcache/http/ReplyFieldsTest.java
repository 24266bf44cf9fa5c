package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.eclipse.jetty.http.HttpField;
import org.junit.jupiter.api.Test;

/** The response fields that replies share instead of building one per response. */
class ReplyFieldsTest {
    @Test
    void ttlRemainingFieldsCarryTheirValueAndAreShared() {
        long[] millis = {0, 1, 999, 9_999, 16_383, 16_384, 16_385, 3_600_000, Long.MAX_VALUE / 1_000_000};
        for (long value : millis) {
            HttpField field = Replies.ttlRemaining(value);
            assertEquals(Replies.TTL_REMAINING_HEADER, field.getName());
            assertEquals(Long.toString(value), field.getValue(), "millis " + value);
            assertSame(field, Replies.ttlRemaining(value), "built once for " + value);
        }
    }

    @Test
    void ttlRemainingValuesThatShareASlotStayExact() {
        // 5 and 5 + 16384 map to one slot: each must get its own value back, whichever was built last.
        for (int round = 0; round < 3; round++) {
            assertEquals("5", Replies.ttlRemaining(5).getValue());
            assertEquals("16389", Replies.ttlRemaining(5 + 16_384).getValue());
        }
    }

    @Test
    void etagsOfDifferentLengthsOnOneThreadDoNotMix() {
        long[] versions = {Long.MAX_VALUE, 0, System.currentTimeMillis() << 16, 35, 1296, Long.MAX_VALUE, 1};
        for (long version : versions) {
            assertEquals('"' + Long.toString(version, 36) + '"',
                    StoredValue.restored(new byte[0], "text/plain", version).etag(), "version " + version);
        }
    }
}
