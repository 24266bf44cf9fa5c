package dev.kvcache.http;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Reads and discards the body of a request whose route takes none but accepts one ({@code POST /size},
 * as the Go server did), then answers, so that the connection stays open for the requests behind it.
 * Bounded: a body declared or found to be over {@code limit} bytes is left unread and the answer says
 * {@code Connection: close}, so a request that stores nothing never makes the server read more than a
 * value. Without blocking: a read/demand loop, each chunk released at once (nothing is buffered).
 */
final class IgnoredBody implements Runnable, Invocable {
    private final Request request;
    private final Response response;
    private final long limit;
    private final Runnable answer;
    private long read;

    private IgnoredBody(Request request, Response response, long limit, Runnable answer) {
        this.request = request;
        this.response = response;
        this.limit = limit;
        this.answer = answer;
    }

    /**
     * Runs {@code answer} once: at once if the request has no body or declares more than {@code limit}
     * bytes, otherwise once the body has been read and discarded (or failed, or passed the limit).
     */
    static void thenAnswer(Request request, Response response, long limit, Runnable answer) {
        if (!Replies.hasBody(request)) {
            answer.run();
        } else if (request.getLength() > limit) {
            Replies.closeIfBodyUnread(request, response);
            answer.run();
        } else {
            new IgnoredBody(request, response, limit, answer).run();
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public void run() {
        for (;;) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                // The client is likely gone; the answer may not reach it, but the callback must complete.
                Replies.closeIfBodyUnread(request, response);
                answer.run();
                return;
            }
            read += chunk.remaining();
            boolean last = chunk.isLast();
            chunk.release();
            if (last || read > limit) {
                if (!last) {
                    Replies.closeIfBodyUnread(request, response);
                }
                answer.run();
                return;
            }
        }
    }
}
