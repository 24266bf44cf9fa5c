package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The exit status a service manager sees: 0 after a clean stop on SIGTERM or SIGINT (not 143 or 130),
 * 3 when the shutdown timeout cut a request off. Runs the shaded jar in its own JVM.
 */
class ExitStatusIT {
    private record Server(Process process, Path log, int port) {}

    private static Server start(String... flags) throws Exception {
        Path jar = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: run mvn package first");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", jar.toString(), "--port", "0", "--warm-up", "0")); // the stop is under test, not the start
        command.addAll(List.of(flags));
        Path log = Files.createTempFile("kvcache-server", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Server(process, log, ServerLog.awaitPort(process, log, Duration.ofSeconds(30)));
    }

    private static int exitStatus(Server server) throws Exception {
        try {
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS), "still running: " + Files.readString(server.log()));
            return server.process().exitValue();
        } finally {
            server.process().destroyForcibly();
        }
    }

    @Test
    void aCleanStopOnSigtermExitsWith0() throws Exception {
        Server server = start();
        try {
            server.process().destroy(); // SIGTERM
            assertEquals(0, exitStatus(server), Files.readString(server.log()));
            assertTrue(Files.readString(server.log()).contains("every request in flight completed"));
        } finally {
            Files.deleteIfExists(server.log());
        }
    }

    @Test
    void aCleanStopOnSigintExitsWith0() throws Exception {
        // A process started with SIGINT ignored (a background job of a shell without job control, nohup)
        // passes that on to the server, and the JVM keeps it ignored: no stop to test then.
        Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored in this process tree (a background job?)");
        Server server = start();
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(server.process().pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertEquals(0, exitStatus(server), Files.readString(server.log()));
        } finally {
            Files.deleteIfExists(server.log());
        }
    }

    @Test
    void aStopSignalDuringTheStartStillStopsCleanly() throws Exception {
        // The hook used to be registered after the start: a SIGTERM during it, or just after the
        // "Listening" line, exited 143 with no graceful stop (and no final snapshot).
        Path jar = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
        Path log = Files.createTempFile("kvcache-server", ".log");
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar.toString(), "--port", "0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains("Starting server on")) {
                assertTrue(process.isAlive() && System.nanoTime() < deadline, "never started: " + Files.readString(log));
                Thread.sleep(5);
            }
            process.destroy(); // SIGTERM, while the server starts (its listener opens about a second later)
            assertEquals(0, exitStatus(new Server(process, log, 0)), Files.readString(log));
            assertTrue(Files.readString(log).contains("Shutting down"), Files.readString(log));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    @Test
    void aSigtermDuringALongWarmUpStopsAtOnceWithoutOpeningThePort() throws Exception {
        // The hook used to wait for the whole warm-up (up to 10 s), then let the start open the listener,
        // and only then stop: a service manager's stop took the warm-up's time, and clients were accepted.
        Path jar = Path.of(System.getProperty("kvcache.serverJar", "target/kvcache-server.jar"));
        Path log = Files.createTempFile("kvcache-server", ".log");
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar.toString(), "--port", "0", "--warm-up", "10s").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains("Starting server on")) {
                assertTrue(process.isAlive() && System.nanoTime() < deadline, "never started: " + Files.readString(log));
                Thread.sleep(5);
            }
            // Now in the warm-up, or about to begin it (the hook then skips it): the same stop either way.
            long stopNanos = System.nanoTime();
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(5, TimeUnit.SECONDS), "still running 5 s after SIGTERM: " + Files.readString(log));
            assertEquals(0, process.exitValue(), Files.readString(log));
            String text = Files.readString(log);
            assertTrue(text.contains("Stop requested during the start: not opening the listener"), text);
            assertTrue(text.contains("Shutting down"), text);
            assertTrue(!text.contains("Listening on"), "the listener opened after SIGTERM: " + text);
            assertTrue(System.nanoTime() - stopNanos < TimeUnit.SECONDS.toNanos(5));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /** Whether this JVM, and so the server it starts, has SIGINT (signal 2) ignored; false where /proc is absent. */
    private static boolean sigintIgnored() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (2 - 1))) != 0;
            }
        }
        return false;
    }

    @Test
    void aStopThatHitsTheShutdownTimeoutExitsWith3() throws Exception {
        Server server = start("--shutdown-timeout", "300ms");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            // A write whose body never completes stays in flight until the timeout closes its connection.
            OutputStream out = socket.getOutputStream();
            out.write(("POST /stuck HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\npartial")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // The /metrics request counts itself: 2 means the stuck write is in flight too.
            while (!client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("\nin_flight_requests 2\n")) {
                assertTrue(System.nanoTime() < deadline, "the stuck write never showed in flight");
                Thread.sleep(20);
            }
            server.process().destroy(); // SIGTERM
            assertEquals(3, exitStatus(server), Files.readString(server.log()));
            assertTrue(Files.readString(server.log()).contains("expired with requests in flight"),
                    Files.readString(server.log()));
        } finally {
            Files.deleteIfExists(server.log());
        }
    }
}
