package dev.kvcache.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code --help} as a terminal shows it: grouped, wrapped between words, self-contained. */
class HelpTextTest {
    private static final List<String> HEADINGS = List.of("Network:", "Cache and limits:", "Operations:", "Security:",
            "Persistence:", "Logging:", "Configuration:", "Routes:", "Exit status:");

    private static String help(int columns) {
        StringWriter out = new StringWriter();
        assertEquals(0, ServerMain.run(new String[] {"--help"}, Map.of("COLUMNS", Integer.toString(columns)),
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true)));
        return out.toString();
    }

    /** A terminal narrower than 60 columns gets the narrowest layout, not the 80-column one (found by http-hostile). */
    @Test
    void aNarrowTerminalGetsTheNarrowestLayout() {
        assertEquals(60, HelpText.width(Map.of("COLUMNS", "40")));
        assertEquals(200, HelpText.width(Map.of("COLUMNS", "250")));
        assertEquals(80, HelpText.width(Map.of("COLUMNS", "wide")));
        assertEquals(80, HelpText.width(Map.of()));
        assertTrue(help(40).lines().allMatch(line -> line.length() <= 60), help(40));
    }

    /** Every whitespace-separated word of what the help is made of, before wrapping. */
    private static Set<String> sourceWords(CommandLine commandLine) {
        StringBuilder source = new StringBuilder(String.join(" ", commandLine.getCommandSpec().usageMessage().description()));
        for (OptionSpec option : commandLine.getCommandSpec().options()) {
            source.append(' ').append(HelpText.synopsis(option)).append(' ')
                    .append(String.join(" ", option.description()));
        }
        source.append(" Usage: java -jar kvcache-server.jar [FLAGS] Other: ").append(String.join(" ", HEADINGS));
        Set<String> words = new HashSet<>(Arrays.asList(source.toString().split("\\s+")));
        return words;
    }

    @Test
    void atEitherWidthNoLineIsTooLongAndNoWordIsBroken() {
        for (int width : new int[] {80, 120}) {
            String help = help(width);
            Set<String> words = sourceWords(new CommandLine(new ServerConfig()));
            boolean inFlags = true;
            for (String line : help.split("\n")) {
                assertTrue(line.length() <= width, width + ": " + line.length() + " > width: " + line);
                if (line.equals("Routes:")) {
                    inFlags = false; // the routes and statuses are fixed text, checked whole below
                }
                if (inFlags) {
                    for (String word : line.trim().split("\\s+")) {
                        assertTrue(word.isEmpty() || words.contains(word), width + ": '" + word + "' is a broken word in: " + line);
                    }
                }
            }
            assertTrue(help.replaceAll("\\s+", " ").contains("(HTTP/1.1 and h2 by ALPN)"), help);
            assertFalse(help.contains("docs/http.md"), "points to a file a jar user does not have");
        }
    }

    @Test
    void everyFlagShowsOnceUnderItsHeading() {
        String help = help(80);
        for (String heading : HEADINGS) {
            assertEquals(1, help.lines().filter(heading::equals).count(), heading + " in\n" + help);
        }
        assertFalse(help.contains("\nOther:"), "a flag without a section:\n" + help);
        List<String> lines = help.lines().toList();
        for (OptionSpec option : ServerConfig.commandLine(Map.of()).getCommandSpec().options()) {
            String synopsis = "  " + HelpText.synopsis(option);
            assertEquals(1, lines.stream().filter(synopsis::equals).count(), synopsis + " in\n" + help);
        }
        int network = lines.indexOf("Network:");
        int security = lines.indexOf("Security:");
        assertTrue(network < lines.indexOf("  -p, --port=PORT") && lines.indexOf("  -p, --port=PORT") < security);
        assertTrue(lines.indexOf("  --tls-keystore=FILE") > security);
        assertTrue(lines.indexOf("  --[no-]access-log") > lines.indexOf("Logging:"));
        assertTrue(lines.indexOf("  --snapshot=FILE") > lines.indexOf("Persistence:"));
    }

    @Test
    void theDefaultsShownAreTheBuiltInOnesNotTheEnvironments() {
        StringWriter out = new StringWriter();
        ServerMain.run(new String[] {"--help"}, Map.of("KV_PORT", "7000"), new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true));
        assertTrue(out.toString().contains("Env KV_PORT. Default: 8081."), out.toString());
    }
}
