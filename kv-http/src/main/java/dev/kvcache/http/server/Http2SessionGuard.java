package dev.kvcache.http.server;

import org.eclipse.jetty.http2.SessionContainer;
import org.eclipse.jetty.http2.server.AbstractHTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;

/**
 * Keeps a closed HTTP/2 connection from holding up a graceful stop.
 *
 * <p>Jetty 12.1.14 tracks each HTTP/2 session in its factory's {@link SessionContainer} from the
 * connection's {@code onOpened} to its {@code onClosed} event, and a graceful stop waits for every
 * tracked session to close. An {@code Upgrade: h2c} connection, however, serves the upgraded request,
 * and reads on, inside {@code HTTP2ServerConnection.onOpen} before it announces {@code onOpened}; a
 * client that closes at once (curl does) ends the connection in the meantime, so {@code onClosed}
 * comes first and finds nothing to remove, and {@code onOpened} then adds a session that nothing will
 * remove. The stop then waited the whole shutdown timeout for it with no request in flight.
 *
 * <p>This listener runs after the container's (it is added to the factory, whose listeners each
 * connection gets after the container): on {@code onOpened} of a connection whose end point is
 * already closed it removes the session again, through the container's own {@code onClosed}, which
 * is idempotent. If the end point closes after the check, the connection's own {@code onClosed}
 * follows and removes it as usual.
 */
final class Http2SessionGuard implements Connection.Listener {
    private final SessionContainer sessions;

    private Http2SessionGuard(SessionContainer sessions) {
        this.sessions = sessions;
    }

    /** Installs the guard on {@code factory}; returns the factory. */
    static <F extends AbstractHTTP2ServerConnectionFactory> F install(F factory) {
        factory.addEventListener(new Http2SessionGuard(factory.getBean(SessionContainer.class)));
        return factory;
    }

    @Override
    public void onOpened(Connection connection) {
        if (!connection.getEndPoint().isOpen()) {
            sessions.onClosed(connection);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        // The container's own listener removes the session.
    }
}
