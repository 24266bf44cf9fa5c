package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.Test;

/** What a stored value keeps per entry, and the ETags derived from its version. */
class StoredValueTest {
    @Test
    void etagIsTheVersionInBase36Quoted() {
        long[] versions = {0, 1, 35, 36, 1295, 1296, System.currentTimeMillis() << 16, Long.MAX_VALUE, -1,
                Long.MIN_VALUE};
        for (long version : versions) {
            StoredValue value = StoredValue.restored(new byte[0], "text/plain", version);
            String expected = '"' + Long.toString(version, 36) + '"';
            assertEquals(expected, value.etag(), "version " + version);
            assertEquals(expected, value.etagField().getValue(), "field of version " + version);
            assertEquals(HttpHeader.ETAG, value.etagField().getHeader());
        }
    }

    @Test
    void valuesOfOneContentTypeShareOneField() {
        HttpField first = new HttpField(HttpHeader.CONTENT_TYPE, "application/vnd.kvcache-test+json");
        HttpField second = new HttpField(HttpHeader.CONTENT_TYPE, "application/vnd.kvcache-test+json");
        HttpField shared = ContentTypes.of(first);
        // Not the request's own field, which would otherwise live as long as the entry.
        assertNotSame(first, shared);
        assertSame(shared, ContentTypes.of(second));
        assertSame(shared.getValue(), ContentTypes.of(second).getValue());
        assertEquals("application/vnd.kvcache-test+json", shared.getValue());
        assertSame(StoredValue.TEXT_PLAIN, ContentTypes.of(null));
        assertSame(StoredValue.TEXT_PLAIN, ContentTypes.field("text/plain; charset=utf-8"));
        assertSame(ContentTypes.field("application/json"), StoredValue.of(new byte[1], "application/json").contentType());
    }
}
