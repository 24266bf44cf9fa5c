/**
 * The embeddable HTTP front end of kvcache: a Jetty 12 core handler over a kv-core cache.
 *
 * <p>The public types are:
 * <ul>
 *   <li>{@link dev.kvcache.http.KvHandler}: a non-blocking Jetty core {@code Handler} serving a cache,
 *       for an application to mount in its own Jetty {@code Server} (also under a context path);
 *   <li>{@link dev.kvcache.http.KvHandlerOptions}: its limits and cache settings;
 *   <li>{@link dev.kvcache.http.StoredValue}: a value as the cache holds it (bytes, content type,
 *       version), for applications that share the cache and for snapshots;
 *   <li>{@link dev.kvcache.http.Route}: which resource a path names, for wrappers such as the
 *       server's authentication;
 *   <li>{@link dev.kvcache.http.TtlParser}: the duration forms the {@code ttl} parameter takes;
 *   <li>{@link dev.kvcache.http.ExtraMetrics}: families an application adds to {@code /metrics};
 *   <li>{@link dev.kvcache.http.BodyDiscarder}: a bounded, non-blocking read that drops a request body,
 *       for wrappers such as the server's HTTP/2 drain.
 * </ul>
 * Everything else is package-private, one concept per class: {@code KeyParser} (keys in paths),
 * {@code KeyStore} (the cache of {@code StoredValue}s and its write rules), {@code BodyReader}
 * (asynchronous request bodies, over {@code BodyLoop}), {@code Conditions} (ETag preconditions), {@code Replies} (response
 * writing), {@code Metrics} (Prometheus text) and {@code StatsJson} ({@code /stats}).
 *
 * <p>The standalone server is in {@link dev.kvcache.http.server}, its snapshots in
 * {@link dev.kvcache.http.server.snapshot}.
 */
package dev.kvcache.http;
