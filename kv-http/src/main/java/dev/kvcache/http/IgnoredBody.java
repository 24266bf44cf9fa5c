package dev.kvcache.http;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Reads and discards the body of a request whose route takes none but accepts one ({@code POST /size},
 * as the Go server did), then answers, so that the connection stays open for the requests behind it.
 * Bounded: a body declared or found to be over {@code limit} bytes is left unread and the answer says
 * {@code Connection: close}, so a request that stores nothing never makes the server read more than a
 * value. Without blocking and buffering nothing ({@link BodyDiscarder}).
 */
final class IgnoredBody extends BodyDiscarder {
    private final Response response;
    private final Runnable answer;

    private IgnoredBody(Request request, Response response, long limit, Runnable answer) {
        super(request, limit);
        this.response = response;
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
    protected void onEnd(boolean wholeBody) {
        if (!wholeBody) {
            // Over the limit, or the client is likely gone (the answer may not reach it, but the
            // callback must complete).
            Replies.closeIfBodyUnread(request(), response);
        }
        answer.run();
    }
}
