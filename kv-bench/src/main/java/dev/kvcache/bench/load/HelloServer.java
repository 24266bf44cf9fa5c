package dev.kvcache.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A Jetty 12 hello-world server: every request, whatever its method and path, gets
 * {@code 200 text/plain "hello"}. It is the ceiling that {@code compare.sh} measures the kvcache server
 * against: the same HTTP stack doing no work.
 *
 * <p>Run it with {@code java -cp kv-bench/target/kv-load.jar dev.kvcache.bench.load.HelloServer --port 8082};
 * it listens on 127.0.0.1 only and stops on SIGTERM.
 */
@Command(name = "hello-server", mixinStandardHelpOptions = true,
        description = "Jetty core handler answering 200 \"hello\" to every request.")
public final class HelloServer implements Callable<Integer> {

    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    @Option(names = "--port", defaultValue = "8082", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks one).")
    int port;

    /** Runs the command line; see the type's documentation. */
    public static void main(String[] args) {
        int status = new CommandLine(new HelloServer()).execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    @Override
    public Integer call() throws Exception {
        Server server = start("127.0.0.1", port);
        System.out.println("Starting server on " + port(server) + " ...");
        server.join();
        return 0;
    }

    /**
     * Starts a server on {@code host:port} ({@code port} 0 picks a free one) and returns it, started.
     *
     * @throws Exception if Jetty cannot start, for instance because the port is taken
     */
    public static Server start(String host, int port) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new HelloHandler());
        server.setStopAtShutdown(true);
        server.start();
        return server;
    }

    /** The port a server from {@link #start} listens on. */
    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** Answers 200 "hello"; never blocks, never fails. */
    static final class HelloHandler extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(HttpStatus.OK_200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, HELLO.length);
            response.write(true, ByteBuffer.wrap(HELLO), callback);
            return true;
        }
    }
}
