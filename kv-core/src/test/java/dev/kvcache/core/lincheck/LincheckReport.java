package dev.kvcache.core.lincheck;

import java.util.ArrayList;
import java.util.List;

/**
 * The events of the interleaving a Lincheck model-checking failure prints, in execution order, so
 * that a test can assert which interleaving was found. Tied to Lincheck 3.7's report layout: one
 * table row per event, one column per thread, between "The following interleaving leads to the
 * error:" and the detailed trace.
 */
final class LincheckReport {
    private static final String INTERLEAVING = "The following interleaving leads to the error:";

    /** One line of the interleaving: the thread (0-based) and its text, trimmed. */
    record Event(int thread, String text) {}

    private LincheckReport() {}

    static List<Event> interleaving(String report) {
        int start = report.indexOf(INTERLEAVING);
        if (start < 0) {
            throw new IllegalArgumentException("no interleaving in the report:\n" + report);
        }
        int end = report.indexOf("Detailed trace:", start);
        String table = report.substring(start + INTERLEAVING.length(), end < 0 ? report.length() : end);
        List<Event> events = new ArrayList<>();
        for (String line : table.split("\n")) {
            if (!line.startsWith("|") || line.startsWith("| -")) {
                continue;
            }
            String[] columns = line.split("\\|", -1); // "", thread 1, thread 2, ..., ""
            for (int thread = 0; thread < columns.length - 2; thread++) {
                String text = columns[thread + 1].trim();
                if (!text.isEmpty() && !text.startsWith("Thread ")) {
                    events.add(new Event(thread, text));
                }
            }
        }
        return events;
    }

    /**
     * The position of the first event of {@code thread} at or after {@code from} whose text starts
     * with {@code prefix}, or -1.
     */
    static int find(List<Event> events, int from, int thread, String prefix) {
        for (int i = Math.max(from, 0); i < events.size(); i++) {
            Event e = events.get(i);
            if (e.thread() == thread && e.text().startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
