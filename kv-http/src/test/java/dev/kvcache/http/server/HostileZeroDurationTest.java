package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/http.md "Configuration": --shutdown-delay and --snapshot-interval default to 0 ("0: only on
 * shutdown"), and "Durations take ms, s, m, h (bare numbers are milliseconds)". So 0ms and 0s are 0, as
 * 1500 and 1500ms are one value; main accepts only the bare "0" and refuses "0ms" with "expected a positive
 * whole number", a sentence the bare 0 already contradicts.
 */
class HostileZeroDurationTest {
    @Test
    void zeroWithAUnitIsZeroWhereZeroIsAllowed() {
        for (String zero : new String[] {"0", "0ms", "0s", "0m", "0h"}) {
            assertEquals(0, ServerConfig.parse(new String[] {"--shutdown-delay", zero}, Map.of()).shutdownDelayMillis,
                    zero);
            assertEquals(0, ServerConfig.parse(new String[] {"--snapshot", "/tmp/x.snap", "--snapshot-interval", zero},
                    Map.of()).snapshotIntervalMillis, zero);
            assertEquals(0, ServerConfig.parse(new String[0], Map.of("KV_SHUTDOWN_DELAY", zero)).shutdownDelayMillis,
                    zero);
        }
    }
}
