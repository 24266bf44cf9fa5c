package dev.kvcache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every response carries each header once: {@code Replies} adds its fields rather than putting them
 * (no search of the fields set so far), so a field set twice on one path would go out twice.
 */
class ResponseHeadersTest {
    @Test
    void everyReplyOfTheKeyRoutesHasEachHeaderOnce() throws Exception {
        try (HandlerServer server = HandlerServer.start(new KvHandler(KvHandlerOptions.defaults()));
                RawHttp http = new RawHttp(server.port())) {
            String[] requests = {
                RawHttp.request("POST", "/k1", "v1"),
                RawHttp.request("GET", "/k1", null),
                RawHttp.request("HEAD", "/k1", null),
                RawHttp.request("PUT", "/kv/k2", "v2"),
                RawHttp.request("GET", "/missing", null),
                RawHttp.request("DELETE", "/kv/k2", null),
                RawHttp.request("GET", "/size", null),
                RawHttp.request("PATCH", "/k1", null),
            };
            StringBuilder all = new StringBuilder();
            for (String request : requests) {
                all.append(request);
            }
            all.append("GET /k1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            http.send(all.toString());
            String text = http.readToEnd();
            List<String> heads = new ArrayList<>();
            for (String part : text.split("(?=HTTP/1\\.1 \\d{3} )")) {
                if (!part.isEmpty()) {
                    heads.add(part.substring(0, part.indexOf("\r\n\r\n")));
                }
            }
            assertEquals(requests.length + 1, heads.size(), text);
            for (String head : heads) {
                Map<String, Integer> counts = new TreeMap<>();
                String[] lines = head.split("\r\n");
                for (int i = 1; i < lines.length; i++) {
                    counts.merge(lines[i].substring(0, lines[i].indexOf(':')).toLowerCase(Locale.ROOT), 1, Integer::sum);
                }
                counts.forEach((name, count) -> assertEquals(1, count, name + " in\n" + head));
                assertTrue(lines[0].matches("HTTP/1\\.1 \\d{3} .*"), lines[0]);
            }
            assertTrue(heads.get(4).startsWith("HTTP/1.1 404 ") && heads.get(4).contains("Content-Length: 0"), heads.get(4));
        }
    }
}
