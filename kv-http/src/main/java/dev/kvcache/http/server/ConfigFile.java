package dev.kvcache.http.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --config} file: the environment variables' names and values, one {@code NAME=VALUE} a
 * line, so that the same lines work as a systemd {@code EnvironmentFile} or a shell {@code .env} file:
 * <pre>
 * # comments and blank lines are ignored
 * KV_PORT=8081
 * KV_TTL = 30s
 * KV_HOST="0.0.0.0"
 * </pre>
 * UTF-8; spaces around the name and the value are ignored, and so is one pair of matching quotes
 * around the value ({@code "..."} or {@code '...'}); there are no escapes or continuation lines. A
 * blank value leaves the setting unset, as a blank variable does. An unknown name, a name given twice
 * or a line that is not {@code NAME=VALUE} is an error naming the file and line.
 */
final class ConfigFile {
    /** One setting of the file, with its 1-based line number. */
    record Setting(String value, int line) {}

    private final Path path;
    private final Map<String, Setting> settings;

    private ConfigFile(Path path, Map<String, Setting> settings) {
        this.path = path;
        this.settings = settings;
    }

    /**
     * Reads a file.
     *
     * @param path the file
     * @param known the names a line may set
     * @return the file's settings
     * @throws IllegalArgumentException if the file cannot be read, or a line is not a known {@code NAME=VALUE}
     *     given once; the message names the file and line and, for an unknown name, suggests the closest
     */
    static ConfigFile read(Path path, Collection<String> known) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(path + ": permission denied, the server cannot read it");
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(path + " is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException(path + (Files.isDirectory(path) ? " is a directory; give the file"
                    : ": cannot read it (" + e.getMessage() + ")"));
        }
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            // A byte order mark, as some editors write at the start of UTF-8, is no part of the first name.
            String line = (i == 0 && lines.get(0).startsWith("\uFEFF") ? lines.get(0).substring(1) : lines.get(i)).strip();
            String where = path + ":" + (i + 1) + ": ";
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException(where + "expected NAME=VALUE (such as KV_PORT=8081) or a # comment,"
                        + " found '" + line + "'");
            }
            String name = line.substring(0, equals).strip();
            if (name.equals("KV_CONFIG")) {
                throw new IllegalArgumentException(where + "KV_CONFIG names the config file itself; it can only be"
                        + " set in the environment");
            }
            if (!known.contains(name)) {
                String closest = closest(name, known);
                throw new IllegalArgumentException(where + "unknown setting " + name
                        + (closest == null ? "" : "; did you mean " + closest + "?")
                        + " (the names are the environment variables --help lists)");
            }
            Setting earlier = settings.put(name, new Setting(unquote(line.substring(equals + 1).strip()), i + 1));
            if (earlier != null) {
                throw new IllegalArgumentException(where + name + " is set twice (first on line " + earlier.line()
                        + ")");
            }
        }
        return new ConfigFile(path, settings);
    }

    private static String unquote(String value) {
        boolean quoted = value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                && value.charAt(value.length() - 1) == value.charAt(0);
        return quoted ? value.substring(1, value.length() - 1) : value;
    }

    /** @return the known name a typo most likely meant, or {@code null} if none is close */
    static String closest(String name, Collection<String> known) {
        String normalized = name.toUpperCase(Locale.ROOT).replace('-', '_').replaceFirst("^_+", "");
        if (!normalized.startsWith("KV_")) {
            normalized = "KV_" + normalized;
        }
        String best = null;
        int bestDistance = 3; // farther is a different word, not a typo
        for (String candidate : known) {
            int distance = distance(normalized, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    Path path() {
        return path;
    }

    /** @return the file's non-blank value for a name, or {@code null} */
    Setting get(String name) {
        Setting setting = settings.get(name);
        return setting == null || setting.value().isBlank() ? null : setting;
    }
}
