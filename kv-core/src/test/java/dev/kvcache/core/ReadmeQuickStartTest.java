package dev.kvcache.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Runs the README's quick-start sample verbatim, so the README cannot drift from the API. */
class ReadmeQuickStartTest {

    @Test
    void quickStartSampleWorksAsTheReadmeSays() throws Exception {
        KvCache<String, String> cache = KvCache.builder()
                .timeToLive(Duration.ofSeconds(10))
                .maximumSize(10_000)
                .build();
        cache.put("k1", "v1");
        String v = cache.getIfPresent("k1");                    // "v1" for the next 10 seconds
        cache.put("session", "abc", Duration.ofMinutes(30));    // per-entry TTL
        String loaded = cache.get("k2", key -> "computed " + key);

        LoadingCache<String, String> users = KvCache.builder()
                .<String, String>expiry((id, name) -> id.equals("1")   // a TTL per loaded or written entry:
                        ? Duration.ofSeconds(30).toNanos()             // 30 seconds for "1",
                        : Duration.ofMinutes(5).toNanos())             // 5 minutes for the others
                .maximumSize(10_000)
                .recordStats()
                .build(id -> "user " + id);                      // a CacheLoader; null means "no such key"
        String user = users.get("42");                           // loaded once, then a hit for 5 minutes
        Map<String, String> some = users.getAll(List.of("1", "2")); // one bulk load for the missing keys
        users.refresh("42");                                     // reloads in the background; readers keep the old value

        assertEquals("v1", v);
        assertEquals("computed k2", loaded);
        assertEquals("abc", cache.getIfPresent("session"));
        assertEquals("computed k2", cache.getIfPresent("k2"));
        long sessionTtlNanos = cache.getEntryIfPresent("session").expiresInNanos();
        long k1TtlNanos = cache.getEntryIfPresent("k1").expiresInNanos();
        // Real (coarse) time: the per-entry TTL is 30 min, the default 10 s; both only count down.
        assertTrue(sessionTtlNanos > Duration.ofMinutes(29).toNanos()
                && sessionTtlNanos <= Duration.ofMinutes(30).toNanos(), "session TTL " + sessionTtlNanos);
        assertTrue(k1TtlNanos > 0 && k1TtlNanos <= Duration.ofSeconds(10).toNanos(),
                "k1 TTL " + k1TtlNanos);
        assertEquals(3, cache.estimatedSize());
        cache.close();

        assertEquals("user 42", user);
        assertEquals(Map.of("1", "user 1", "2", "user 2"), some);
        assertEquals("user 42", users.refresh("42").get(10, TimeUnit.SECONDS));
        assertEquals("user 42", users.getIfPresent("42"));
        assertEquals(3, users.stats().missCount(), "42, 1 and 2 were missed once each");
        assertEquals(1, users.stats().hitCount());
        long userTtlNanos = users.getEntryIfPresent("42").expiresInNanos(); // after the stats checks
        long oneTtlNanos = users.getEntryIfPresent("1").expiresInNanos();
        assertTrue(userTtlNanos > Duration.ofMinutes(4).toNanos()
                && userTtlNanos <= Duration.ofMinutes(5).toNanos(), "user TTL " + userTtlNanos);
        assertTrue(oneTtlNanos > 0 && oneTtlNanos <= Duration.ofSeconds(30).toNanos(), "TTL of 1: " + oneTtlNanos);
        users.close();
    }

    /** The README's first Java block is the sample above, line for line. */
    @Test
    void readmeShowsThisSampleVerbatim() throws IOException {
        Path readme = Path.of("..", "README.md");
        Path self = Path.of("src", "test", "java", "dev", "kvcache", "core", "ReadmeQuickStartTest.java");
        List<String> readmeLines = Files.readAllLines(readme);
        int start = readmeLines.indexOf("```java");
        assertTrue(start >= 0, "README.md has no ```java block");
        int end = readmeLines.subList(start + 1, readmeLines.size()).indexOf("```") + start + 1;
        String sample = readmeLines.subList(start + 1, end).stream()
                .map(line -> line.isEmpty() ? line : "        " + line)
                .collect(Collectors.joining("\n"));
        String source = Files.readString(self);
        assertTrue(source.contains(sample), "README sample differs from this test's:\n" + sample);
    }
}
