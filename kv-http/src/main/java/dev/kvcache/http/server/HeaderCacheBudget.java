package dev.kvcache.http.server;

import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Lets at most a fixed number of HTTP/1.1 connections at once keep a header cache
 * ({@link KvServer#HEADER_CACHE_SIZE}); the others parse every header line. Each cache is a trie of about
 * 7 KB that a request on its connection walks, so a few hundred of them stay in the CPU's caches, where a
 * lookup is cheaper than a parse; thousands of them (28 MB at 4 000 connections) push each other, and the
 * kernel's socket state, out to memory, and each lookup then costs more than the parse it saves. A
 * connection's place is freed when it closes (or is upgraded to HTTP/2).
 */
final class HeaderCacheBudget {
    /** Connections that may keep a header cache at once: about 450 KB of tries (7 KB each, HeaderCacheTest). */
    static final int CONNECTIONS = 64;

    private final int connections;
    private final AtomicInteger held = new AtomicInteger();
    private final Connection.Listener release = new Connection.Listener() {
        @Override
        public void onClosed(Connection connection) {
            held.decrementAndGet();
        }
    };

    /** @param connections how many connections may keep a cache at once */
    HeaderCacheBudget(int connections) {
        this.connections = connections;
    }

    /**
     * Gives the new connection's parser its cache if a place is free, and takes the cache away otherwise;
     * call it once per connection, before it parses anything.
     *
     * @return the connection
     */
    HttpConnection assign(HttpConnection connection) {
        if (connection.getParser().getHeaderCacheSize() <= 0) {
            return connection; // caching is off for every connection
        }
        if (held.incrementAndGet() <= connections) {
            connection.addEventListener(release);
        } else {
            held.decrementAndGet();
            connection.getParser().setHeaderCacheSize(0);
        }
        return connection;
    }

    /** @return the connections keeping a cache now */
    int held() {
        return held.get();
    }
}
