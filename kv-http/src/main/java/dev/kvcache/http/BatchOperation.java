package dev.kvcache.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kvcache.core.CacheEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /kv/}: many gets, puts and deletes in one request, JSON in and out:
 * <pre>{@code {"ops":[{"op":"get","key":"a"},
 *        {"op":"put","key":"b","value":"text","ttl":"10s","contentType":"application/json"},
 *        {"op":"put","key":"c","valueBase64":"AAE="},
 *        {"op":"delete","key":"d"}]}}</pre>
 * answered {@code {"results":[...]}}, one result per item in order, each with the status the single
 * request would have had: get 200 with {@code value} (or {@code valueBase64} when it is not UTF-8),
 * {@code contentType}, {@code etag}, {@code index} and {@code ttlMs} (absent for never), or 404; put 204
 * with {@code etag}; delete 204 or 404; an item's own error (400 invalid item or TTL, 413 value over the
 * limit, 414 key over the limit) with {@code error}. A field an item's op does not take is that item's 400
 * (get and delete take {@code op} and {@code key}; put also {@code value}, {@code valueBase64},
 * {@code contentType}, {@code ttl}), and a body field beside {@code ops} the request's.
 *
 * <p>Each item is atomic (one kv-core operation, as the single request); the batch as a whole is not:
 * other requests may see some items applied and not others, and items apply in order. Bounds: at most
 * {@link KvHandlerOptions#batchMaxItems()} items and {@link KvHandlerOptions#batchMaxBytes()} of body
 * (413 for the whole request otherwise); a get whose value would take the answer's value bytes past
 * {@code batchMaxBytes} gets 413 on its own. Statuses of the request: 200; 400 for a body that is not
 * such JSON; 413 as said.
 */
final class BatchOperation {
    /**
     * Strict: a body with content after the object, or a field name given twice (which of two "ops" or two
     * "key"s would apply?), is not a batch, rather than being applied in part or by a guess.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final String[] BODY_FIELDS = {"ops"};
    private static final String[] KEY_FIELDS = {"op", "key"};
    private static final String[] PUT_FIELDS = {"op", "key", "value", "valueBase64", "contentType", "ttl"};

    private final KeyStore store;
    private final Operations operations;
    private final int maxKeyBytes;
    private final int maxItems;
    private final int maxBytes;

    BatchOperation(KeyStore store, KvHandlerOptions options, Operations operations) {
        this.store = store;
        this.operations = operations;
        this.maxKeyBytes = options.maxKeyBytes();
        this.maxItems = options.batchMaxItems();
        this.maxBytes = options.batchMaxBytes();
    }

    void serve(Request request, Response response, Callback callback) {
        long length = request.getLength();
        if (length > maxBytes) {
            Replies.closeIfBodyUnread(request, response);
            tooLarge(response, callback);
            return;
        }
        new BodyReader(request, length, maxBytes) {
            @Override
            void onBody(byte[] body) {
                answer(response, callback, body);
            }

            @Override
            void onTooLarge() {
                Replies.closeIfBodyUnread(request(), response);
                tooLarge(response, callback);
            }

            @Override
            void onFailure(Throwable failure) {
                Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.BODY_UNREADABLE);
            }

            @Override
            void onOutOfMemory(OutOfMemoryError error) {
                Replies.closeIfBodyUnread(request(), response);
                Replies.text(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, Replies.OUT_OF_MEMORY);
            }
        }.run();
    }

    private void tooLarge(Response response, Callback callback) {
        Replies.text(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, Replies.message("Batch too large: the"
                + " limit is " + maxBytes + " bytes of body (--batch-max-bytes)"));
    }

    private void answer(Response response, Callback callback, byte[] body) {
        JsonNode ops;
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
            ops = root == null ? null : root.get("ops");
        } catch (JsonProcessingException e) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message("A batch must be JSON"
                    + " {\"ops\":[...]}: the body is not JSON (" + e.getOriginalMessage() + ")"));
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading an array cannot fail otherwise
        }
        String extra = root == null ? null : unknownField(root, BODY_FIELDS);
        if (extra != null) {
            // {"atomic":true,...} or {"ifMatch":...} would otherwise be ignored without a word.
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message("A batch must be JSON"
                    + " {\"ops\":[...]} and nothing else: unknown field '" + extra + "'"));
            return;
        }
        if (ops == null || !ops.isArray()) {
            Replies.text(response, callback, HttpStatus.BAD_REQUEST_400, Replies.message("A batch must be JSON"
                    + " {\"ops\":[...]}: an object whose \"ops\" is an array of items"));
            return;
        }
        if (ops.size() > maxItems) {
            Replies.text(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, Replies.message("Batch too large: "
                    + ops.size() + " items, the limit is " + maxItems + " (--batch-max-items)"));
            return;
        }
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        long[] valueBytes = {0};
        for (JsonNode op : ops) {
            results.add(apply(op, valueBytes));
        }
        operations.batched(ops.size());
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        Replies.bytes(response, callback, HttpStatus.OK_200, Replies.JSON, json, true);
    }

    private ObjectNode apply(JsonNode op, long[] valueBytes) {
        ObjectNode result = MAPPER.createObjectNode();
        String kind = op.path("op").asText(null);
        JsonNode keyNode = op.get("key");
        if (!op.isObject() || kind == null || keyNode == null || !keyNode.isTextual() || keyNode.asText().isEmpty()) {
            return error(result, HttpStatus.BAD_REQUEST_400, "An item must be an object with \"op\" (get, put or"
                    + " delete) and a non-empty string \"key\"");
        }
        String key = keyNode.asText();
        if (hasLoneSurrogate(key)) {
            // A JSON escape can name half a surrogate pair, which has no UTF-8 form: a snapshot
            // would write it as '?', and the restart would rename the key (over another's value).
            return error(result, HttpStatus.BAD_REQUEST_400, "The key is not valid Unicode (it holds a lone"
                    + " surrogate such as \\ud800), so it has no UTF-8 form");
        }
        if (KeyParser.utf8Length(key) > maxKeyBytes) {
            return error(result, HttpStatus.URI_TOO_LONG_414, "Key too long: the limit is " + maxKeyBytes + " bytes");
        }
        String[] fields = "put".equals(kind) ? PUT_FIELDS : KEY_FIELDS;
        String extra = unknownField(op, fields);
        if (extra != null && ("put".equals(kind) || "get".equals(kind) || "delete".equals(kind))) {
            // A field the docs do not name ("ifMatch", a misspelt "tll") would otherwise be ignored without a
            // word: a compare-and-set would become a plain write, a TTL the default.
            return error(result, HttpStatus.BAD_REQUEST_400, "Unknown field '" + extra + "' in a " + kind
                    + " item: " + ("put".equals(kind) ? "a put takes op, key, value or valueBase64, contentType"
                    + " and ttl" : "a " + kind + " takes op and key"));
        }
        switch (kind) {
            case "get":
                return get(result, key, valueBytes);
            case "put":
                return put(result, op, key);
            case "delete":
                return result.put("status", store.delete(key, Conditions.NONE) == KeyStore.DeleteOutcome.DELETED
                        ? HttpStatus.NO_CONTENT_204 : HttpStatus.NOT_FOUND_404);
            default:
                return error(result, HttpStatus.BAD_REQUEST_400, "Unknown op '" + kind + "': use get, put or delete");
        }
    }

    private ObjectNode get(ObjectNode result, String key, long[] valueBytes) {
        CacheEntry<String, StoredValue> entry = store.read(key);
        if (entry == null) {
            return result.put("status", HttpStatus.NOT_FOUND_404);
        }
        StoredValue value = entry.getValue();
        if (valueBytes[0] + value.bytes().length > maxBytes) {
            return error(result, HttpStatus.PAYLOAD_TOO_LARGE_413, "This value would take the batch's answer past"
                    + " " + maxBytes + " value bytes (--batch-max-bytes); get it on its own");
        }
        valueBytes[0] += value.bytes().length;
        result.put("status", HttpStatus.OK_200);
        String text = utf8(value.bytes());
        if (text != null) {
            result.put("value", text);
        } else {
            result.put("valueBase64", Base64.getEncoder().encodeToString(value.bytes()));
        }
        result.put("contentType", value.mediaType());
        result.put("etag", value.etag());
        result.put("index", value.version());
        if (entry.expires()) {
            result.put("ttlMs", TimeUnit.NANOSECONDS.toMillis(entry.expiresInNanos()));
        }
        return result;
    }

    private ObjectNode put(ObjectNode result, JsonNode op, String key) {
        JsonNode text = op.get("value");
        JsonNode base64 = op.get("valueBase64");
        if ((text == null) == (base64 == null) || text != null && !text.isTextual() || base64 != null && !base64.isTextual()) {
            return error(result, HttpStatus.BAD_REQUEST_400, "A put needs a string \"value\" (stored as UTF-8) or"
                    + " \"valueBase64\", not both");
        }
        if (text != null && hasLoneSurrogate(text.asText())) {
            return error(result, HttpStatus.BAD_REQUEST_400, "The value is not valid Unicode (it holds a lone"
                    + " surrogate such as \\ud800), so it cannot be stored as UTF-8; send its bytes as valueBase64");
        }
        byte[] bytes;
        try {
            bytes = text != null ? text.asText().getBytes(StandardCharsets.UTF_8) : Base64.getDecoder().decode(base64.asText());
        } catch (IllegalArgumentException e) {
            return error(result, HttpStatus.BAD_REQUEST_400, "valueBase64 is not base64: " + e.getMessage());
        }
        if (bytes.length > store.maxValueBytes(key)) {
            return error(result, HttpStatus.PAYLOAD_TOO_LARGE_413, store.tooLarge(key));
        }
        Duration ttl;
        try {
            JsonNode ttlNode = op.get("ttl");
            ttl = ttlNode == null ? null : RequestTtl.parse(ttlNode.asText());
        } catch (IllegalArgumentException e) {
            return error(result, HttpStatus.BAD_REQUEST_400, e.getMessage());
        }
        JsonNode type = op.get("contentType");
        if (type != null && !type.isTextual()) {
            // asText() would store null or 5 as the type "null" or "5".
            return error(result, HttpStatus.BAD_REQUEST_400, "contentType must be a string");
        }
        if (type != null && !isFieldValue(type.asText())) {
            // Over HTTP/1.1 Jetty would blank a CR or LF out; over HTTP/2 the field went out as it was
            // and clients refused the whole response, so the key could no longer be read there.
            return error(result, HttpStatus.BAD_REQUEST_400, "contentType must be a header value: no control"
                    + " characters (CR, LF, NUL, ...)");
        }
        HttpField contentType = type == null ? StoredValue.TEXT_PLAIN : new HttpField(HttpHeader.CONTENT_TYPE, type.asText());
        StoredValue value = store.newValue(bytes, contentType);
        store.write(key, value, ttl, Conditions.NONE);
        return result.put("status", HttpStatus.NO_CONTENT_204).put("etag", value.etag());
    }

    /** @return the first field name of {@code object} not in {@code allowed}, or {@code null} (also for a non-object) */
    private static String unknownField(JsonNode object, String[] allowed) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!Arrays.asList(allowed).contains(name)) {
                return name;
            }
        }
        return null;
    }

    private static boolean hasLoneSurrogate(String text) {
        for (int i = 0, length = text.length(); i < length; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code text} holds none of the control characters RFC 9110 5.5 keeps out of a field value. */
    private static boolean isFieldValue(String text) {
        for (int i = 0, length = text.length(); i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static ObjectNode error(ObjectNode result, int status, String message) {
        return result.put("status", status).put("error", message);
    }

    /** @return the bytes as a string if they are valid UTF-8, else {@code null} */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
