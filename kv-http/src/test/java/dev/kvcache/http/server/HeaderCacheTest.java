package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Index;
import org.junit.jupiter.api.Test;

/**
 * Each HTTP/1.1 connection's parser keeps a small cache of the header lines it has seen: the repeated
 * {@code Host} line is found there rather than parsed again, but the cache stays within
 * {@link KvServer#HEADER_CACHE_SIZE} characters. Jetty's default (1 024) builds a trie of about 100 KB per
 * connection, which at 1 000 and 4 000 connections is the parser's largest cost per request and holds
 * hundreds of megabytes (docs/benchmarks-http.md, "Issue 12: session 8"). Counted, not timed: the cache's
 * lines after several requests on one connection.
 */
class HeaderCacheTest {

    @Test
    void aKeepAliveConnectionCachesItsRepeatedHostLine() throws Exception {
        Index<HttpField> cache = cacheAfterThreeRequests("Host: 127.0.0.1\r\nUser-Agent: cache-test/1\r\n");
        assertTrue(cache != null && cache.get("Host: 127.0.0.1") != null,
                "the Host line cached by the connection's parser: " + (cache == null ? "no cache" : cache.keySet()));
        assertWithinBound(cache);
    }

    @Test
    void longerLinesStayWithinTheBound() throws Exception {
        assertWithinBound(cacheAfterThreeRequests("Host: 127.0.0.1\r\nUser-Agent: header-cache-test/1\r\n"
                + "Accept: text/plain, application/json;q=0.9, */*;q=0.1\r\n"
                + "Accept-Language: en-GB, en;q=0.9, fr;q=0.5, de;q=0.2\r\n"));
    }

    /**
     * What one connection's cache holds in memory, its trie's arrays counted (a 16-byte header each, 4-byte
     * references): the figure docs/http.md ("Idle connections") and {@link HeaderCacheBudget#CONNECTIONS} give.
     * Jetty sizes the trie by the cache's characters, one row of 48 {@code char}s each, whatever it holds:
     * 64 characters make a table of 6 KB, about 7 KB in all, not the 4 KB the docs said.
     */
    @Test
    void aConnectionsCacheIsATrieOfAbout7KB() throws Exception {
        Index<HttpField> cache = cacheAfterThreeRequests("Host: 127.0.0.1\r\n");
        long bytes = 0;
        for (Class<?> type = cache.getClass(); type != null; type = type.getSuperclass()) {
            for (java.lang.reflect.Field field : type.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(field.getModifiers()) || !field.getType().isArray()) {
                    continue;
                }
                field.setAccessible(true);
                Object array = field.get(cache);
                Class<?> element = field.getType().getComponentType();
                int size = element == char.class ? 2 : element == long.class ? 8 : element == byte.class ? 1 : 4;
                bytes += array == null ? 0 : 16 + (long) java.lang.reflect.Array.getLength(array) * size;
            }
        }
        assertTrue(bytes > 6_000 && bytes < 8_500, cache.getClass().getSimpleName() + " of " + bytes + " bytes");
    }

    private static void assertWithinBound(Index<HttpField> cache) {
        int characters = cache == null ? 0 : cache.keySet().stream().mapToInt(String::length).sum();
        assertTrue(characters <= KvServer.HEADER_CACHE_SIZE, "cached lines " + cache.keySet() + " hold "
                + characters + " characters, over the bound " + KvServer.HEADER_CACHE_SIZE);
    }

    /** @return the field cache of the one connection's parser after three requests with these header lines */
    private static Index<HttpField> cacheAfterThreeRequests(String lines) throws Exception {
        try (TestServer server = new TestServer(); RawHttp raw = new RawHttp(server.port())) {
            for (int i = 0; i < 3; i++) {
                raw.send("GET /health HTTP/1.1\r\n" + lines + "\r\n");
                assertEquals(200, raw.read().status());
            }
            List<HttpConnection> connections = server.server.connectedEndPoints().stream()
                    .map(EndPoint::getConnection)
                    .filter(HttpConnection.class::isInstance)
                    .map(HttpConnection.class::cast)
                    .collect(Collectors.toList());
            assertEquals(1, connections.size(), "the test's one connection");
            return connections.get(0).getParser().getFieldCache();
        }
    }
}
