/**
 * The HTTP front end of kvcache: a Jetty 12 core handler and a standalone server.
 *
 * <p>The public types are:
 * <ul>
 *   <li>{@link dev.kvcache.http.KvHandler}: a non-blocking Jetty core {@code Handler} serving a cache,
 *       for an application to mount in its own Jetty {@code Server} (also under a context path);
 *   <li>{@link dev.kvcache.http.KvHandlerOptions}: its limits and cache settings;
 *   <li>{@link dev.kvcache.http.KvServer}: the standalone server ({@code java -jar kvcache-server.jar}).
 * </ul>
 * Everything else is package-private, one concept per class: {@code Route} (which resource a path
 * names), {@code KeyParser} (keys in paths), {@code KeyStore} (the cache of {@code StoredValue}s and its
 * write rules), {@code BodyReader} (asynchronous request bodies), {@code TtlParser} and
 * {@code ByteSizes} (duration and size strings), {@code Conditions} (ETag preconditions),
 * {@code Replies} (response writing), {@code Metrics} (Prometheus text), {@code StatsJson}
 * ({@code /stats}), {@code ServerConfig} (flags and environment).
 */
package dev.kvcache.http;
