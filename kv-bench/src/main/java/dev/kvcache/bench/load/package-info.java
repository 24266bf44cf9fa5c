/**
 * {@code kv-load}: an HTTP/1.1 load generator that reproduces the seed's benchmark workload
 * (80 % {@code GET /<key>}, 20 % {@code POST /<key>} on the same pipelined connections) and reports
 * GET and POST separately, in text, JSON and a self-contained HTML page; plus {@code HelloServer}, a
 * Jetty hello-world peer for back-to-back comparisons. Entry points: {@link dev.kvcache.bench.load.KvLoad},
 * {@link dev.kvcache.bench.load.HelloServer} and {@link dev.kvcache.bench.load.CompareReports}.
 */
package dev.kvcache.bench.load;
