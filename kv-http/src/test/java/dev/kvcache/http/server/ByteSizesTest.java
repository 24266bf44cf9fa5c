package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The size strings of {@code --max-bytes}, {@code --max-value-bytes} and the other byte flags. */
class ByteSizesTest {
    @Test
    void sizes() {
        assertEquals(1_048_576, ByteSizes.parse("1048576"));
        assertEquals(1_048_576, ByteSizes.parse("1MiB"));
        assertEquals(1_048_576, ByteSizes.parse("1m"));
        assertEquals(8_192, ByteSizes.parse("8KiB"));
        assertEquals(2L << 30, ByteSizes.parse("2GiB"));
        for (String bad : new String[] {"", "MiB", "-1", "1.5MiB", "1TB", "1mb"}) {
            assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse(bad), bad);
        }
    }
}
