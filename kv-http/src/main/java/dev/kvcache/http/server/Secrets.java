package dev.kvcache.http.server;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The server's two secrets, the bearer token and the keystore password, each from its flag (or variable) or
 * read from a file, and protected mode, which makes the token a condition of listening beyond this machine.
 */
final class Secrets {
    private Secrets() {}

    /**
     * @return the bearer token from {@code --auth-token} or {@code --auth-token-file}, or {@code null}
     * @throws IllegalArgumentException if the file cannot be read or holds no valid token
     */
    static String authToken(ServerConfig config) {
        if (config.authTokenFile == null) {
            return config.authToken;
        }
        String token = read(config.authTokenFile, "--auth-token-file");
        if (!BearerAuth.isValidToken(token)) {
            throw new IllegalArgumentException("--auth-token-file " + config.authTokenFile
                    + " must hold 1 to 1024 visible ASCII characters without spaces");
        }
        return token;
    }

    /**
     * @return the keystore password from {@code --tls-password} or {@code --tls-password-file}, or {@code null}
     * @throws IllegalArgumentException if the file cannot be read
     */
    static String tlsPassword(ServerConfig config) {
        return config.tlsPasswordFile == null
                ? config.tlsPassword
                : read(config.tlsPasswordFile, "--tls-password-file");
    }

    private static String read(String file, String flag) {
        Path path = Path.of(file);
        try {
            return Files.readString(path).strip();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(flag + " " + file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(flag + " " + file + ": permission denied, the server cannot read it", e);
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(flag + " " + file + " is not UTF-8 text", e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(flag + " " + file + (Files.isDirectory(path)
                    ? " is a directory; give the file that holds the secret"
                    : ": cannot read it (" + e.getMessage() + ")"), e);
        }
    }

    /**
     * Redis' "protected mode": a server reachable from other machines must authenticate its clients,
     * unless told explicitly that the network is trusted.
     *
     * @param token the resolved bearer token ({@link #authToken}), or {@code null}
     * @return why the server must not start, or {@code null} if it may
     */
    static String protectedModeRefusal(ServerConfig config, String token) {
        if (token != null || config.insecure || config.listenAddress().loopbackOnly()) {
            return null;
        }
        return "Refusing to listen on " + config.host + " without authentication:"
                + " anyone who can reach this port could read, overwrite and delete every key. Either require a"
                + " token (set KV_AUTH_TOKEN, or --auth-token-file FILE; clients then send 'Authorization: Bearer"
                + " <token>'), or listen on 127.0.0.1 (the default), or, if only trusted clients can reach this"
                + " address (a private network or a firewall), start with --insecure.";
    }
}
