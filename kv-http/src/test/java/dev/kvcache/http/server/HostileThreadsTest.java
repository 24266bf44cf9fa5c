package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvcache.core.testing.FakeTicker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Hostile review of {@code --threads} ([8, 10000], ServerConfig) against Jetty's own need: the pool must
 * hold the acceptors, the selectors (by default half the processors) and the reserved threads before
 * any request runs, or {@code Server.start} fails with Jetty's "Insufficient configured threads". A
 * value the flag accepts must either start or be refused with a sentence naming the flag.
 */
class HostileThreadsTest {

    /** The smallest accepted pool with the largest accepted selectors: 8 threads cannot hold 1 + 8 + a reserve. */
    @Test
    void anAcceptedThreadCountEitherStartsOrIsRefusedNamingTheFlag() throws Exception {
        String[] args = {"--port", "0", "--threads", "8", "--selectors", "8", "--acceptors", "4"};
        ServerConfig config;
        try {
            config = ServerConfig.parse(args, Map.of());
        } catch (CommandLine.ParameterException refused) {
            assertTrue(refused.getMessage().contains("--threads"), refused.getMessage());
            return;
        }
        try (KvServer server = KvServer.start(config, new FakeTicker())) {
            assertTrue(server.port() > 0);
        } catch (IllegalStateException e) {
            fail("--threads 8 --selectors 8 --acceptors 4 passed validation but the server cannot start: " + e.getMessage());
        }
    }

    /**
     * The README's command, with every default, on a machine of 64 processors (simulated with
     * -XX:ActiveProcessorCount): the default 32 threads are fewer than the 1 acceptor + 32 selectors +
     * reserve that Jetty derives, so the server exits "Cannot start" where it should listen. Runs the
     * server in a child JVM on an ephemeral port of 127.0.0.1; bounded at 30 s; the child is destroyed.
     */
    @Test
    void theDefaultsStartOnAMachineWith64Processors() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-XX:ActiveProcessorCount=64", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ServerMain.class.getName(), "--port", "0"))
                .redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        boolean listening = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String line;
            while (System.nanoTime() < deadline && (line = lines.readLine()) != null) {
                output.append(line).append('\n');
                if (line.contains("Listening on")) {
                    listening = true;
                    break;
                }
                if (line.contains("Cannot start")) {
                    break;
                }
            }
        } finally {
            child.destroy();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        assertTrue(listening, "the server with its default --threads did not start on 64 processors:\n" + output);
    }
}
