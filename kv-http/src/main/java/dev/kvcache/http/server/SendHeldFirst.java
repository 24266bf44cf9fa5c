package dev.kvcache.http.server;

import dev.kvcache.http.Route;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Sends the answers a connection holds back ({@link PipelinedEndPoint}) before a request whose handling
 * may take long on the connection's thread, so that an answer pipelined ahead of it does not wait for it.
 *
 * <p>Held answers otherwise go out when the last request already read has been answered: a flush of a
 * million keys, behind a read in the same batch, would hold that read's answer for the flush's whole
 * walk. The server's rule is {@link #mayTakeLong}.
 */
final class SendHeldFirst implements HttpConfiguration.Customizer {
    private final Predicate<String> mayTakeLong;

    /** @param mayTakeLong whether a request for this decoded path may take long before it answers */
    SendHeldFirst(Predicate<String> mayTakeLong) {
        this.mayTakeLong = mayTakeLong;
    }

    /**
     * @param path a request's decoded path
     * @return whether its handling may take long on the connection's thread: the keys as a whole (batch,
     *     flush, listing: work in proportion to the entries or items), the metrics and stats texts
     */
    static boolean mayTakeLong(String path) {
        Route route = Route.of(path);
        return route == Route.KEYS || route == Route.METRICS || route == Route.STATS;
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        if (request.getConnectionMetaData().getConnection() instanceof PipelinedHttpConnection connection
                && connection.holding() && mayTakeLong.test(request.getHttpURI().getCanonicalPath())) {
            connection.sendHeld();
        }
        return request;
    }
}
