/**
 * The standalone server's snapshots: {@link dev.kvcache.http.server.snapshot.SnapshotFile} (the file
 * format, written atomically, checked on read) and {@link dev.kvcache.http.server.snapshot.Snapshots}
 * (restoring on start, writing on shutdown and periodically), {@code SnapshotLock} (one server per
 * file). Public only so that
 * {@link dev.kvcache.http.server.KvServer} can use them from its package; they are not an API for
 * applications and may change with the server. They reach the cache only through the public
 * methods of {@link dev.kvcache.http.KvHandler} and {@link dev.kvcache.http.StoredValue}.
 */
package dev.kvcache.http.server.snapshot;
