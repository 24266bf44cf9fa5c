package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The port a server jar started with {@code --port 0} listens on, read from the log it writes. */
public final class ServerLog {
    private static final Pattern LISTENING = Pattern.compile("Listening on http://127.0.0.1:(\\d+)");

    private ServerLog() {}

    /**
     * Waits until {@code log} names the port, failing if the process exits first or {@code limit} passes.
     *
     * @return the port
     */
    public static int awaitPort(Process process, Path log, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        for (;;) {
            Matcher matcher = LISTENING.matcher(Files.readString(log));
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            assertTrue(process.isAlive(), "exited: " + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "not started in " + limit.toSeconds() + " s: " + Files.readString(log));
            Thread.sleep(20);
        }
    }
}
