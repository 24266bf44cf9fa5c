package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Pins, byte for byte, what the configuration shows a user: {@code --help} at 80 and 120 columns, and the
 * message of every rule {@code ServerConfig} checks after parsing (from a flag and from a variable). The
 * expected texts were recorded before ServerConfig's rules moved into their own class; a change to any of
 * them is a change to what users read, to be made in the resource files on purpose.
 */
class ConfigOutputPinTest {
    /** Each case: the arguments, then optionally "KV_NAME=value" entries of the environment after a "--env". */
    static final List<List<String>> REFUSED = List.of(
            List.of("--threads", "7"),
            List.of("--env", "KV_THREADS=7"),
            List.of("--selectors", "65"),
            List.of("--acceptors", "0"),
            List.of("--accept-queue", "0"),
            List.of("--pipeline-batch", "2MiB"),
            List.of("--max-connections", "0"),
            List.of("--max-key-bytes", "0"),
            List.of("--max-value-bytes", "2GiB"),
            List.of("--max-header-bytes", "512"),
            List.of("--miss-status", "500"),
            List.of("--max-list-limit", "0"),
            List.of("--max-list-cursors", "0"),
            List.of("--max-watchers", "0"),
            List.of("--batch-max-items", "0"),
            List.of("--batch-max-bytes", "10"),
            List.of("--max-entries", "0"),
            List.of("--warm-up", "11s"),
            List.of("--max-bytes", "10", "--max-entries", "100"),
            List.of("--auth-token", "abc", "--auth-token-file", "x"),
            List.of("--tls-keystore", "k", "--tls-password", "a", "--tls-password-file", "x"),
            List.of("--auth-token", "a b"),
            List.of("--host", "no-such-host.invalid"),
            List.of("--tls-password", "x"),
            List.of("--tls-password-file", "x"),
            List.of("--snapshot-interval", "1s"),
            List.of("--snapshot-ignore-corrupt"),
            List.of("--snapshot", "/"),
            List.of("--env", "KV_SNAPSHOT_INTERVAL=5s"));

    static String help(int columns) {
        StringWriter out = new StringWriter();
        assertEquals(0, ServerMain.run(new String[] {"--help"}, Map.of("COLUMNS", Integer.toString(columns)),
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true)));
        return out.toString();
    }

    static String refusals() {
        StringBuilder text = new StringBuilder();
        for (List<String> refused : REFUSED) {
            int split = refused.indexOf("--env");
            List<String> args = split < 0 ? refused : refused.subList(0, split);
            Map<String, String> env = new java.util.TreeMap<>();
            if (split >= 0) {
                for (String entry : refused.subList(split + 1, refused.size())) {
                    env.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
                }
            }
            String message;
            try {
                ServerConfig.parse(args.toArray(String[]::new), env);
                message = "(accepted)";
            } catch (CommandLine.ParameterException e) {
                message = e.getMessage();
            }
            text.append(String.join(" ", refused)).append("\n  ").append(message).append('\n');
        }
        return text.toString();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ConfigOutputPinTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theHelpIsAsRecorded() throws IOException {
        assertEquals(resource("help-80.txt"), help(80));
        assertEquals(resource("help-120.txt"), help(120));
    }

    @Test
    void everyRuleSaysWhatItSaid() throws IOException {
        assertEquals(resource("refusals.txt"), refusals());
    }
}
