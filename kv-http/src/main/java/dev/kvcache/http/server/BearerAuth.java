package dev.kvcache.http.server;

import dev.kvcache.http.Route;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import java.util.function.ObjIntConsumer;

/**
 * Lets a request through to the wrapped handler only if it carries {@code Authorization: Bearer <token>}
 * with the configured token (RFC 6750). Others get 401 with {@code WWW-Authenticate: Bearer
 * realm="kvcache"} (plus {@code error="invalid_token"} when a wrong token was sent), and the wrapped
 * handler never sees them: a write without the token stores nothing, and its body is not read (the
 * connection is closed after the answer, as for other rejected bodies).
 *
 * <p>{@code /health} is always open, so that load balancers and orchestrators can probe without the
 * secret; it reveals only whether the server is up or draining. {@code /metrics} and {@code /stats}
 * require the token unless built with {@code protectMetrics == false}, for scrapers that cannot send
 * one. Rejections are counted through {@code refusals} (the server passes
 * {@link dev.kvcache.http.KvHandler#countRefused}), so {@code /metrics} shows them as
 * {@code api_requests_total{code="401"}}.
 *
 * <p>The token is compared with {@link MessageDigest#isEqual}, whose time does not depend on where the
 * bytes differ (it depends only on the configured token's length), so the response time does not leak
 * how much of a guess was right. Never blocks.
 */
final class BearerAuth extends Handler.Wrapper {
    static final int MAX_TOKEN_LENGTH = 1024;
    private static final String SCHEME = "Bearer ";
    private static final HttpField CHALLENGE =
            new PreEncodedHttpField(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"kvcache\"");
    private static final HttpField INVALID_TOKEN = new PreEncodedHttpField(HttpHeader.WWW_AUTHENTICATE,
            "Bearer realm=\"kvcache\", error=\"invalid_token\"");
    private static final byte[] UNAUTHORIZED = PlainText.message("Unauthorized");

    private final byte[] token;
    private final boolean protectMetrics;
    private final ObjIntConsumer<String> refusals;

    /**
     * @param handler the handler serving authorized requests
     * @param token the token, valid per {@link #isValidToken}
     * @param protectMetrics whether {@code /metrics} and {@code /stats} require the token
     * @param refusals told the method and status (401) of each refused request, to count it
     * @throws IllegalArgumentException if the token is not valid
     */
    BearerAuth(Handler handler, String token, boolean protectMetrics, ObjIntConsumer<String> refusals) {
        super(handler);
        if (!isValidToken(token)) {
            throw new IllegalArgumentException("invalid token: 1 to " + MAX_TOKEN_LENGTH
                    + " visible ASCII characters without spaces are required");
        }
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.protectMetrics = protectMetrics;
        this.refusals = java.util.Objects.requireNonNull(refusals, "refusals");
    }

    /** @return whether {@code token} is 1 to 1024 visible ASCII characters (no spaces, no controls) */
    static boolean isValidToken(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (isOpen(Request.getPathInContext(request)) || matches(authorization)) {
            return super.handle(request, response, callback);
        }
        PlainText.closeIfBodyUnread(request, response);
        response.getHeaders().put(authorization == null ? CHALLENGE : INVALID_TOKEN);
        PlainText.send(response, callback, HttpStatus.UNAUTHORIZED_401, UNAUTHORIZED);
        refusals.accept(request.getMethod(), HttpStatus.UNAUTHORIZED_401);
        return true;
    }

    private boolean isOpen(String path) {
        Route route = Route.of(path);
        return route == Route.HEALTH || !protectMetrics && (route == Route.METRICS || route == Route.STATS);
    }

    /** Whether an {@code Authorization} value is {@code Bearer} (any case) and the token, in constant time. */
    boolean matches(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        String presented = authorization.substring(SCHEME.length()).strip();
        // UTF-8: a character outside ASCII becomes bytes above 0x7f, which no token byte equals.
        return MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        // Never the token.
        return "BearerAuth[protectMetrics=" + protectMetrics + "]@" + Integer.toHexString(hashCode());
    }
}
