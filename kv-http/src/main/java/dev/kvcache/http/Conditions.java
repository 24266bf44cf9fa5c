package dev.kvcache.http;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The preconditions of one request ({@code If-Match}, {@code If-None-Match}, RFC 9110 section 13) and
 * how they judge the value currently stored.
 *
 * <ul>
 *   <li>On writes and deletes: {@code If-None-Match: *} means create only; {@code If-Match: <etag>}
 *       means compare-and-set against that version; {@code If-Match: *} means "only if present".
 *       A failed precondition is answered 412. {@code If-Match} compares entity tags strongly ({@code W/}
 *       tags never match), {@code If-None-Match} weakly, for every method (RFC 9110 13.1.1, 13.1.2).
 *   <li>On reads: {@code If-None-Match} matching the current tag (weakly) is answered 304;
 *       {@code If-Match} not matching it is answered 412.
 * </ul>
 * Immutable. A request without either header gets the shared {@link #NONE} (no allocation).
 */
final class Conditions {
    static final Conditions NONE = new Conditions(null, null);

    private final String ifMatch;
    private final String ifNoneMatch;

    private Conditions(String ifMatch, String ifNoneMatch) {
        this.ifMatch = ifMatch;
        this.ifNoneMatch = ifNoneMatch;
    }

    static Conditions of(HttpFields headers) {
        // Each is a list that a client or proxy may split over several field lines (RFC 9110 5.3):
        // those lines are one comma-separated list. Indexed access: no iterator on the read path.
        String ifMatch = null;
        String ifNoneMatch = null;
        for (int i = 0, size = headers.size(); i < size; i++) {
            HttpField field = headers.getField(i);
            HttpHeader header = field.getHeader();
            if (header == HttpHeader.IF_MATCH) {
                ifMatch = join(ifMatch, field.getValue());
            } else if (header == HttpHeader.IF_NONE_MATCH) {
                ifNoneMatch = join(ifNoneMatch, field.getValue());
            }
        }
        if (ifMatch == null && ifNoneMatch == null) {
            return NONE;
        }
        return new Conditions(ifMatch, ifNoneMatch);
    }

    private static String join(String list, String value) {
        return list == null ? value : list + ", " + value;
    }

    boolean isNone() {
        return this == NONE;
    }

    /** @return whether the request asks to write only if no live value exists ({@code If-None-Match: *}) */
    boolean createOnly() {
        return ifMatch == null && isStar(ifNoneMatch);
    }

    /**
     * Judges a write or delete against the current value.
     *
     * @param current the live value, or {@code null} if absent
     * @return whether every precondition holds
     */
    boolean allowsWrite(StoredValue current) {
        if (ifMatch != null && (current == null || !isStar(ifMatch) && !listContains(ifMatch, current.etag(), false))) {
            return false;
        }
        return ifNoneMatch == null || current == null
                || !isStar(ifNoneMatch) && !listContains(ifNoneMatch, current.etag(), true);
    }

    /**
     * @param current the live value
     * @return whether a read should be answered 304 Not Modified
     */
    boolean notModified(StoredValue current) {
        return ifNoneMatch != null && (isStar(ifNoneMatch) || listContains(ifNoneMatch, current.etag(), true));
    }

    /**
     * @param current the live value
     * @return whether a read's {@code If-Match} fails (answered 412)
     */
    boolean readFails(StoredValue current) {
        return ifMatch != null && !isStar(ifMatch) && !listContains(ifMatch, current.etag(), false);
    }

    private static boolean isStar(String header) {
        return header != null && header.trim().equals("*");
    }

    /** Whether a comma-separated list of entity tags holds {@code etag}; weak tags count only if {@code weak}. */
    private static boolean listContains(String header, String etag, boolean weak) {
        int start = 0;
        int length = header.length();
        while (start < length) {
            int comma = header.indexOf(',', start);
            int end = comma < 0 ? length : comma;
            int from = skipSpace(header, start, end);
            int to = end;
            while (to > from && header.charAt(to - 1) == ' ') {
                to--;
            }
            if (header.startsWith("W/", from)) {
                from += weak ? 2 : to - from;
            }
            if (to - from == etag.length() && header.startsWith(etag, from)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    private static int skipSpace(String text, int from, int to) {
        while (from < to && (text.charAt(from) == ' ' || text.charAt(from) == '\t')) {
            from++;
        }
        return from;
    }
}
