package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvcache.http.RawHttp;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-connection header cache ({@link KvServer#HEADER_CACHE_SIZE}) must never make one request see
 * another's header value. Jetty looks cached lines up without regard to case unless the cache is made
 * case-sensitive, and then hands the request the cached line's value: the {@code Authorization} line is one
 * Jetty caches, so a bearer token that differed from an earlier one on the connection only in case was
 * taken for the earlier, valid one. A proxy that pools its upstream connections sends many clients'
 * requests down one of them.
 */
class HostileHeaderCacheTest {
    private static final String TOKEN = "Secret-Token-42";

    @Test
    void aTokenDifferingOnlyInCaseFromAnEarlierOneOnTheConnectionIsRefused() throws Exception {
        try (TestServer server = new TestServer("--auth-token", TOKEN)) {
            List<String> statuses = exchange(server, List.of(
                    "GET /size HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\nHost: 127.0.0.1\r\n\r\n",
                    "GET /size HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\nHost: 127.0.0.1\r\n\r\n",
                    "GET /size HTTP/1.1\r\nAuthorization: Bearer " + TOKEN.toLowerCase(java.util.Locale.ROOT)
                            + "\r\nHost: 127.0.0.1\r\n\r\n",
                    "GET /size HTTP/1.1\r\nAuthorization: Bearer " + TOKEN.toUpperCase(java.util.Locale.ROOT)
                            + "\r\nHost: 127.0.0.1\r\n\r\n",
                    "GET /size HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\nHost: 127.0.0.1\r\n\r\n"));
            assertEquals(List.of("200", "200", "401", "401", "200"), statuses,
                    "the valid token, twice (the second from the cache), two case variants of it, and it again");
        }
    }

    @Test
    void overTlsTooATokenDifferingOnlyInCaseIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // The TLS connector's HTTP/1.1 configuration is a copy of the cleartext one: the same cache, the same rule.
        TestKeystore keystore = TestKeystore.create(dir);
        try (TestServer server = new TestServer("--tls-keystore", keystore.file.toString(), "--tls-password",
                TestKeystore.PASSWORD, "--auth-token", TOKEN);
                Socket socket = keystore.clientContext().getSocketFactory().createSocket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            List<String> statuses = exchange(socket, List.of(
                    "GET /size HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\nHost: 127.0.0.1\r\n\r\n",
                    "GET /size HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\nHost: 127.0.0.1\r\n\r\n",
                    "GET /size HTTP/1.1\r\nAuthorization: Bearer " + TOKEN.toLowerCase(java.util.Locale.ROOT)
                            + "\r\nHost: 127.0.0.1\r\n\r\n"));
            assertEquals(List.of("200", "200", "401"), statuses);
        }
    }

    @Test
    void hostLinesInAnotherCaseAndADuplicateHostLineAreParsedAsOnAFreshConnection() throws Exception {
        try (TestServer server = new TestServer()) {
            List<String> statuses = exchange(server, List.of(
                    "GET /health HTTP/1.1\r\nHost: kv.example\r\n\r\n",
                    "GET /health HTTP/1.1\r\nhost: kv.example\r\n\r\n",
                    "GET /health HTTP/1.1\r\nHOST: KV.EXAMPLE\r\n\r\n",
                    // a second Host line is refused whether or not the first came from the cache
                    "GET /health HTTP/1.1\r\nHost: kv.example\r\nHost: other.example\r\n\r\n"));
            assertEquals(List.of("200", "200", "200", "400"), statuses);
        }
    }

    @Test
    void manyDistinctAndLongLinesAreParsedAsSent() throws Exception {
        try (TestServer server = new TestServer("--auth-token", TOKEN)) {
            List<String> requests = new ArrayList<>();
            String longAgent = "agent/" + "x".repeat(2_000);
            for (int i = 0; i < 40; i++) {
                String token = i % 3 == 2 ? TOKEN.substring(0, TOKEN.length() - 1) + (char) ('a' + i % 26) : TOKEN;
                requests.add("GET /size HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + (i % 2 == 0 ? longAgent : "a" + i)
                        + "\r\nAccept: text/plain;q=0." + (i % 10) + "\r\nAuthorization: Bearer " + token + "\r\n\r\n");
            }
            List<String> statuses = exchange(server, requests);
            for (int i = 0; i < statuses.size(); i++) {
                assertEquals(i % 3 == 2 ? "401" : "200", statuses.get(i), "request " + i);
            }
        }
    }

    /** @return the status codes of the requests sent one after another on one keep-alive connection */
    private static List<String> exchange(TestServer server, List<String> requests) throws Exception {
        return exchange(new Socket("127.0.0.1", server.port()), requests);
    }

    /** @return the status codes of the requests sent one after another on {@code socket}, a keep-alive connection */
    private static List<String> exchange(Socket socket, List<String> requests) throws Exception {
        List<String> statuses = new ArrayList<>();
        try (RawHttp raw = new RawHttp(socket)) {
            for (String request : requests) {
                raw.send(request);
                statuses.add(Integer.toString(raw.read().status()));
            }
        }
        return statuses;
    }
}
