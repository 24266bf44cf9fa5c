/**
 * The standalone kvcache server ({@code java -jar kvcache-server.jar}): a Jetty {@code Server} around
 * {@link dev.kvcache.http.KvHandler}.
 *
 * <p>{@link dev.kvcache.http.server.ServerMain} is the command line, {@link dev.kvcache.http.server.KvServer}
 * the server it starts ({@code Starting} lets a stop signal cut its warm-up short). The rest is package-private, one
 * concept per class: {@code ServerConfig} (flags and environment, the network policy, secret files),
 * {@code ByteSizes} (size strings), {@code BearerAuth} (token authentication), {@code Connectors}
 * (HTTP/1.1, h2c, TLS with h2), {@code PlainErrorHandler} (Jetty's own errors as plain text) and
 * {@code PlainText} (the plain-text answers of both). Snapshots are in
 * {@link dev.kvcache.http.server.snapshot}.
 */
package dev.kvcache.http.server;
