package dev.kvcache.http;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What {@link KvHandler} routes a request to: one per {@link Route}. An implementation never blocks,
 * answers every request, and completes {@code callback} exactly once, as the last thing it does
 * (possibly later, on another thread, once a body has arrived). Statuses are {@code HttpStatus}
 * constants; each implementation's Javadoc lists those it can send.
 */
interface Resource {
    /**
     * @param method the request's method
     * @param path the request's path in the handler's context, as {@link Route#of} classified it
     * @param callback completed once the response is written; it records the request's metrics
     */
    void serve(Request request, Response response, Callback callback, Method method, String path);
}
