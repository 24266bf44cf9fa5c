package dev.kvcache.http.server;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Renders {@code --help}: the flags in sections (network, cache and limits, security, persistence,
 * logging, configuration), each flag on its own line with its description below, wrapped at word
 * boundaries, so that no value such as {@code HTTP/1.1} is split; then the routes and the exit
 * statuses, so that a user of the jar needs no other document to start.
 */
final class HelpText {
    /** The width when the terminal's is unknown. */
    static final int DEFAULT_WIDTH = 80;
    private static final int INDENT = 8;

    /** Sections in order, with their flags in order; a flag not listed here shows under "Other". */
    private static final Map<String, List<String>> SECTIONS = new LinkedHashMap<>();

    static {
        SECTIONS.put("Network", List.of("--port", "--host", "--threads", "--idle-timeout", "--max-connections",
                "--accept-queue", "--acceptors", "--selectors", "--pipeline-batch", "--shutdown-timeout", "--shutdown-delay", "--warm-up"));
        SECTIONS.put("Cache and limits", List.of("--ttl", "--max-entries", "--max-bytes", "--max-key-bytes",
                "--max-value-bytes", "--max-header-bytes", "--miss-status"));
        SECTIONS.put("Operations", List.of("--max-list-limit", "--max-list-cursors", "--list-cursor-idle",
                "--allow-flush", "--max-watchers", "--watch-max-wait", "--batch-max-items", "--batch-max-bytes"));
        SECTIONS.put("Security", List.of("--auth-token", "--auth-token-file", "--protect-metrics", "--insecure",
                "--tls-keystore", "--tls-password", "--tls-password-file"));
        SECTIONS.put("Persistence", List.of("--snapshot", "--snapshot-interval", "--snapshot-ignore-corrupt"));
        SECTIONS.put("Logging", List.of("--access-log"));
        SECTIONS.put("Configuration", List.of("--config", "--print-config", "--help", "--version"));
    }

    private static final String[] ROUTES = {
        "POST /{key}: store the body as the value; 200 and the value echoed, as the Go server.",
        "GET /{key}: the value; 404 if absent or expired (200 and an empty body with --miss-status 200). Also PUT, DELETE and HEAD; /kv/{key} takes any key,"
                + " reserved names included.",
        "POST /size: the number of entries. GET /metrics: Prometheus text. GET /stats: JSON.",
        "GET /health: 200 ok, or 503 once shutting down; it never needs the token.",
        "A write's own time-to-live: ?ttl=10s or the header Kv-Ttl: 10s; ?ttl=never for no expiry.",
        "GET /kv/?prefix=P&limit=N&cursor=C: the keys, a page at a time (JSON). DELETE /kv/?prefix=P or ?all:"
                + " flush (needs the token or --allow-flush).",
        "POST /kv/{key}?touch[&ttl=D]: a new TTL, value unchanged. POST /kv/{key}?incr=N[&initial=V]"
                + " (or decr=N): atomic counter.",
        "POST /kv/ with {\"ops\":[{\"op\":\"get\",\"key\":\"k\"},...]}: a batch of gets, puts and deletes (JSON).",
        "GET /kv/{key}?index=V&wait=D: wait until the key's index (X-Kv-Index) is not V, or D passes."};

    private static final String[] EXIT_STATUSES = {
        "0: stopped cleanly, also after SIGTERM or SIGINT; or --help, --version, --print-config.",
        "1: could not start with this configuration: port in use, keystore unreadable, snapshot corrupt or in use by another server.",
        "2: invalid configuration: a flag, variable or config-file line (the message names it).",
        "3: stopped, but --shutdown-timeout cut requests in flight off.",
        "4: stopped, but the final snapshot could not be written (the previous one is intact)."};

    private HelpText() {}

    /**
     * @return the width to wrap at: {@code COLUMNS} when the shell exports a number, brought within 60 to 200
     *     (narrower, the flag descriptions would be a word a line), else 80
     */
    static int width(Map<String, String> env) {
        try {
            int columns = Integer.parseInt(env.getOrDefault("COLUMNS", "").trim());
            return Math.max(60, Math.min(200, columns));
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }

    static void print(int width, PrintWriter out) {
        out.print(render(width));
        out.flush();
    }

    /**
     * @return the help, every line at most {@code width} characters unless one word is longer; the
     *     defaults shown are the built-in ones, whatever the environment says
     */
    static String render(int width) {
        CommandSpec spec = new CommandLine(new ServerConfig()).getCommandSpec();
        StringBuilder text = new StringBuilder();
        text.append("Usage: java -jar kvcache-server.jar [FLAGS]\n\n");
        for (String paragraph : spec.usageMessage().description()) {
            wrap(text, paragraph, 0, 0, width);
        }
        Map<String, List<OptionSpec>> sections = new LinkedHashMap<>();
        List<OptionSpec> other = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            String section = SECTIONS.entrySet().stream().filter(e -> e.getValue().contains(option.longestName()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            if (section == null) {
                other.add(option);
            } else {
                sections.computeIfAbsent(section, key -> new ArrayList<>()).add(option);
            }
        }
        for (Map.Entry<String, List<String>> section : SECTIONS.entrySet()) {
            List<OptionSpec> options = new ArrayList<>(sections.getOrDefault(section.getKey(), List.of()));
            options.sort((a, b) -> Integer.compare(section.getValue().indexOf(a.longestName()),
                    section.getValue().indexOf(b.longestName())));
            section(text, section.getKey(), options, width);
        }
        section(text, "Other", other, width);
        text.append("\nRoutes:\n");
        for (String route : ROUTES) {
            wrap(text, route, 2, 4, width);
        }
        text.append("\nExit status:\n");
        for (String status : EXIT_STATUSES) {
            wrap(text, status, 2, 5, width);
        }
        return text.toString();
    }

    private static void section(StringBuilder text, String heading, List<OptionSpec> options, int width) {
        if (options.isEmpty()) {
            return;
        }
        text.append('\n').append(heading).append(":\n");
        for (OptionSpec option : options) {
            text.append("  ").append(synopsis(option)).append('\n');
            wrap(text, String.join(" ", option.description()), INDENT, INDENT, width);
        }
    }

    /** @return {@code -p, --port=PORT}, {@code --[no-]access-log} or {@code --insecure} */
    static String synopsis(OptionSpec option) {
        List<String> names = new ArrayList<>();
        for (String name : option.names()) {
            names.add(option.negatable() && name.startsWith("--") ? "--[no-]" + name.substring(2) : name);
        }
        String synopsis = String.join(", ", names);
        return option.typeInfo().isBoolean() ? synopsis : synopsis + "=" + option.paramLabel();
    }

    /**
     * Appends {@code paragraph} wrapped at spaces, its first line indented by {@code indent} and the
     * others by {@code hanging}; a word longer than a line stays whole.
     */
    private static void wrap(StringBuilder text, String paragraph, int indent, int hanging, int width) {
        int lineLength = 0;
        for (String word : paragraph.trim().split("\\s+")) {
            if (lineLength > 0 && lineLength + 1 + word.length() > width) {
                text.append('\n');
                lineLength = 0;
                indent = hanging;
            }
            if (lineLength == 0) {
                text.append(" ".repeat(indent)).append(word);
                lineLength = indent + word.length();
            } else {
                text.append(' ').append(word);
                lineLength += 1 + word.length();
            }
        }
        text.append('\n');
    }
}
