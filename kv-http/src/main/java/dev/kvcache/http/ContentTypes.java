package dev.kvcache.http;

import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;

/**
 * The {@code Content-Type} fields that stored values answer reads with, shared: a value keeps a field
 * for as long as it lives, and most values of a server carry one of a few types, so each distinct type
 * is one pre-encoded field for every value that has it rather than the writing request's own field
 * (three objects, kept per entry). Up to {@value #MAX_SHARED} types are shared; past that, a value
 * keeps a field of its own, so that clients inventing types cannot grow the table without bound.
 */
final class ContentTypes {
    static final int MAX_SHARED = 256;

    private static final ConcurrentHashMap<String, HttpField> SHARED = new ConcurrentHashMap<>();

    static {
        SHARED.put(StoredValue.TEXT_PLAIN.getValue(), StoredValue.TEXT_PLAIN);
    }

    private ContentTypes() {}

    /**
     * @return the shared field of a request's {@code Content-Type}, or {@link StoredValue#TEXT_PLAIN} if none or
     *     blank (an empty field names no media type, and would be answered as an empty {@code Content-Type})
     */
    static HttpField of(HttpField requestField) {
        return requestField == null ? StoredValue.TEXT_PLAIN : field(requestField.getValue());
    }

    /**
     * @return the shared field of {@code type} ({@link StoredValue#TEXT_PLAIN} if blank), or a field of its own
     *     once {@value #MAX_SHARED} types are shared
     */
    static HttpField field(String type) {
        if (type == null || type.isBlank()) {
            return StoredValue.TEXT_PLAIN;
        }
        HttpField shared = SHARED.get(type);
        if (shared != null) {
            return shared;
        }
        if (SHARED.size() >= MAX_SHARED) {
            return new HttpField(HttpHeader.CONTENT_TYPE, type);
        }
        // Racing writers may both build one; the map keeps the first.
        HttpField field = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, type);
        HttpField previous = SHARED.putIfAbsent(type, field);
        return previous == null ? field : previous;
    }
}
